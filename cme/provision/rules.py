"""Who may do what with needs, brokering, monitoring and support.

It follows the case's own rules: whoever may see the case reads it (it is part of the case's
page); officers and managers change any case, a caseworker the cases they own. Register audits of
providers are the CME officers' and managers' work.
"""

from __future__ import annotations

from cme.accounts.rules import is_caseworker, is_cme_manager, is_cme_officer
from cme.cases.rules import is_case_in_own_authority, owns_case
from cme.core.permissions import add_perm

add_perm(
    "provision.change_case_provision",
    is_case_in_own_authority & (is_cme_officer | is_cme_manager | (is_caseworker & owns_case)),
)
add_perm("provision.view_register_audits", is_cme_officer | is_cme_manager)
add_perm("provision.add_register_audit", is_cme_officer | is_cme_manager)
