"""Who may run fair access panels. Panels are the CME officers' and managers' business; their
meetings, agendas and decisions belong to one authority (`selectors.meetings_visible_to` keeps
each user to their own)."""

from __future__ import annotations

from cme.accounts.rules import is_cme_manager, is_cme_officer
from cme.core.permissions import add_perm

# Schedule meetings, set agendas, record attendees and decisions, read overdue decisions.
add_perm("panels.run_panels", is_cme_officer | is_cme_manager)
