"""Builders for provision tests: a case taken through the workflow to the stage a test needs."""

from __future__ import annotations

from datetime import date
from typing import Any

from cme.cases import services as case_services
from cme.cases.models import Answer, Case, Stage
from cme.cases.tests.factories import open_case
from cme.provision import services
from cme.provision.models import Answer as NeedsAnswer
from cme.provision.models import ProvisionKind

NO = dict.fromkeys(
    [
        "sudden_or_unexpected",
        "gone_without_family",
        "risk_of_harm",
        "past_suspicions",
        "older_associates",
        "significant_incident",
        "child_protection_plan",
        "looked_after",
        "social_care_involved",
        "avoiding_contact",
        "whereabouts_unknown",
    ],
    Answer.NO,
)

_ROUTE = [Stage.CHECKING, Stage.CONFIRMED_MISSING, Stage.ASSESSING_NEEDS]


def case_assessing_needs(authority: Any, actor: Any, **fields: Any) -> Case:
    """An open case at "Assessing needs", with its vulnerability assessment done."""
    case = open_case(authority, actor, **fields)
    case_services.assessment_record(case=case, actor=actor, version=case.version, answers=NO)
    case.refresh_from_db()
    for stage in _ROUTE:
        case_services.case_transition(case=case, to=stage, actor=actor, version=case.version)
    return case


def needs(
    *, assessed_on: date, recommended_on: date | None = None, kind: str = ProvisionKind.MAINSTREAM
) -> services.Needs:
    return services.Needs(
        assessed_on=assessed_on,
        reasons_disengaged="Bullied at the last school; family moved twice this year",
        common_assessment=NeedsAnswer.YES,
        common_assessment_on=assessed_on,
        specialist_referral=NeedsAnswer.NO,
        child_preference="A school near the new home",
        parent_preference="Mainstream, with a fresh start",
        lead_professional="Jo Marsh",
        lead_professional_role="Education welfare officer",
        recommended_kind=kind,
        recommended_detail="Year 8 place",
        recommended_on=recommended_on,
    )


def case_securing_provision(authority: Any, actor: Any, on: date, **fields: Any) -> Case:
    """A case whose needs were assessed on `on`, now at "Securing provision"."""
    case = case_assessing_needs(authority, actor, **fields)
    services.needs_assessment_record(
        case=case, actor=actor, version=case.version, needs=needs(assessed_on=on)
    )
    case.refresh_from_db()
    return case


def provision_world(case: Case, actor: Any, establishment: Any) -> dict[str, Any]:
    """A placement with an attendance check, and a support referral, on `case` (at any stage):
    the rows the access matrix needs to reach every provision page."""
    from django.utils import timezone

    from cme.provision.models import (
        AttemptOutcome,
        AttendanceCheck,
        PlacementAttempt,
        SupportReferral,
    )

    today = timezone.localdate()
    placement = PlacementAttempt.objects.create(
        case=case,
        establishment=establishment,
        attempted_on=today,
        outcome=AttemptOutcome.ADMITTED,
        starts_on=today,
        started=True,
        recorded_by=actor,
    )
    check = AttendanceCheck.objects.create(placement=placement, case=case, due_on=today)
    referral = SupportReferral.objects.create(
        case=case,
        agency_name="Young carers service",
        referred_on=today,
        reason="Support at home",
        recorded_by=actor,
    )
    return {"attendance_check": check, "support_referral": referral}
