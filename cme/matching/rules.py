"""Who may use matching. Finding a child and reviewing proposals are the CME officers' and
managers' work; the model's parameters are shown to managers."""

from __future__ import annotations

from typing import Any

from cme.accounts.rules import is_cme_manager, is_cme_officer
from cme.core.permissions import add_perm, predicate


@predicate
def is_proposal_in_own_authority(user: Any, proposal: Any) -> bool:
    membership = getattr(user, "membership", None)
    return (
        membership is not None
        and proposal is not None
        and proposal.authority_id == membership.authority_id
    )


add_perm("matching.find_child", is_cme_officer | is_cme_manager)
add_perm("matching.review_matches", is_cme_officer | is_cme_manager)
add_perm("matching.decide_match", (is_cme_officer | is_cme_manager) & is_proposal_in_own_authority)
add_perm("matching.view_model", is_cme_manager)
