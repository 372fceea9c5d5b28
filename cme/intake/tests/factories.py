"""Small builders for intake tests, and the records the access matrix visits."""

from __future__ import annotations

from datetime import date
from typing import Any

from cme.accounts.models import Authority, PartnerAgency, User
from cme.cases.models import Case
from cme.intake import services
from cme.intake.models import AgencyContact, CMEContact, Referral, Route


def details(**fields: Any) -> services.ChildDetails:
    defaults: dict[str, Any] = {
        "concern": "Seen at home every school day since Easter",
        "forename": "Tobias",
        "surname": "Wetherall",
        "date_of_birth": date(2013, 9, 2),
    }
    return services.ChildDetails(**{**defaults, **fields})


def make_referral(
    authority: Authority,
    *,
    route: Route = Route.PUBLIC,
    actor: Any = None,
    agency: PartnerAgency | None = None,
    **fields: Any,
) -> Referral:
    return services.referral_record(
        actor=actor, authority=authority, route=route, child=details(**fields), agency=agency
    )


def intake_world(
    authority: Authority, agency: PartnerAgency, actor: User, case: Case
) -> dict[str, Any]:
    """One of each intake record in `authority`, for the access matrix."""
    sweep = services.sweep_create(
        actor=actor,
        authority=authority,
        held_on=date(2026, 1, 20),
        area="Town centre",
        partners=[agency],
    )
    return {
        "referral": make_referral(authority),
        "referral_child": case.child,
        "sweep": sweep,
        "cme_contact": CMEContact.objects.create(
            authority=authority,
            name="Children Missing Education Team",
            phone="01632 960000",
            email="cme@example.gov.uk",
            hours="Monday to Friday, 9am to 5pm",
        ),
        "agency_contact": AgencyContact.objects.create(
            agency=agency, name="Sergeant Hollis", role="Schools liaison", phone="01632 960123"
        ),
        "sweep_referral": services.sweep_child_add(sweep=sweep, actor=actor, child=details()),
    }
