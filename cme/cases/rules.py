"""Who may do what with cases. Case data is for the case team of the case's own authority."""

from __future__ import annotations

from typing import Any

from cme.accounts.rules import is_case_team, is_caseworker, is_cme_manager, is_cme_officer
from cme.core.permissions import add_perm, predicate


@predicate
def is_case_in_own_authority(user: Any, case: Any) -> bool:
    membership = getattr(user, "membership", None)
    return (
        membership is not None and case is not None and case.authority_id == membership.authority_id
    )


@predicate
def owns_case(user: Any, case: Any) -> bool:
    return case is not None and case.owner_id == user.pk


add_perm("cases.view_cases", is_case_team)
add_perm("cases.open_case", is_cme_officer | is_cme_manager)
add_perm("cases.export_cases", is_cme_officer | is_cme_manager)
add_perm("cases.view_case", is_case_team & is_case_in_own_authority)
# Officers and managers run any case; a caseworker works the cases assigned to them.
add_perm(
    "cases.change_case",
    is_case_in_own_authority & (is_cme_officer | is_cme_manager | (is_caseworker & owns_case)),
)
add_perm(
    "cases.break_seal",
    is_case_in_own_authority & (is_cme_officer | is_cme_manager | (is_caseworker & owns_case)),
)
add_perm("cases.view_grants", is_cme_manager)
