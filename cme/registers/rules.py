"""Who may do what with the registers' imports. (Establishment permissions are in
cme/accounts/rules.py, with the other reference data.)"""

from __future__ import annotations

from cme.accounts.rules import is_cme_manager, is_cme_officer
from cme.core.permissions import add_perm

# CME officers and managers load their authority's rolls and establishments.
add_perm("registers.import_rolls", is_cme_officer | is_cme_manager)
