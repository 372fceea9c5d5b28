"""Who may do what with enquiries between authorities and the directory."""

from __future__ import annotations

from typing import Any

from cme.accounts.rules import is_case_team, is_cme_manager, is_cme_officer
from cme.cases.rules import is_case_in_own_authority
from cme.core.permissions import add_perm, predicate


@predicate
def is_own_entry(user: Any, entry: Any) -> bool:
    membership = getattr(user, "membership", None)
    return (
        membership is not None
        and entry is not None
        and entry.authority_id == membership.authority_id
    )


@predicate
def is_own_enquiry(user: Any, enquiry: Any) -> bool:
    membership = getattr(user, "membership", None)
    return (
        membership is not None
        and enquiry is not None
        and enquiry.authority_id == membership.authority_id
    )


is_cme_team = is_cme_officer | is_cme_manager

# The directory is for everyone who works cases; each authority's managers keep its own entry.
add_perm("enquiries.view_directory", is_case_team)
add_perm("enquiries.change_entry", is_cme_manager & is_own_entry)
# Enquiries: the CME officers and managers of the authority that holds them.
add_perm("enquiries.view_enquiries", is_cme_team)
add_perm("enquiries.send_enquiry", is_cme_team & is_case_in_own_authority)
add_perm("enquiries.view_enquiry", is_cme_team & is_own_enquiry)
add_perm("enquiries.work_enquiry", is_cme_team & is_own_enquiry)
# §3.3.2.2: a fourth authority about one child within 30 days needs a manager's approval.
add_perm("enquiries.approve_enquiry", is_cme_manager & is_own_enquiry)
