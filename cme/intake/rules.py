"""Who may do what with referrals, truancy sweeps and the contacts directory.

Triage is for CME officers and managers; partners refer and see only the status of their own
referrals; the directory and the sweeps are kept by CME managers. Everything is scoped to the
user's own authority by the selectors (another authority's records are not found: 404).
"""

from __future__ import annotations

from typing import Any

from cme.accounts.rules import is_cme_manager, is_cme_officer, is_partner
from cme.core.permissions import add_perm, predicate


@predicate
def is_in_own_authority(user: Any, record: Any) -> bool:
    membership = getattr(user, "membership", None)
    return (
        membership is not None
        and record is not None
        and record.authority_id == membership.authority_id
    )


is_cme_team = is_cme_officer | is_cme_manager

add_perm("intake.triage_referrals", is_cme_team)
add_perm("intake.triage_referral", is_cme_team & is_in_own_authority)
add_perm("intake.refer_child", is_partner)
add_perm("intake.view_own_referrals", is_partner)
add_perm("intake.view_directory", is_cme_team)
add_perm("intake.manage_directory", is_cme_manager)
add_perm("intake.view_sweeps", is_cme_team)
add_perm("intake.manage_sweeps", is_cme_manager)
