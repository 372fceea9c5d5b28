"""Changing cases: stale copies refused, dates recorded, required actions, follow-ups, uploads."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cme.accounts.models import Role
from cme.cases import services
from cme.cases.models import (
    Answer,
    CaseEvent,
    Enquiry,
    EnquiryKind,
    Outcome,
    Priority,
    Stage,
    Task,
    TaskKind,
)
from cme.cases.tests.factories import make_child, open_case
from cme.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

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


@pytest.fixture
def officer(make_member: Any) -> Any:
    return make_member(Role.CME_OFFICER)


def test_opening_a_case_records_the_timeline_audit_and_first_follow_up(
    authority: Any, officer: Any
) -> None:
    case = open_case(authority, officer)
    assert case.reference == f"990-{case.pk:06d}"
    assert case.next_follow_up_on == case.notified_on + timedelta(days=28)
    assert CaseEvent.objects.filter(case=case).count() == 1
    event = AuditEvent.objects.filter(target_type="cases.case", target_id=str(case.pk)).get()
    assert event.action == AuditAction.CREATED


def test_a_stale_edit_is_refused_and_says_what_changed(
    authority: Any, officer: Any, make_member: Any
) -> None:
    case = open_case(authority, officer)
    mine = case.version
    colleague = make_member(Role.CME_MANAGER)
    services.case_update(
        case=case, actor=colleague, version=mine, changes={"priority": Priority.HIGH}
    )
    with pytest.raises(services.StaleCase) as refused:
        services.case_update(
            case=case, actor=officer, version=mine, changes={"priority": Priority.LOW}
        )
    assert refused.value.changed == ["priority"]
    assert "Someone else changed this case" in str(refused.value)
    case.refresh_from_db()
    assert case.priority == Priority.HIGH


def test_a_stale_move_is_refused(authority: Any, officer: Any) -> None:
    case = open_case(authority, officer)
    services.case_transition(case=case, to=Stage.CHECKING, actor=officer, version=1)
    with pytest.raises(services.StaleCase):
        services.case_transition(
            case=case, to=Stage.CLOSED, actor=officer, version=1, outcome=Outcome.FOUND_ON_ROLL
        )


def test_moves_record_the_key_dates(authority: Any, officer: Any) -> None:
    case = open_case(authority, officer)
    today = timezone.localdate()
    services.case_transition(case=case, to=Stage.CHECKING, actor=officer, version=case.version)
    services.case_transition(
        case=case, to=Stage.CONFIRMED_MISSING, actor=officer, version=case.version
    )
    assert case.confirmed_missing_on == today
    services.assessment_record(case=case, actor=officer, version=case.version, answers=NO)
    assert case.assessed_on == today
    services.case_transition(
        case=case, to=Stage.ASSESSING_NEEDS, actor=officer, version=case.version
    )
    assert case.located_on == today
    services.case_update(
        case=case,
        actor=officer,
        version=case.version,
        changes={"provision_recommended": "Year 9 place"},
    )
    services.case_transition(
        case=case, to=Stage.SECURING_PROVISION, actor=officer, version=case.version
    )
    assert case.provision_determined_on == today
    services.case_update(
        case=case,
        actor=officer,
        version=case.version,
        changes={"provision_accessed": "Hillside Academy"},
    )
    services.case_transition(case=case, to=Stage.IN_PROVISION, actor=officer, version=case.version)
    assert case.moved_into_provision_on == today
    services.case_transition(
        case=case, to=Stage.CLOSED, actor=officer, version=case.version, outcome=Outcome.REGISTERED
    )
    assert (case.closed_on, case.outcome, case.next_follow_up_on) == (
        today,
        Outcome.REGISTERED,
        None,
    )


def test_a_possible_crime_adds_required_actions_and_makes_the_case_urgent(
    authority: Any, officer: Any
) -> None:
    case = open_case(authority, officer, owner=officer)
    answers = {**NO, "older_associates": Answer.YES, "looked_after": Answer.YES}
    services.assessment_record(case=case, actor=officer, version=case.version, answers=answers)
    kinds = set(Task.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == {TaskKind.POLICE_REFERRAL, TaskKind.INFORM_EWS, TaskKind.INFORM_SOCIAL_CARE}
    assert case.priority == Priority.URGENT and case.is_vulnerable
    # Saving the assessment again does not duplicate the actions.
    services.assessment_record(case=case, actor=officer, version=case.version, answers=answers)
    assert Task.objects.filter(case=case).count() == 3


def test_avoiding_contact_raises_priority_and_unknown_whereabouts_is_vulnerable(
    authority: Any, officer: Any
) -> None:
    case = open_case(authority, officer, priority=Priority.LOW)
    services.assessment_record(
        case=case,
        actor=officer,
        version=case.version,
        answers={**NO, "avoiding_contact": Answer.YES},
    )
    assert case.priority == Priority.HIGH
    other = open_case(authority, officer)
    services.assessment_record(
        case=other,
        actor=officer,
        version=other.version,
        answers={**NO, "whereabouts_unknown": Answer.YES},
    )
    assert other.is_vulnerable and other.priority == Priority.MEDIUM


def test_a_case_cannot_close_until_required_actions_are_done(authority: Any, officer: Any) -> None:
    case = open_case(authority, officer)
    services.assessment_record(
        case=case, actor=officer, version=case.version, answers={**NO, "risk_of_harm": Answer.YES}
    )
    with pytest.raises(services.CaseRefused, match="Complete the 2 required actions"):
        services.case_transition(
            case=case,
            to=Stage.CLOSED,
            actor=officer,
            version=case.version,
            outcome=Outcome.FOUND_ON_ROLL,
        )
    for task in Task.objects.filter(case=case):
        services.task_complete(task=task, actor=officer)
    services.case_transition(
        case=case,
        to=Stage.CLOSED,
        actor=officer,
        version=case.version,
        outcome=Outcome.FOUND_ON_ROLL,
    )
    assert case.stage == Stage.CLOSED


def test_whereabouts_unknown_closes_only_after_every_enquiry(authority: Any, officer: Any) -> None:
    case = open_case(authority, officer, stage=Stage.TRACKING)
    kinds = list(EnquiryKind)
    for kind in kinds[:-1]:
        services.enquiry_record(
            case=case, actor=officer, kind=kind, made_on=timezone.localdate(), outcome="No trace"
        )
    with pytest.raises(services.CaseRefused, match="Still to record"):
        services.case_transition(
            case=case,
            to=Stage.CLOSED,
            actor=officer,
            version=case.version,
            outcome=Outcome.WHEREABOUTS_UNKNOWN,
        )
    services.enquiry_record(
        case=case, actor=officer, kind=kinds[-1], made_on=None, not_applicable=True
    )
    services.case_transition(
        case=case,
        to=Stage.CLOSED,
        actor=officer,
        version=case.version,
        outcome=Outcome.WHEREABOUTS_UNKNOWN,
    )
    assert Enquiry.objects.filter(case=case).count() == len(kinds)


def test_an_enquiry_needs_a_date_or_not_applicable(authority: Any, officer: Any) -> None:
    case = open_case(authority, officer)
    with pytest.raises(services.CaseRefused, match="Enter the date"):
        services.enquiry_record(case=case, actor=officer, kind=EnquiryKind.NEIGHBOURS, made_on=None)
    with pytest.raises(services.CaseRefused, match="today or in the past"):
        services.enquiry_record(
            case=case,
            actor=officer,
            kind=EnquiryKind.NEIGHBOURS,
            made_on=timezone.localdate() + timedelta(days=1),
        )


def test_a_child_outside_school_age_is_held_until_a_reason_is_recorded(
    authority: Any, officer: Any
) -> None:
    child = make_child(authority, date_of_birth=timezone.localdate() - timedelta(days=365 * 3))
    case = open_case(authority, officer, child=child)
    with pytest.raises(services.CaseRefused, match="not of compulsory school age"):
        services.case_transition(case=case, to=Stage.CHECKING, actor=officer, version=case.version)
    services.case_update(
        case=case,
        actor=officer,
        version=case.version,
        changes={"outside_school_age_reason": "Sibling case"},
    )
    services.case_transition(case=case, to=Stage.CHECKING, actor=officer, version=case.version)


def test_follow_ups_are_created_once_when_due(authority: Any, officer: Any) -> None:
    case = open_case(
        authority,
        officer,
        stage=Stage.TRACKING,
        notified_on=timezone.localdate() - timedelta(days=40),
    )
    assert len(services.follow_ups_create()) == 1
    assert services.follow_ups_create() == []
    task = Task.objects.get(case=case, kind=TaskKind.FOLLOW_UP)
    services.task_complete(task=task, actor=officer)
    case.refresh_from_db()
    assert case.next_follow_up_on == timezone.localdate() + timedelta(days=28)
    assert not case.is_overdue()


@pytest.mark.parametrize(
    ("name", "content_type", "content", "problem"),
    [
        ("a.pdf", "application/pdf", b"%PDF-1.7 hello", None),
        ("a.png", "image/png", b"\x89PNG\r\n\x1a\n....", None),
        ("a.exe", "application/x-msdownload", b"MZ....", "must be a PDF"),
        ("a.pdf", "application/pdf", b"MZ pretending", "not the type"),
        ("a.pdf", "application/pdf", b"", "empty"),
    ],
)
def test_uploads_are_checked_by_type_and_content(
    authority: Any,
    officer: Any,
    settings: Any,
    tmp_path: Any,
    name: str,
    content_type: str,
    content: bytes,
    problem: str | None,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    case = open_case(authority, officer)
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    if problem:
        with pytest.raises(services.CaseRefused, match=problem):
            services.attachment_add(case=case, actor=officer, upload=upload)
        assert not list(tmp_path.rglob("*"))
    else:
        attachment = services.attachment_add(case=case, actor=officer, upload=upload)
        assert attachment.size == len(content)
        assert name not in attachment.file.name  # stored under a random name


def test_uploads_over_10mb_are_refused(
    authority: Any, officer: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    case = open_case(authority, officer)
    big = SimpleUploadedFile(
        "big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), content_type="application/pdf"
    )
    with pytest.raises(services.CaseRefused, match="smaller than 10MB"):
        services.attachment_add(case=case, actor=officer, upload=big)


def test_tick_creates_follow_ups_once_and_emails_without_child_details(
    authority: Any, officer: Any, mailoutbox: Any
) -> None:
    from io import StringIO

    from django.core.management import call_command

    child = make_child(authority, forename="Perpetua", surname="Quennell")
    case = open_case(
        authority,
        officer,
        child=child,
        owner=officer,
        stage=Stage.TRACKING,
        notified_on=timezone.localdate() - timedelta(days=30),
    )
    out = StringIO()
    call_command("tick", stdout=out)
    call_command("tick", stdout=out)
    assert "1 follow-up task(s) created; 1 reminder email(s) sent." in out.getvalue()
    assert "0 follow-up task(s) created; 0 reminder email(s) sent." in out.getvalue()
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [officer.email]
    text = email.subject + email.body
    for personal in ("Perpetua", "Quennell", case.reference, str(child.date_of_birth)):
        assert personal not in text
    assert "/my-work/" in email.body


def test_completing_a_follow_up_goes_through_the_version_check(
    authority: Any, officer: Any
) -> None:
    case = open_case(
        authority,
        officer,
        stage=Stage.TRACKING,
        notified_on=timezone.localdate() - timedelta(days=40),
    )
    opened_version = case.version
    (task,) = services.follow_ups_create()
    services.task_complete(task=task, actor=officer)
    with pytest.raises(services.StaleCase) as refused:
        services.case_update(
            case=case,
            actor=officer,
            version=opened_version,
            changes={"next_follow_up_on": timezone.localdate()},
        )
    assert "Next follow-up" in str(refused.value) or "next follow up" in str(refused.value).lower()
    with pytest.raises(services.CaseRefused, match="already done"):
        services.task_complete(task=task, actor=officer)


def test_a_closed_case_takes_no_new_assessment_or_tasks(authority: Any, officer: Any) -> None:
    case = open_case(authority, officer)
    services.case_transition(
        case=case, to=Stage.CLOSED, actor=officer, version=case.version, outcome=Outcome.NOT_CME
    )
    with pytest.raises(services.CaseRefused, match="Reopen the case"):
        services.assessment_record(
            case=case,
            actor=officer,
            version=case.version,
            answers={**NO, "risk_of_harm": Answer.YES},
        )
    with pytest.raises(services.CaseRefused, match="Reopen the case"):
        services.task_add(case=case, actor=officer, title="Call", due_on=timezone.localdate())
    assert not Task.objects.filter(case=case).exists()


def test_reopening_keeps_the_reason_as_a_note(authority: Any, officer: Any) -> None:
    from cme.cases.models import Note

    case = open_case(authority, officer)
    services.case_transition(
        case=case, to=Stage.CLOSED, actor=officer, version=case.version, outcome=Outcome.NOT_CME
    )
    services.case_transition(
        case=case,
        to=Stage.CHECKING,
        actor=officer,
        version=case.version,
        reason="Seen again at the old address",
    )
    assert Note.objects.get(case=case).text == "Reopened: Seen again at the old address"


def test_the_daily_follow_ups_are_audited(authority: Any, officer: Any) -> None:
    open_case(
        authority,
        officer,
        stage=Stage.TRACKING,
        notified_on=timezone.localdate() - timedelta(days=40),
    )
    (task,) = services.follow_ups_create()
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATED, target_type="cases.task", target_id=str(task.pk)
    ).exists()


def test_reopening_keeps_the_closed_days_as_a_past_closure(
    authority: Any, officer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cme.cases.models import PastClosure
    from cme.reports.selectors import Period, missing_cases

    case = open_case(authority, officer, notified_on=date(2025, 9, 1))
    monkeypatch.setattr(services, "_today", lambda: date(2025, 9, 15))
    services.case_transition(
        case=case, to=Stage.CLOSED, actor=officer, version=case.version, outcome=Outcome.NOT_CME
    )
    monkeypatch.setattr(services, "_today", lambda: date(2025, 10, 3))
    services.case_transition(
        case=case, to=Stage.CHECKING, actor=officer, version=case.version, reason="Seen again"
    )
    closure = PastClosure.objects.get(case=case)
    assert (closure.closed_on, closure.reopened_on) == (date(2025, 9, 15), date(2025, 10, 3))
    case.refresh_from_db()
    assert case.closed_on is None

    def counted(day: date) -> bool:
        return missing_cases(authority, Period(day, day)).filter(pk=case.pk).exists()

    assert [counted(day) for day in (date(2025, 9, 14), date(2025, 10, 2), date(2025, 10, 3))] == [
        True,
        False,
        True,
    ]


def test_past_closures_are_worked_out_from_timelines_already_kept(
    authority: Any, officer: Any
) -> None:
    import importlib

    from django.apps import apps

    from cme.cases.models import CaseEvent, EventKind, PastClosure

    migration = importlib.import_module("cme.cases.migrations.0007_past_closures")
    twice, closed, open_only = (open_case(authority, officer) for _ in range(3))

    def move(case: Any, kind: EventKind, day: date) -> None:
        moment = timezone.make_aware(datetime.combine(day, time(23, 30)))
        CaseEvent.objects.create(case=case, kind=kind, occurred_at=moment, summary=kind.label)

    move(twice, EventKind.CLOSED, date(2025, 1, 10))
    move(twice, EventKind.STAGE, date(2025, 2, 1))
    move(twice, EventKind.CLOSED, date(2025, 6, 30))  # British Summer Time: 23:30 is that day
    move(twice, EventKind.STAGE, date(2025, 7, 4))
    move(twice, EventKind.CLOSED, date(2025, 8, 1))  # still closed: the case row says so
    move(closed, EventKind.CLOSED, date(2025, 3, 1))
    move(open_only, EventKind.STAGE, date(2025, 3, 1))
    migration.fill_past_closures(apps, None)
    assert list(PastClosure.objects.values_list("case", "closed_on", "reopened_on")) == [
        (twice.pk, date(2025, 1, 10), date(2025, 2, 1)),
        (twice.pk, date(2025, 6, 30), date(2025, 7, 4)),
    ]
