"""Panels: scheduling, agendas, decisions on the case timeline, and the overdue clock."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from cme.accounts.models import Role
from cme.cases import services as case_services
from cme.cases.models import CaseEvent, Outcome, Stage, Task
from cme.cases.tests.factories import open_case
from cme.core.models import AuditEvent
from cme.panels import services
from cme.panels.models import Decision, DecisionOutcome, DecisionStatus
from cme.panels.selectors import panel_decisions_overdue
from cme.panels.tests.factories import name_school, put_on_agenda, schedule

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
WEEK = timedelta(days=7)


@pytest.fixture
def officer(make_member: Any) -> Any:
    return make_member(Role.CME_OFFICER)


@pytest.fixture
def owner(make_member: Any) -> Any:
    return make_member(Role.CASEWORKER)


def _case(authority: Any, officer: Any, owner: Any = None) -> Any:
    return open_case(authority, officer, owner=owner)


def _timeline(case: Any) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).values_list("summary", flat=True))


def test_a_meeting_is_scheduled_with_a_chair_of_the_authority(authority: Any, officer: Any) -> None:
    meeting = schedule(authority, officer, held_on=TODAY + WEEK)
    assert meeting.authority == authority and meeting.chair == officer
    assert AuditEvent.objects.filter(
        target_type="panels.panelmeeting", target_id=str(meeting.pk)
    ).exists()


def test_it_refuses_a_chair_who_cannot_run_panels(
    authority: Any, officer: Any, make_member: Any, other_authority: Any
) -> None:
    for chair in (make_member(Role.CASEWORKER), make_member(Role.CME_MANAGER, of=other_authority)):
        with pytest.raises(services.PanelRefused, match="chair"):
            schedule(authority, chair)


def test_a_case_goes_on_the_agenda_once_with_its_reason_on_the_timeline(
    authority: Any, officer: Any
) -> None:
    meeting = schedule(authority, officer, held_on=date(2026, 3, 12))
    case = _case(authority, officer)
    item = put_on_agenda(meeting, case, officer)
    assert item.case == case
    assert "Put on the agenda of the fair access panel on 12 March 2026" in _timeline(case)
    with pytest.raises(services.PanelRefused, match="already on this meeting"):
        put_on_agenda(meeting, case, officer)


def test_a_case_of_another_authority_or_a_closed_case_cannot_go_on_the_agenda(
    authority: Any, other_authority: Any, officer: Any, make_member: Any
) -> None:
    meeting = schedule(authority, officer)
    foreign = _case(other_authority, make_member(Role.CME_OFFICER, of=other_authority))
    with pytest.raises(services.PanelRefused, match="another authority"):
        put_on_agenda(meeting, foreign, officer)
    closed = _case(authority, officer)
    case_services.case_transition(
        case=closed,
        to=Stage.CLOSED,
        actor=officer,
        version=closed.version,
        outcome=Outcome.FOUND_ON_ROLL,
    )
    with pytest.raises(services.PanelRefused, match="Reopen"):
        put_on_agenda(meeting, closed, officer)


def test_the_decision_goes_on_the_case_timeline(
    authority: Any, officer: Any, establishment: Any
) -> None:
    meeting = schedule(authority, officer, held_on=TODAY - WEEK)
    case = _case(authority, officer)
    item = put_on_agenda(meeting, case, officer)
    admit_by = TODAY + WEEK
    decision = name_school(item, officer, admit_by=admit_by, establishment=establishment)
    assert decision.school_name == establishment.name
    expected = (
        f"Fair access panel on {meeting.held_on:%-d %B %Y} named {establishment.name}; "
        f"admit by {admit_by:%-d %B %Y}"
    )
    assert expected in _timeline(case)


def test_a_restricted_childs_school_stays_off_the_timeline(
    authority: Any, officer: Any, establishment: Any
) -> None:
    meeting = schedule(authority, officer, held_on=TODAY)
    case = _case(authority, officer)
    case.child.is_restricted, case.child.restriction_reason = True, "Refuge"
    case.child.save()
    name_school(
        put_on_agenda(meeting, case, officer),
        officer,
        admit_by=TODAY + WEEK,
        establishment=establishment,
    )
    assert not any(establishment.name in line for line in _timeline(case))
    assert any("named a school" in line for line in _timeline(case))


def test_a_decision_is_refused_before_the_meeting_or_without_what_it_needs(
    authority: Any, officer: Any, other_authority: Any
) -> None:
    from cme.registers.models import Establishment, EstablishmentKind, Phase

    later = put_on_agenda(
        schedule(authority, officer, held_on=TODAY + WEEK), _case(authority, officer), officer
    )
    with pytest.raises(services.PanelRefused, match="on or after the day of the meeting"):
        name_school(later, officer, admit_by=TODAY + WEEK * 2)
    item = put_on_agenda(
        schedule(authority, officer, held_on=TODAY), _case(authority, officer), officer
    )
    with pytest.raises(services.PanelRefused, match="on or after the day"):
        name_school(item, officer, admit_by=TODAY - timedelta(days=1))
    elsewhere = Establishment.objects.create(
        la_code=other_authority.la_code,
        number="4001",
        name="Far School",
        kind=EstablishmentKind.ACADEMY,
        phase=Phase.SECONDARY,
    )
    with pytest.raises(services.PanelRefused, match="school of this authority"):
        name_school(item, officer, admit_by=TODAY, establishment=elsewhere)
    with pytest.raises(services.PanelRefused, match="notes"):
        services.decision_record(
            actor=officer,
            item=item,
            given=services.DecisionInput(outcome=DecisionOutcome.DEFERRED),
        )


def _overdue_decision(authority: Any, officer: Any, owner: Any = None) -> Decision:
    """A decision made three weeks ago: admit by a week ago."""
    meeting = schedule(authority, officer, held_on=TODAY - 3 * WEEK)
    item = put_on_agenda(meeting, _case(authority, officer, owner), officer)
    return name_school(item, officer, admit_by=TODAY - WEEK)


def test_an_overdue_decision_alerts_the_case_owner_exactly_once(
    authority: Any, officer: Any, owner: Any
) -> None:
    decision = _overdue_decision(authority, officer, owner)
    case = decision.item.case
    assert list(panel_decisions_overdue(authority, TODAY)) == [decision]
    first = services.decisions_check(today=TODAY)
    assert [t.case_id for t in first.alerted] == [case.pk]
    task = first.alerted[0]
    assert task.assigned_to == owner and task.title == services.ALERT_TITLE
    # Run again, and again the next day: still one alert.
    assert services.decisions_check(today=TODAY).alerted == []
    assert services.decisions_check(today=TODAY + timedelta(days=1)).alerted == []
    assert Task.objects.filter(case=case, title=services.ALERT_TITLE).count() == 1
    decision.refresh_from_db()
    assert decision.alert_task == task and decision.alerted_at is not None
    assert any("overdue: not admitted by" in line for line in _timeline(case))


def test_a_case_nobody_owns_alerts_the_chair(authority: Any, officer: Any) -> None:
    decision = _overdue_decision(authority, officer)
    (task,) = services.decisions_check(today=TODAY).alerted
    assert task.assigned_to == decision.item.meeting.chair


def test_a_decision_not_yet_due_or_deferred_raises_nothing(authority: Any, officer: Any) -> None:
    meeting = schedule(authority, officer, held_on=TODAY - WEEK)
    name_school(put_on_agenda(meeting, _case(authority, officer), officer), officer, admit_by=TODAY)
    services.decision_record(
        actor=officer,
        item=put_on_agenda(meeting, _case(authority, officer), officer),
        given=services.DecisionInput(outcome=DecisionOutcome.DEFERRED, notes="Needs EHC advice"),
    )
    assert panel_decisions_overdue(authority, TODAY).count() == 0
    assert services.decisions_check(today=TODAY).alerted == []


def test_a_met_decision_raises_no_alert(authority: Any, officer: Any, owner: Any) -> None:
    decision = _overdue_decision(authority, officer, owner)
    services.decision_met(actor=officer, decision=decision, met_on=TODAY - 2 * WEEK)
    assert panel_decisions_overdue(authority, TODAY).count() == 0
    assert services.decisions_check(today=TODAY).alerted == []
    decision.refresh_from_db()
    assert (
        decision.status_on(
            TODAY, held_on=decision.item.meeting.held_on, admitted_on=None, closed_on=None
        )
        == DecisionStatus.MET
    )
    assert any("met: admitted on" in line for line in _timeline(decision.item.case))


def test_a_child_moved_into_provision_in_time_is_recorded_as_met_by_the_clock(
    authority: Any, officer: Any, owner: Any
) -> None:
    decision = _overdue_decision(authority, officer, owner)
    case = decision.item.case
    admitted = TODAY - 2 * WEEK
    case_services.case_update(
        case=case,
        actor=officer,
        version=case.version,
        changes={"moved_into_provision_on": admitted},
    )
    # Not overdue even before the clock runs: the case shows the admission.
    assert panel_decisions_overdue(authority, TODAY).count() == 0
    result = services.decisions_check(today=TODAY)
    assert (result.met, result.alerted) == (1, [])
    decision.refresh_from_db()
    assert decision.met_on == admitted


def test_an_admission_after_the_date_is_overdue_until_then_and_met_late_after(
    authority: Any, officer: Any, owner: Any
) -> None:
    decision = _overdue_decision(authority, officer, owner)
    case = decision.item.case
    services.decisions_check(today=TODAY)  # alerted while the child waits
    case_services.case_update(
        case=case,
        actor=officer,
        version=case.version,
        changes={"moved_into_provision_on": TODAY},
    )
    # On the day before the child started it was overdue; on the day it started it is not.
    assert panel_decisions_overdue(authority, TODAY - timedelta(days=1)).count() == 1
    assert panel_decisions_overdue(authority, TODAY).count() == 0
    services.decisions_check(today=TODAY)
    decision.refresh_from_db()
    assert decision.met_on == TODAY
    assert (
        decision.status_on(
            TODAY, held_on=decision.item.meeting.held_on, admitted_on=TODAY, closed_on=None
        )
        == DecisionStatus.MET_LATE
    )
    # The alert task is marked done with the admission.
    assert decision.alert_task is not None and decision.alert_task.done_on == TODAY


def test_provision_from_before_the_meeting_does_not_meet_the_decision(
    authority: Any, officer: Any
) -> None:
    decision = _overdue_decision(authority, officer)
    case = decision.item.case
    case_services.case_update(
        case=case,
        actor=officer,
        version=case.version,
        changes={"moved_into_provision_on": TODAY - 5 * WEEK},
    )
    assert list(panel_decisions_overdue(authority, TODAY)) == [decision]


def test_a_later_panels_decision_replaces_the_earlier_one(authority: Any, officer: Any) -> None:
    first = _overdue_decision(authority, officer)
    case = first.item.case
    later = schedule(authority, officer, held_on=TODAY)
    name_school(put_on_agenda(later, case, officer), officer, admit_by=TODAY + WEEK)
    first.refresh_from_db()
    assert first.superseded_on == TODAY
    assert panel_decisions_overdue(authority, TODAY).count() == 0
    # Looking back, it was overdue the day before.
    assert panel_decisions_overdue(authority, TODAY - timedelta(days=1)).count() == 1


def test_a_closed_case_is_not_overdue(authority: Any, officer: Any) -> None:
    decision = _overdue_decision(authority, officer)
    case = decision.item.case
    case_services.case_transition(
        case=case,
        to=Stage.CLOSED,
        actor=officer,
        version=case.version,
        outcome=Outcome.MOVED_ABROAD,
    )
    assert panel_decisions_overdue(authority, TODAY).count() == 0
    assert services.decisions_check(today=TODAY).alerted == []


def test_overdue_decisions_are_counted_per_authority(
    authority: Any, other_authority: Any, officer: Any, make_member: Any
) -> None:
    _overdue_decision(authority, officer)
    _overdue_decision(authority, officer)
    _overdue_decision(other_authority, make_member(Role.CME_MANAGER, of=other_authority))
    assert panel_decisions_overdue(authority, TODAY).count() == 2
    assert panel_decisions_overdue(other_authority, TODAY).count() == 1


def test_a_met_decision_cannot_be_met_twice_or_changed(authority: Any, officer: Any) -> None:
    decision = _overdue_decision(authority, officer)
    services.decision_met(actor=officer, decision=decision, met_on=TODAY)
    with pytest.raises(services.PanelRefused, match="already"):
        services.decision_met(actor=officer, decision=decision, met_on=TODAY)
    with pytest.raises(services.PanelRefused, match="cannot change"):
        name_school(decision.item, officer, admit_by=TODAY)


def test_cme_tick_raises_the_alert_once(authority: Any, officer: Any, owner: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    decision = _overdue_decision(authority, officer, owner)
    for _ in range(2):
        out = StringIO()
        call_command("tick", stdout=out)
    assert "0 overdue panel decision alert(s) raised" in out.getvalue()
    assert Task.objects.filter(case=decision.item.case, title=services.ALERT_TITLE).count() == 1


def test_a_meeting_is_moved_until_decisions_are_recorded(authority: Any, officer: Any) -> None:
    meeting = schedule(authority, officer, held_on=TODAY)
    args = {"starts_at": meeting.starts_at, "format": meeting.format, "chair": officer}
    services.meeting_change(
        actor=officer, meeting=meeting, held_on=TODAY - WEEK, place="Room 4", **args
    )
    meeting.refresh_from_db()
    assert (meeting.held_on, meeting.place) == (TODAY - WEEK, "Room 4")
    name_school(put_on_agenda(meeting, _case(authority, officer), officer), officer, admit_by=TODAY)
    with pytest.raises(services.PanelRefused, match="date cannot change"):
        services.meeting_change(
            actor=officer, meeting=meeting, held_on=TODAY, place="Room 4", **args
        )


def test_a_case_comes_off_the_agenda_only_before_a_decision(authority: Any, officer: Any) -> None:
    meeting = schedule(authority, officer, held_on=TODAY)
    case = _case(authority, officer)
    services.agenda_remove(actor=officer, item=put_on_agenda(meeting, case, officer))
    assert any("Taken off the agenda" in line for line in _timeline(case))
    item = put_on_agenda(meeting, case, officer)
    name_school(item, officer, admit_by=TODAY)
    with pytest.raises(services.PanelRefused, match="stays on the agenda"):
        services.agenda_remove(actor=officer, item=item)
