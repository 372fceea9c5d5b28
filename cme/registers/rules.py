"""Who may do what with the registers' imports and the places register. (Establishment
permissions are in cme/accounts/rules.py, with the other reference data.)"""

from __future__ import annotations

from typing import Any

from cme.accounts.rules import is_cme_manager, is_cme_officer, is_school_user
from cme.core.permissions import add_perm, predicate

is_cme_team = is_cme_officer | is_cme_manager

# CME officers and managers load their authority's rolls and establishments.
add_perm("registers.import_rolls", is_cme_team)


@predicate
def is_own_establishment(user: Any, establishment: Any) -> bool:
    membership = getattr(user, "membership", None)
    return (
        membership is not None
        and establishment is not None
        and membership.establishment_id is not None
        and membership.establishment_id == establishment.pk
    )


@predicate
def is_in_own_area(user: Any, establishment: Any) -> bool:
    """The establishment has the user's authority's LA code."""
    membership = getattr(user, "membership", None)
    return (
        membership is not None
        and establishment is not None
        and establishment.la_code == membership.authority.la_code
    )


# The places register: a school reads and updates its own figures; CME officers and managers
# read every establishment's in their area and may update any of them.
add_perm("registers.view_places", is_school_user | is_cme_team)
add_perm("registers.view_all_places", is_cme_team)
add_perm(
    "registers.change_places",
    (is_school_user & is_own_establishment) | (is_cme_team & is_in_own_area),
)
# The navigation's way in for a school user (their own figures).
add_perm("registers.view_own_places", is_school_user)
