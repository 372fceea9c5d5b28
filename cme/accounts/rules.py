"""Every permission decision about people, authorities and reference data, as named predicates.

Views, templates and (later) the API ask these by name: `user.has_perm("accounts.manage_users")`.
A user acts through one membership; a user without an active membership may do nothing.
"""

from __future__ import annotations

from typing import Any

from cme.accounts.models import Role
from cme.core.permissions import Predicate, add_perm, named_predicate, predicate


def _role(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    membership = user.membership
    return membership.role if membership else None


def has_role(*roles: Role) -> Predicate:
    names = "_or_".join(role.value for role in roles)

    @named_predicate(f"is_{names}")
    def holds_role(user: Any) -> bool:
        return _role(user) in roles

    return holds_role


is_cme_officer = has_role(Role.CME_OFFICER)
is_cme_manager = has_role(Role.CME_MANAGER)
is_caseworker = has_role(Role.CASEWORKER)
is_school_user = has_role(Role.SCHOOL_USER)
is_partner = has_role(Role.PARTNER)
is_auditor = has_role(Role.AUDITOR)
is_administrator = has_role(Role.ADMINISTRATOR)
is_case_team = has_role(Role.CME_OFFICER, Role.CME_MANAGER, Role.CASEWORKER)


@predicate
def is_service_operator(user: Any) -> bool:
    """Runs the service itself (creates authorities); sees no case data through this."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_staff)


@predicate
def is_own_authority(user: Any, authority: Any) -> bool:
    membership = getattr(user, "membership", None)
    return (
        membership is not None and authority is not None and authority.pk == membership.authority_id
    )


@predicate
def is_in_own_area(user: Any, establishment: Any) -> bool:
    """Establishments are national reference data; an authority edits those with its LA code."""
    membership = getattr(user, "membership", None)
    return (
        membership is not None
        and establishment is not None
        and establishment.la_code == membership.authority.la_code
    )


# People and organisations
add_perm("accounts.view_authorities", is_administrator | is_service_operator)
add_perm("accounts.add_authority", is_service_operator)
add_perm("accounts.change_authority", is_service_operator | (is_administrator & is_own_authority))
# Returns, rolls and school users are routed by LA code: changing it is the operator's job.
add_perm("accounts.change_authority_code", is_service_operator)
add_perm("accounts.manage_users", is_administrator)
add_perm("accounts.manage_agencies", is_administrator)
add_perm("registers.view_establishments", is_administrator | is_case_team)
add_perm("registers.add_establishment", is_administrator)
add_perm("registers.change_establishment", is_administrator & is_in_own_area)

# The audit trail is for managers of the authority the events belong to.
add_perm("core.view_audit", is_cme_manager)
