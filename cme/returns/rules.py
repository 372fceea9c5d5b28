"""Who may do what with school returns and the EHE register.

A school user sends and reads the returns of their own establishment only; CME officers and
managers read every return of their authority and keep the EHE register.
"""

from __future__ import annotations

from typing import Any

from cme.accounts.models import Role
from cme.accounts.rules import is_cme_manager, is_cme_officer, is_school_user
from cme.core.permissions import add_perm, predicate


@predicate
def is_own_school_return(user: Any, ret: Any) -> bool:
    membership = getattr(user, "membership", None)
    return (
        membership is not None
        and ret is not None
        and membership.role == Role.SCHOOL_USER
        and membership.establishment_id is not None
        and ret.establishment_id == membership.establishment_id
    )


@predicate
def is_in_own_authority(user: Any, record: Any) -> bool:
    membership = getattr(user, "membership", None)
    return (
        membership is not None
        and record is not None
        and record.authority_id == membership.authority_id
    )


is_cme_team = is_cme_officer | is_cme_manager

add_perm("returns.submit_returns", is_school_user)
add_perm("returns.view_school_returns", is_school_user)
add_perm("returns.view_all_returns", is_cme_team)
# The detail pages: the school that sent it, or the CME team of its authority.
add_perm("returns.view_returns", is_school_user | is_cme_team)
add_perm(
    "returns.view_return",
    (is_school_user & is_own_school_return) | (is_cme_team & is_in_own_authority),
)
add_perm("returns.view_ehe", is_cme_team)
add_perm("returns.add_ehe", is_cme_team)
add_perm("returns.change_ehe", is_cme_team & is_in_own_authority)
# The CTF clock: the school that deleted the pupil records when it sent the file; the CME team
# lists every school's overdue files.
add_perm("returns.record_ctf_sent", is_school_user & is_own_school_return)
add_perm("returns.view_ctf_overdue", is_cme_team)
