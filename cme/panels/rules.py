"""Who may run fair access panels. Panels are the CME officers' and managers' business; their
meetings, agendas and decisions belong to one authority."""

from __future__ import annotations

from typing import Any

from cme.accounts.rules import is_cme_manager, is_cme_officer
from cme.core.permissions import add_perm, predicate


@predicate
def is_meeting_in_own_authority(user: Any, meeting: Any) -> bool:
    membership = getattr(user, "membership", None)
    return (
        membership is not None
        and meeting is not None
        and meeting.authority_id == membership.authority_id
    )


# Schedule meetings, set agendas, record attendees and decisions, read overdue decisions.
add_perm("panels.run_panels", is_cme_officer | is_cme_manager)
add_perm("panels.change_meeting", (is_cme_officer | is_cme_manager) & is_meeting_in_own_authority)
