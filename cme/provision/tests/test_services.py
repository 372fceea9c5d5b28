"""Needs, brokering, monitoring and support: the dates each step sets, the schedule, the tasks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.db.models import F

from cme.accounts.models import Role
from cme.cases import services as case_services
from cme.cases.models import CaseEvent, Stage, Task
from cme.cases.services import CaseRefused, StaleCase
from cme.cases.tests.factories import open_case
from cme.core.models import AuditAction, AuditEvent
from cme.provision import services
from cme.provision.models import (
    AttemptOutcome,
    Attendance,
    AttendanceCheck,
    NeedsAssessment,
    PlacementAttempt,
    RefusedBy,
)
from cme.provision.selectors import brokering_failures, case_provision, monitoring_checks_due
from cme.provision.tests.factories import (
    case_assessing_needs,
    case_securing_provision,
    needs,
)

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 1, 5)
On = Callable[[date], date]


def _admit(case: Any, actor: Any, establishment: Any, day: date, starts: date) -> PlacementAttempt:
    return services.placement_attempt_record(
        case=case,
        actor=actor,
        version=case.version,
        attempt=services.Attempt(
            attempted_on=day,
            outcome=AttemptOutcome.ADMITTED,
            establishment=establishment,
            starts_on=starts,
        ),
    )


def _due_dates(case: Any) -> list[date]:
    return list(
        AttendanceCheck.objects.filter(case=case)
        .order_by("due_on")
        .values_list("due_on", flat=True)
    )


# -- Needs assessment -----------------------------------------------------------------------


def test_a_recommendation_records_the_dates_and_moves_the_case_on(
    authority: Any, officer: Any, on: On
) -> None:
    on(MONDAY)
    case = case_assessing_needs(authority, officer)
    case_services.case_update(
        case=case, actor=officer, version=case.version, changes={"assessed_on": None}
    )
    result = services.needs_assessment_record(
        case=case,
        actor=officer,
        version=case.version,
        needs=needs(
            assessed_on=MONDAY - timedelta(days=4), recommended_on=MONDAY - timedelta(days=1)
        ),
    )
    case.refresh_from_db()
    assert result.moved
    assert case.stage == Stage.SECURING_PROVISION
    assert case.provision_determined_on == MONDAY - timedelta(days=1)
    assert case.assessed_on == MONDAY - timedelta(days=4)
    assert case.provision_recommended == "Mainstream school: Year 8 place"
    summaries = list(CaseEvent.objects.filter(case=case).values_list("summary", flat=True))
    assert "Needs assessment recorded" in summaries
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATED,
        target_type="provision.needsassessment",
        target_id=str(result.assessment.pk),
    ).exists()


def test_the_date_of_assessment_already_set_is_kept_and_a_blank_date_means_today(
    authority: Any, officer: Any, on: On
) -> None:
    on(MONDAY)
    case = case_assessing_needs(authority, officer)
    assert case.assessed_on == MONDAY  # set by the vulnerability assessment
    services.needs_assessment_record(
        case=case,
        actor=officer,
        version=case.version,
        needs=needs(assessed_on=MONDAY - timedelta(days=10)),
    )
    case.refresh_from_db()
    assert case.assessed_on == MONDAY
    assert case.provision_determined_on == MONDAY


def test_no_recommendation_leaves_the_case_where_it_is(
    authority: Any, officer: Any, on: On
) -> None:
    on(MONDAY)
    case = case_assessing_needs(authority, officer)
    services.needs_assessment_record(
        case=case, actor=officer, version=case.version, needs=needs(assessed_on=MONDAY, kind="")
    )
    case.refresh_from_db()
    assert case.stage == Stage.ASSESSING_NEEDS
    assert case.provision_determined_on is None
    assert case.provision_recommended == ""


def test_a_needs_assessment_on_a_stale_copy_is_refused(
    authority: Any, officer: Any, on: On
) -> None:
    on(MONDAY)
    case = case_assessing_needs(authority, officer)
    old = case.version
    case_services.case_update(case=case, actor=officer, version=old, changes={"priority": "2_high"})
    with pytest.raises(StaleCase):
        services.needs_assessment_record(
            case=case, actor=officer, version=old, needs=needs(assessed_on=MONDAY)
        )
    assert not NeedsAssessment.objects.exists()


def test_a_yes_without_its_date_is_refused(authority: Any, officer: Any, on: On) -> None:
    on(MONDAY)
    case = case_assessing_needs(authority, officer)
    bad = services.Needs(
        assessed_on=MONDAY,
        reasons_disengaged="Anxiety",
        common_assessment="yes",
        specialist_referral="no",
    )
    with pytest.raises(CaseRefused, match="date of the common assessment"):
        services.needs_assessment_record(case=case, actor=officer, version=case.version, needs=bad)


# -- Brokering ------------------------------------------------------------------------------


def test_a_refusal_needs_a_reason_and_is_on_record_as_a_failure(
    authority: Any, other_authority: Any, officer: Any, establishment: Any, on: On
) -> None:
    on(MONDAY)
    case = case_securing_provision(authority, officer, MONDAY)
    with pytest.raises(CaseRefused, match="why the place was refused"):
        services.placement_attempt_record(
            case=case,
            actor=officer,
            version=case.version,
            attempt=services.Attempt(
                attempted_on=MONDAY, outcome=AttemptOutcome.REFUSED, establishment=establishment
            ),
        )
    refused = services.placement_attempt_record(
        case=case,
        actor=officer,
        version=case.version,
        attempt=services.Attempt(
            attempted_on=MONDAY - timedelta(days=2),
            outcome=AttemptOutcome.REFUSED,
            establishment=establishment,
            refused_by=RefusedBy.PROVIDER,
            reason="Year group full",
        ),
    )
    no_place = services.placement_attempt_record(
        case=case,
        actor=officer,
        version=case.version,
        attempt=services.Attempt(
            attempted_on=MONDAY, outcome=AttemptOutcome.NO_PLACE, provider_name="Hilltop Tuition"
        ),
    )
    services.placement_attempt_record(
        case=case,
        actor=officer,
        version=case.version,
        attempt=services.Attempt(
            attempted_on=MONDAY, outcome=AttemptOutcome.OFFERED, provider_name="Brook Academy"
        ),
    )
    week = (MONDAY - timedelta(days=6), MONDAY)
    assert list(brokering_failures(authority, week)) == [refused, no_place]
    assert list(brokering_failures(authority, (MONDAY - timedelta(days=1), MONDAY))) == [no_place]
    assert not brokering_failures(other_authority, week).exists()
    case.refresh_from_db()
    assert case.stage == Stage.SECURING_PROVISION
    assert case_provision(case).failures == 2


def test_admitted_from_today_moves_the_case_into_provision_and_schedules_the_checks(
    authority: Any, officer: Any, establishment: Any, on: On
) -> None:
    on(MONDAY)
    case = case_securing_provision(authority, officer, MONDAY - timedelta(days=3))
    placement = _admit(case, officer, establishment, MONDAY - timedelta(days=1), MONDAY)
    case.refresh_from_db()
    assert placement.started
    assert case.stage == Stage.IN_PROVISION
    assert case.moved_into_provision_on == MONDAY
    assert case.provision_accessed == establishment.name
    assert _due_dates(case) == [
        date(2026, 1, 12),
        date(2026, 1, 19),
        date(2026, 1, 26),
        date(2026, 2, 2),
        date(2026, 2, 5),
    ]


def test_a_start_recorded_late_keeps_its_date_but_schedules_no_past_checks(
    authority: Any, officer: Any, establishment: Any, on: On
) -> None:
    on(MONDAY)
    case = case_securing_provision(authority, officer, MONDAY - timedelta(days=20))
    _admit(case, officer, establishment, MONDAY - timedelta(days=12), MONDAY - timedelta(days=10))
    case.refresh_from_db()
    assert case.moved_into_provision_on == MONDAY - timedelta(days=10)
    # Started 26 December: weekly checks from 2 January; the first one from today on is 9 January.
    assert _due_dates(case) == [date(2026, 1, d) for d in (9, 16, 23, 26)]


def test_a_start_date_to_come_moves_the_case_on_that_day(
    authority: Any, officer: Any, establishment: Any, on: On
) -> None:
    on(MONDAY)
    case = case_securing_provision(authority, officer, MONDAY)
    start = MONDAY + timedelta(days=7)
    placement = _admit(case, officer, establishment, MONDAY, start)
    case.refresh_from_db()
    assert not placement.started
    assert case.stage == Stage.SECURING_PROVISION
    assert case.moved_into_provision_on is None

    assert services.provision_tick(today=start - timedelta(days=1)).started == 0
    on(start)
    assert services.provision_tick(today=start).started == 1
    case.refresh_from_db()
    assert case.stage == Stage.IN_PROVISION
    assert case.moved_into_provision_on == start
    assert _due_dates(case)[0] == start + timedelta(days=7)
    assert services.provision_tick(today=start).started == 0


def test_admission_is_refused_before_the_needs_are_assessed(
    authority: Any, officer: Any, establishment: Any, on: On
) -> None:
    on(MONDAY)
    case = open_case(authority, officer)
    with pytest.raises(CaseRefused, match="once the child's needs are being assessed"):
        _admit(case, officer, establishment, MONDAY, MONDAY)
    case = case_assessing_needs(authority, officer)
    with pytest.raises(CaseRefused, match="provision recommended"):
        _admit(case, officer, establishment, MONDAY, MONDAY)
    assert not PlacementAttempt.objects.exists()


def test_a_new_placement_ends_the_last_one_and_drops_its_checks_to_come(
    authority: Any, officer: Any, establishment: Any, on: On
) -> None:
    on(MONDAY)
    case = case_securing_provision(authority, officer, MONDAY)
    first = _admit(case, officer, establishment, MONDAY, MONDAY)
    later = on(MONDAY + timedelta(days=15))
    case.refresh_from_db()
    second = services.placement_attempt_record(
        case=case,
        actor=officer,
        version=case.version,
        attempt=services.Attempt(
            attempted_on=later,
            outcome=AttemptOutcome.ADMITTED,
            provider_name="Riverside Learning Centre",
            starts_on=later,
        ),
    )
    first.refresh_from_db()
    case.refresh_from_db()
    assert first.ended_on == later
    assert case.moved_into_provision_on == MONDAY  # pace is measured to the first start
    assert case.provision_accessed == "Riverside Learning Centre"
    assert case_provision(case).current == second
    assert list(
        AttendanceCheck.objects.filter(placement=first).values_list("due_on", flat=True)
    ) == [date(2026, 1, 12), date(2026, 1, 19)]


# -- Monitoring -----------------------------------------------------------------------------


def test_a_missed_check_raises_one_task_for_the_case_owner(
    authority: Any, officer: Any, make_member: Any, establishment: Any, on: On
) -> None:
    owner = make_member(Role.CASEWORKER)
    on(MONDAY)
    case = case_securing_provision(authority, officer, MONDAY, owner=owner)
    _admit(case, officer, establishment, MONDAY, MONDAY)
    first = AttendanceCheck.objects.filter(case=case).order_by("due_on").first()
    assert first is not None and first.due_on == date(2026, 1, 12)

    assert services.provision_tick(today=date(2026, 1, 12)).missed_tasks == 0  # due, not missed
    result = services.provision_tick(today=date(2026, 1, 13))
    assert result.missed_tasks == 1
    task = Task.objects.get(case=case, title__contains="missed")
    assert task.assigned_to == owner
    assert task.due_on == date(2026, 1, 13)
    assert task.title == "Attendance check due 12 January 2026 was missed: check now"
    first.refresh_from_db()
    assert first.overdue_task == task
    assert services.provision_tick(today=date(2026, 1, 13)).missed_tasks == 0
    assert list(monitoring_checks_due(authority, date(2026, 1, 13))) == [first]


def test_a_recorded_check_is_not_missed_and_a_closed_case_raises_nothing(
    authority: Any, officer: Any, establishment: Any, on: On
) -> None:
    on(MONDAY)
    case = case_securing_provision(authority, officer, MONDAY)
    _admit(case, officer, establishment, MONDAY, MONDAY)
    first = AttendanceCheck.objects.filter(case=case).order_by("due_on")[0]
    on(date(2026, 1, 12))
    services.attendance_check_record(
        check=first, actor=officer, checked_on=date(2026, 1, 12), percentage=96
    )
    first.refresh_from_db()
    assert first.attendance == Attendance.ATTENDING
    assert services.provision_tick(today=date(2026, 1, 14)).missed_tasks == 0
    case.refresh_from_db()
    case_services.case_transition(
        case=case, to=Stage.CLOSED, actor=officer, version=case.version, outcome="registered"
    )
    assert services.provision_tick(today=date(2026, 3, 1)).missed_tasks == 0
    assert not monitoring_checks_due(authority, date(2026, 3, 1)).exists()


def test_the_clock_keeps_one_monthly_check_ahead(
    authority: Any, officer: Any, establishment: Any, on: On
) -> None:
    on(MONDAY)
    case = case_securing_provision(authority, officer, MONDAY)
    _admit(case, officer, establishment, MONDAY, MONDAY)
    assert services.provision_tick(today=date(2026, 2, 4)).checks_added == 0
    assert services.provision_tick(today=date(2026, 2, 5)).checks_added == 1
    assert _due_dates(case)[-2:] == [date(2026, 2, 5), date(2026, 3, 5)]


def test_a_child_who_stops_attending_raises_a_task(
    authority: Any, officer: Any, establishment: Any, on: On
) -> None:
    on(MONDAY)
    case = case_securing_provision(authority, officer, MONDAY, owner=officer)
    _admit(case, officer, establishment, MONDAY, MONDAY)
    first, second = AttendanceCheck.objects.filter(case=case).order_by("due_on")[:2]
    on(date(2026, 1, 19))
    services.attendance_check_record(
        check=first, actor=officer, checked_on=date(2026, 1, 12), attendance=Attendance.PARTIAL
    )
    assert not Task.objects.filter(case=case, title__contains="stopped attending").exists()
    services.attendance_check_record(
        check=second, actor=officer, checked_on=date(2026, 1, 19), percentage=0
    )
    second.refresh_from_db()
    assert second.attendance == Attendance.NOT_ATTENDING
    assert second.checked_by == officer
    task = Task.objects.get(case=case, title__contains="stopped attending")
    assert task.assigned_to == officer
    assert task.due_on == date(2026, 1, 19)


def test_a_check_needs_the_attendance_seen(
    authority: Any, officer: Any, establishment: Any, on: On
) -> None:
    on(MONDAY)
    case = case_securing_provision(authority, officer, MONDAY)
    _admit(case, officer, establishment, MONDAY, MONDAY)
    check = AttendanceCheck.objects.filter(case=case)[0]
    with pytest.raises(CaseRefused, match="attendance seen"):
        services.attendance_check_record(check=check, actor=officer, checked_on=MONDAY)
    with pytest.raises(CaseRefused, match="between 0 and 100"):
        services.attendance_check_record(
            check=check, actor=officer, checked_on=MONDAY, percentage=101
        )


# -- Support and register audits ---------------------------------------------------------------


def test_a_referral_for_support_and_its_response(
    authority: Any, officer: Any, agency: Any, on: On
) -> None:
    on(MONDAY)
    case = case_assessing_needs(authority, officer)
    referral = services.support_referral_add(
        case=case,
        actor=officer,
        referred_on=MONDAY - timedelta(days=5),
        reason="Young carer: support at home",
        agency=agency,
    )
    assert referral.awaiting_response
    with pytest.raises(CaseRefused, match="before the referral"):
        services.support_response_record(
            referral=referral,
            actor=officer,
            response="Seen",
            response_on=MONDAY - timedelta(days=6),
        )
    services.support_response_record(
        referral=referral, actor=officer, response="Carers' assessment booked", response_on=MONDAY
    )
    referral.refresh_from_db()
    assert referral.response_on == MONDAY
    assert not referral.awaiting_response
    assert CaseEvent.objects.filter(case=case, summary__startswith="Referred to another").exists()


def test_a_referral_to_another_authoritys_agency_is_refused(
    authority: Any, other_authority: Any, officer: Any, on: On
) -> None:
    from cme.accounts.models import AgencyKind, PartnerAgency

    on(MONDAY)
    theirs = PartnerAgency.objects.create(
        authority=other_authority, name="Their housing", kind=AgencyKind.HOUSING
    )
    case = case_assessing_needs(authority, officer)
    with pytest.raises(CaseRefused):
        services.support_referral_add(
            case=case, actor=officer, referred_on=MONDAY, reason="Housing", agency=theirs
        )


def test_a_register_audit_cannot_find_more_discrepancies_than_pupils(
    authority: Any, officer: Any, on: On
) -> None:
    on(MONDAY)
    with pytest.raises(CaseRefused, match="more discrepancies"):
        services.register_audit_record(
            authority=authority,
            actor=officer,
            audited_on=MONDAY,
            pupils_checked=3,
            discrepancies=4,
            provider_name="Hilltop Tuition",
        )
    audit = services.register_audit_record(
        authority=authority,
        actor=officer,
        audited_on=MONDAY,
        pupils_checked=12,
        discrepancies=2,
        provider_name="Hilltop Tuition",
    )
    assert AuditEvent.objects.filter(
        target_type="provision.registeraudit", target_id=str(audit.pk)
    ).exists()


def test_the_recommendation_cannot_be_taken_away_once_provision_is_being_secured(
    authority: Any, officer: Any, on: On
) -> None:
    on(MONDAY)
    case = case_securing_provision(authority, officer, MONDAY)
    with pytest.raises(CaseRefused, match="Choose the provision recommended"):
        services.needs_assessment_record(
            case=case, actor=officer, version=case.version, needs=needs(assessed_on=MONDAY, kind="")
        )


def test_the_daily_command_reports_what_it_did(
    authority: Any, officer: Any, establishment: Any
) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    today = timezone.localdate()
    case = case_securing_provision(authority, officer, today)
    _admit(case, officer, establishment, today, today)
    AttendanceCheck.objects.filter(case=case).update(due_on=F("due_on") - timedelta(days=8))
    out = StringIO()
    call_command("tick", stdout=out)
    assert "1 task(s) raised for missed checks" in out.getvalue()
