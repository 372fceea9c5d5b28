"""Panel pages: who may use them, and the forms that drive the services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from cme.accounts.models import Role
from cme.cases.tests.factories import open_case
from cme.core.models import AuditAction, AuditEvent
from cme.panels.models import AgendaItem, Attendee, Decision, DecisionOutcome, PanelMeeting
from cme.panels.tests.factories import name_school, put_on_agenda, schedule

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
WEEK = timedelta(days=7)


@pytest.fixture
def officer(make_member: Any) -> Any:
    return make_member(Role.CME_OFFICER)


@pytest.fixture
def world(authority: Any, officer: Any) -> dict[str, Any]:
    meeting = schedule(authority, officer, held_on=TODAY - WEEK)
    case = open_case(authority, officer)
    item = put_on_agenda(meeting, case, officer)
    name_school(item, officer, admit_by=TODAY - timedelta(days=1))
    attendee = Attendee.objects.create(
        meeting=meeting, name="Sam Head", organisation="Hillside", role="Head", added_by=officer
    )
    return {"meeting": meeting, "case": case, "item": item, "attendee": attendee}


def _pages(w: dict[str, Any]) -> list[tuple[str, str]]:
    m, i = w["meeting"].pk, w["item"].pk
    return [
        ("get", reverse("panel_list")),
        ("get", reverse("panel_schedule")),
        ("get", reverse("panel_overdue")),
        ("get", reverse("panel_detail", args=[m])),
        ("get", reverse("panel_agenda_add", args=[m])),
        ("get", reverse("panel_attendee_add", args=[m])),
        ("get", reverse("panel_decision", args=[m, i])),
        ("get", reverse("panel_decision_met", args=[m, i])),
        ("get", reverse("panel_case_agenda", args=[w["case"].pk])),
        ("get", reverse("panel_change", args=[m])),
        ("post", reverse("panel_agenda_remove", args=[m, i])),
        ("post", reverse("panel_attendee_remove", args=[m, w["attendee"].pk])),
    ]


@pytest.mark.parametrize("role", [Role.CME_OFFICER, Role.CME_MANAGER])
def test_officers_and_managers_use_every_page(
    role: Role, world: dict[str, Any], make_member: Any, client_for: Any
) -> None:
    client = client_for(make_member(role))
    for method, path in _pages(world):
        response = client.post(path) if method == "post" else client.get(path)
        assert response.status_code == (302 if method == "post" else 200), path


@pytest.mark.parametrize(
    "role", [Role.SCHOOL_USER, Role.PARTNER, Role.CASEWORKER, Role.AUDITOR, Role.ADMINISTRATOR]
)
def test_everyone_else_is_refused(
    role: Role, world: dict[str, Any], make_member: Any, client_for: Any
) -> None:
    client = client_for(make_member(role))
    for method, path in _pages(world):
        response = client.post(path) if method == "post" else client.get(path)
        assert response.status_code == 403, path


def test_another_authority_finds_nothing_of_this_one(
    world: dict[str, Any], make_member: Any, client_for: Any, other_authority: Any
) -> None:
    client = client_for(make_member(Role.CME_MANAGER, of=other_authority))
    for method, path in _pages(world)[3:]:
        response = client.post(path) if method == "post" else client.get(path)
        assert response.status_code == 404, path
    # Their own lists do not show this authority's meetings or overdue decisions.
    assert world["meeting"].place not in client.get(reverse("panel_list")).content.decode()
    assert world["case"].reference not in client.get(reverse("panel_overdue")).content.decode()


def test_a_meeting_is_scheduled_through_the_form(
    officer: Any, client_for: Any, make_member: Any
) -> None:
    chair = make_member(Role.CME_MANAGER)
    day = TODAY + WEEK
    response = client_for(officer).post(
        reverse("panel_schedule"),
        {
            "held_on_0": day.day,
            "held_on_1": day.month,
            "held_on_2": day.year,
            "starts_at": "9.30",
            "format": "online",
            "place": "Video call",
            "chair": chair.pk,
        },
    )
    meeting = PanelMeeting.objects.get()
    assert response.status_code == 302
    assert (meeting.held_on, meeting.starts_at.hour, meeting.starts_at.minute) == (day, 9, 30)
    assert meeting.chair == chair
    listing = client_for(officer).get(reverse("panel_list")).content.decode()
    assert "Video call" in listing


def test_a_bad_start_time_is_explained(officer: Any, client_for: Any) -> None:
    response = client_for(officer).post(
        reverse("panel_schedule"), {"starts_at": "25:00", "format": "online"}
    )
    page = response.content.decode()
    assert "Enter the start time as hours and minutes" in page
    assert "Enter the date of the meeting" in page


def test_a_case_goes_on_the_agenda_by_reference_and_from_its_page(
    authority: Any, officer: Any, client_for: Any
) -> None:
    client = client_for(officer)
    meeting = schedule(authority, officer, held_on=TODAY + WEEK)
    first, second = open_case(authority, officer), open_case(authority, officer)
    response = client.post(
        reverse("panel_agenda_add", args=[meeting.pk]),
        {"reference": first.reference.lower(), "reason": "homeless", "details": "In a hostel"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("panel_agenda_add", args=[meeting.pk]),
        {"reference": "990-999999", "reason": "homeless", "details": "x"},
    )
    assert "There is no case with that reference" in response.content.decode()
    case_page = client.get(reverse("case_detail", args=[second.pk])).content.decode()
    assert reverse("panel_case_agenda", args=[second.pk]) in case_page
    response = client.post(
        reverse("panel_case_agenda", args=[second.pk]),
        {"meeting": meeting.pk, "reason": "needs", "details": "Waiting for an assessment"},
    )
    assert response.status_code == 302
    assert set(AgendaItem.objects.values_list("case_id", flat=True)) == {first.pk, second.pk}
    # The case's page now shows its panel history.
    case_page = client.get(reverse("case_detail", args=[second.pk])).content.decode()
    assert 'id="panels"' in case_page and "Meeting to come" in case_page


def test_a_case_of_another_authority_cannot_be_added_by_reference(
    authority: Any, officer: Any, client_for: Any, other_authority: Any, make_member: Any
) -> None:
    meeting = schedule(authority, officer, held_on=TODAY)
    foreign = open_case(other_authority, make_member(Role.CME_OFFICER, of=other_authority))
    response = client_for(officer).post(
        reverse("panel_agenda_add", args=[meeting.pk]),
        {"reference": foreign.reference, "reason": "homeless", "details": "x"},
    )
    assert "There is no case with that reference" in response.content.decode()
    assert not AgendaItem.objects.exists()


def test_a_decision_is_recorded_and_shown_on_the_case_page(
    authority: Any, officer: Any, client_for: Any, establishment: Any
) -> None:
    client = client_for(officer)
    meeting = schedule(authority, officer, held_on=TODAY)
    case = open_case(authority, officer)
    item = put_on_agenda(meeting, case, officer)
    day = TODAY + WEEK
    url = reverse("panel_decision", args=[meeting.pk, item.pk])
    response = client.post(url, {"outcome": "school_named"})
    page = response.content.decode()
    assert "Choose the school the panel named" in page and "Enter the date by which" in page
    response = client.post(
        url,
        {
            "outcome": "school_named",
            "establishment": establishment.pk,
            "admit_by_0": day.day,
            "admit_by_1": day.month,
            "admit_by_2": day.year,
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.outcome, decision.establishment, decision.admit_by) == (
        DecisionOutcome.SCHOOL_NAMED,
        establishment,
        day,
    )
    case_page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert establishment.name in case_page and "Due" in case_page


def test_a_restricted_childs_school_is_withheld_without_a_grant(
    authority: Any, officer: Any, client_for: Any, establishment: Any
) -> None:
    meeting = schedule(authority, officer, held_on=TODAY - WEEK)
    case = open_case(authority, officer)
    name_school(
        put_on_agenda(meeting, case, officer),
        officer,
        admit_by=TODAY - timedelta(days=1),
        establishment=establishment,
    )
    case.child.is_restricted, case.child.restriction_reason = True, "Refuge"
    case.child.save()
    client = client_for(officer)
    for path in (
        reverse("panel_detail", args=[meeting.pk]),
        reverse("panel_overdue"),
        reverse("case_detail", args=[case.pk]),
    ):
        page = client.get(path).content.decode()
        assert establishment.name not in page, path
    item = AgendaItem.objects.get()
    page = client.get(reverse("panel_decision", args=[meeting.pk, item.pk])).content.decode()
    assert "Give a reason to see the withheld details" in page


def test_a_restricted_childs_school_is_shown_to_a_grant_holder(
    authority: Any, officer: Any, client_for: Any, establishment: Any
) -> None:
    from cme.children.models import RestrictionGrant

    meeting = schedule(authority, officer, held_on=TODAY - WEEK)
    case = open_case(authority, officer)
    name_school(
        put_on_agenda(meeting, case, officer),
        officer,
        admit_by=TODAY - timedelta(days=1),
        establishment=establishment,
    )
    case.child.is_restricted, case.child.restriction_reason = True, "Refuge"
    case.child.save()
    RestrictionGrant.objects.create(
        child=case.child, user=officer, granted_by=officer, reason="Working the case"
    )
    client = client_for(officer)
    for path in (reverse("panel_detail", args=[meeting.pk]), reverse("panel_overdue")):
        page = client.get(path).content.decode()
        assert establishment.name in page, path
    item = AgendaItem.objects.get()
    page = client.get(reverse("panel_decision", args=[meeting.pk, item.pk])).content.decode()
    assert "Give a reason to see the withheld details" not in page


def test_the_overdue_page_lists_and_counts_overdue_decisions(
    world: dict[str, Any], officer: Any, client_for: Any
) -> None:
    client = client_for(officer)
    page = client.get(reverse("panel_overdue")).content.decode()
    assert world["case"].reference in page and "1 overdue decision" in page
    assert (
        "1 panel decision not met by its date" in client.get(reverse("panel_list")).content.decode()
    )
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEWED, target_type="panels.decision"
    ).exists()


def test_the_admission_is_recorded_through_the_form(
    world: dict[str, Any], officer: Any, client_for: Any
) -> None:
    client = client_for(officer)
    url = reverse("panel_decision_met", args=[world["meeting"].pk, world["item"].pk])
    response = client.post(
        url, {"met_on_0": TODAY.day, "met_on_1": TODAY.month, "met_on_2": TODAY.year}
    )
    assert response.status_code == 302
    assert Decision.objects.get().met_on == TODAY
    assert "No panel decisions are overdue" in client.get(reverse("panel_overdue")).content.decode()


def test_a_meeting_is_changed_through_the_form(
    world: dict[str, Any], officer: Any, client_for: Any
) -> None:
    meeting = world["meeting"]
    day = meeting.held_on
    response = client_for(officer).post(
        reverse("panel_change", args=[meeting.pk]),
        {
            "held_on_0": day.day,
            "held_on_1": day.month,
            "held_on_2": day.year,
            "starts_at": "10:15",
            "format": "hybrid",
            "place": "Room 9",
            "chair": officer.pk,
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.place, meeting.format, f"{meeting.starts_at:%H:%M}") == (
        "Room 9",
        "hybrid",
        "10:15",
    )


def test_attendees_are_added_and_removed(
    world: dict[str, Any], officer: Any, client_for: Any
) -> None:
    client = client_for(officer)
    meeting = world["meeting"]
    response = client.post(
        reverse("panel_attendee_add", args=[meeting.pk]),
        {"name": "Jo Brown", "organisation": "Exampleshire Admissions", "role": "Admissions"},
    )
    assert response.status_code == 302
    page = client.get(reverse("panel_detail", args=[meeting.pk])).content.decode()
    assert "Jo Brown" in page and "Exampleshire Admissions" in page
    client.post(reverse("panel_attendee_remove", args=[meeting.pk, world["attendee"].pk]))
    assert list(Attendee.objects.values_list("name", flat=True)) == ["Jo Brown"]


def test_the_meeting_page_is_audited_with_the_cases_on_it(
    world: dict[str, Any], officer: Any, client_for: Any
) -> None:
    client_for(officer).get(reverse("panel_detail", args=[world["meeting"].pk]))
    event = AuditEvent.objects.filter(
        action=AuditAction.VIEWED, target_type="panels.panelmeeting"
    ).get()
    assert event.payload["cases"] == [world["case"].pk]


def test_anonymous_visitors_sign_in_and_operators_are_refused(
    world: dict[str, Any], client: Any, client_for: Any
) -> None:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from cme.accounts.models import User

    operator = User.objects.create_user(
        "operator@cme.example", "a-long-test-password", full_name="Operator", is_staff=True
    )
    TOTP.activate(operator, generate_totp_secret())
    signed_in = client_for(operator)
    for method, path in _pages(world):
        for who, expected in ((client, 302), (signed_in, 403)):
            response = who.post(path) if method == "post" else who.get(path)
            assert response.status_code == expected, path
