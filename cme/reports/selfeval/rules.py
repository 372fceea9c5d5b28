"""Who may read and who may make the self-evaluation.

A CME manager owns it (App.2 item 3, SPEC §2); the rest of the case team may read it. Each
assessment belongs to one authority: the selectors fetch only the user's own, so another
authority's assessment is "not found", never "forbidden".
"""

from __future__ import annotations

from cme.accounts.rules import is_case_team, is_cme_manager
from cme.core.permissions import add_perm

add_perm("reports.view_selfeval", is_case_team)
add_perm("reports.change_selfeval", is_cme_manager)
