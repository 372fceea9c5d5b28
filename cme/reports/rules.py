"""Who may see and download reports. The DfE return is aggregate, for the authority's managers.

The self-evaluation: a CME manager owns it (App.2 item 3, SPEC section 2); the rest of the case team
may read it. Each assessment belongs to one authority: the selectors fetch only the user's own, so
another authority's assessment is "not found", never "forbidden".
"""

from __future__ import annotations

from cme.accounts.rules import is_case_team, is_cme_manager
from cme.core.permissions import add_perm

# The figures are always the signed-in manager's own authority: the view never takes another.
add_perm("reports.dfe_return", is_cme_manager)

# The dashboard and the termly report: aggregates of the manager's own authority only.
add_perm("reports.view_dashboard", is_cme_manager)
add_perm("reports.view_termly", is_cme_manager)

# The self-evaluation: the case team reads it, a CME manager makes it.
add_perm("reports.view_selfeval", is_case_team)
add_perm("reports.change_selfeval", is_cme_manager)
