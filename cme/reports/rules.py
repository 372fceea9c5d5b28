"""Who may see and download reports. The DfE return is aggregate, for the authority's managers."""

from __future__ import annotations

from cme.accounts.rules import is_cme_manager
from cme.core.permissions import add_perm

# The figures are always the signed-in manager's own authority: the view never takes another.
add_perm("reports.dfe_return", is_cme_manager)

# The dashboard and the termly report: aggregates of the manager's own authority only.
add_perm("reports.view_dashboard", is_cme_manager)
add_perm("reports.view_termly", is_cme_manager)
