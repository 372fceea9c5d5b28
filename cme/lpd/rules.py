"""Who may use the Lost Pupil Database (SPEC section 2, §3.9.4).

A school uploads its own lost CTFs and sees only those; CME officers and managers upload for
their authority, see their authority's uploads and search the whole LPD (every authority's
uploads: it is one shared area); managers read the activity figures.
"""

from __future__ import annotations

from typing import Any

from cme.accounts.models import Role
from cme.accounts.rules import is_cme_manager, is_cme_officer, is_school_user
from cme.core.permissions import add_perm, predicate

is_cme_team = is_cme_officer | is_cme_manager


@predicate
def is_own_upload(user: Any, upload: Any) -> bool:
    """A school's own upload for a school user; an upload of the user's authority for the CME
    team (a school's uploads included: the authority answers for its schools' files)."""
    membership = getattr(user, "membership", None)
    if membership is None or upload is None:
        return False
    if membership.role == Role.SCHOOL_USER:
        return (
            membership.establishment_id is not None
            and upload.establishment_id == membership.establishment_id
        )
    return bool(upload.authority_id == membership.authority_id)


add_perm("lpd.upload", is_school_user | is_cme_team)
add_perm("lpd.view_uploads", is_school_user | is_cme_team)
add_perm("lpd.view_upload", (is_school_user | is_cme_team) & is_own_upload)
add_perm("lpd.withdraw_upload", (is_school_user | is_cme_team) & is_own_upload)
add_perm("lpd.search", is_cme_team)
add_perm("lpd.view_activity", is_cme_manager)
