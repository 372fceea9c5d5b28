"""Reads of needs, brokering, monitoring and support, scoped to an authority or a visible case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet

from cme.accounts.models import PartnerAgency
from cme.cases.models import Case, Stage
from cme.provision.models import (
    FAILED_OUTCOMES,
    AttendanceCheck,
    NeedsAssessment,
    PlacementAttempt,
    RegisterAudit,
    SupportReferral,
)


@dataclass(frozen=True)
class CaseProvision:
    """What the case page shows of this app, in four queries."""

    needs: NeedsAssessment | None
    attempts: list[PlacementAttempt]
    checks: list[AttendanceCheck]
    referrals: list[SupportReferral]

    @property
    def current(self) -> PlacementAttempt | None:
        return next((p for p in self.attempts if p.started and p.ended_on is None), None)

    @property
    def failures(self) -> int:
        return sum(1 for p in self.attempts if p.is_failure)


def case_provision(case: Case) -> CaseProvision:
    """For a case the caller has already found through `cases_visible_to`."""
    return CaseProvision(
        needs=NeedsAssessment.objects.filter(case=case).select_related("recorded_by").first(),
        attempts=list(
            PlacementAttempt.objects.filter(case=case).select_related(
                "establishment", "recorded_by"
            )
        ),
        checks=list(
            AttendanceCheck.objects.filter(case=case).select_related("checked_by", "placement")
        ),
        referrals=list(
            SupportReferral.objects.filter(case=case).select_related("agency", "recorded_by")
        ),
    )


def monitoring_checks_due(authority: Any, on: date) -> QuerySet[AttendanceCheck]:
    """Attendance checks not yet recorded and due on or before `on`, for children in provision
    now (their case open and in provision, the placement not ended), oldest first."""
    return (
        AttendanceCheck.objects.filter(
            case__authority=authority,
            case__stage=Stage.IN_PROVISION,
            placement__ended_on__isnull=True,
            checked_on__isnull=True,
            due_on__lte=on,
        )
        .select_related("case", "case__owner")
        .order_by("due_on", "pk")
    )


def brokering_failures(authority: Any, between: tuple[date, date]) -> QuerySet[PlacementAttempt]:
    """Attempts to secure a place that failed (refused, or no place) in the inclusive date range:
    the record Appendix 2 item 14 asks for."""
    start, end = between
    return (
        PlacementAttempt.objects.filter(
            case__authority=authority,
            outcome__in=FAILED_OUTCOMES,
            attempted_on__gte=start,
            attempted_on__lte=end,
        )
        .select_related("case", "establishment")
        .order_by("attempted_on", "pk")
    )


def register_audits_of(authority: Any) -> QuerySet[RegisterAudit]:
    return RegisterAudit.objects.filter(authority=authority).select_related(
        "establishment", "recorded_by"
    )


def agencies_of(authority_id: int) -> QuerySet[PartnerAgency]:
    return PartnerAgency.objects.filter(authority_id=authority_id, is_active=True).order_by("name")
