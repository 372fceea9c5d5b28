"""Every change to panels. Each service is atomic, records its own audit event and, where a case is
concerned, a line on the case's timeline. Audit payloads carry ids and codes, never free text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cme.cases import services as case_services
from cme.cases.models import Case, EventKind, Stage, Task
from cme.core import audit
from cme.core.models import AuditAction
from cme.panels.models import (
    AgendaItem,
    Attendee,
    Decision,
    DecisionOutcome,
    HardToPlaceReason,
    MeetingFormat,
    PanelMeeting,
)
from cme.registers.models import Establishment

PANEL_EVENT = EventKind.PANEL
ALERT_TITLE = "Fair access panel decision not met: the child was not admitted by the date set"


class PanelRefused(Exception):
    """A change the rules do not allow; the message says why, for the person who asked."""


def _today() -> date:
    return timezone.localdate()


def _log(
    case: Case,
    actor: Any,
    summary: str,
    action: AuditAction,
    *,
    target: Any,
    payload: dict[str, Any] | None = None,
) -> None:
    """A panel line on the case's timeline and its audit event."""
    case_services.case_event_record(
        case=case,
        actor=actor,
        kind=PANEL_EVENT,
        summary=summary,
        action=action,
        payload=payload,
        target=target,
    )


def _long(day: date) -> str:
    return f"{day:%-d %B %Y}"


@transaction.atomic
def meeting_schedule(
    *,
    actor: Any,
    authority: Any,
    held_on: date,
    starts_at: time,
    format: str,
    place: str,
    chair: Any,
) -> PanelMeeting:
    """Put a panel meeting in the diary. The chair is a CME officer or manager of the authority."""
    if format not in MeetingFormat.values:
        raise PanelRefused("Choose how the meeting is held")
    if not place.strip():
        raise PanelRefused("Enter the place or the joining details")
    membership = chair.membership if chair is not None else None
    if (
        membership is None
        or membership.authority_id != authority.pk
        or not chair.has_perm("panels.run_panels")
    ):
        raise PanelRefused("The chair must be a CME officer or manager of this authority")
    meeting = PanelMeeting.objects.create(
        authority=authority,
        held_on=held_on,
        starts_at=starts_at,
        format=format,
        place=place.strip(),
        chair=chair,
        created_by=actor,
    )
    audit.record(
        action=AuditAction.CREATED,
        actor=actor,
        target=meeting,
        authority=authority,
        payload={"held_on": held_on, "format": format, "chair": chair.pk},
    )
    return meeting


def _check_chair(authority: Any, chair: Any) -> None:
    membership = chair.membership if chair is not None else None
    if (
        membership is None
        or membership.authority_id != authority.pk
        or not chair.has_perm("panels.run_panels")
    ):
        raise PanelRefused("The chair must be a CME officer or manager of this authority")


@transaction.atomic
def meeting_change(
    *,
    actor: Any,
    meeting: PanelMeeting,
    held_on: date,
    starts_at: time,
    format: str,
    place: str,
    chair: Any,
) -> PanelMeeting:
    """Move a meeting or change where it is held or who chairs it. A meeting with decisions
    recorded keeps its date: the decisions' dates are counted from it."""
    if format not in MeetingFormat.values:
        raise PanelRefused("Choose how the meeting is held")
    if not place.strip():
        raise PanelRefused("Enter the place or the joining details")
    _check_chair(meeting.authority, chair)
    if held_on != meeting.held_on and Decision.objects.filter(item__meeting=meeting).exists():
        raise PanelRefused("Decisions have been recorded at this meeting: its date cannot change")
    changes = {
        "held_on": held_on,
        "starts_at": starts_at,
        "format": format,
        "place": place.strip(),
        "chair": chair,
    }
    changed = sorted(k for k, v in changes.items() if getattr(meeting, k) != v)
    if not changed:
        return meeting
    for name, value in changes.items():
        setattr(meeting, name, value)
    meeting.save()
    audit.record(
        action=AuditAction.UPDATED,
        actor=actor,
        target=meeting,
        authority_id=meeting.authority_id,
        payload={"fields": changed, "held_on": held_on, "chair": chair.pk},
    )
    return meeting


@transaction.atomic
def agenda_add(
    *, actor: Any, meeting: PanelMeeting, case: Case, reason: str, details: str
) -> AgendaItem:
    """Put a case on a meeting's agenda, saying why the child is hard to place."""
    if case.authority_id != meeting.authority_id:
        raise PanelRefused("That case belongs to another authority")
    if not case.is_open:
        raise PanelRefused("Reopen the case before putting it on a panel's agenda")
    if reason not in HardToPlaceReason.values:
        raise PanelRefused("Choose why the child is hard to place")
    if not details.strip():
        raise PanelRefused("Say why the child is hard to place")
    if AgendaItem.objects.filter(meeting=meeting, case=case).exists():
        raise PanelRefused(f"Case {case.reference} is already on this meeting's agenda")
    item = AgendaItem.objects.create(
        meeting=meeting, case=case, reason=reason, details=details.strip(), added_by=actor
    )
    _log(
        case,
        actor,
        f"Put on the agenda of the fair access panel on {_long(meeting.held_on)}",
        AuditAction.CREATED,
        target=item,
        payload={"meeting": meeting.pk, "reason": reason},
    )
    return item


@transaction.atomic
def agenda_remove(*, actor: Any, item: AgendaItem) -> None:
    """Take a case off an agenda, while the panel has not decided on it."""
    if Decision.objects.filter(item=item).exists():
        raise PanelRefused("The panel has decided on this case: it stays on the agenda")
    meeting = item.meeting
    _log(
        item.case,
        actor,
        f"Taken off the agenda of the fair access panel on {_long(meeting.held_on)}",
        AuditAction.DELETED,
        target=item,
        payload={"meeting": meeting.pk},
    )
    item.delete()


@transaction.atomic
def attendee_add(
    *, actor: Any, meeting: PanelMeeting, name: str, organisation: str, role: str
) -> Attendee:
    if not (name.strip() and organisation.strip() and role.strip()):
        raise PanelRefused("Enter the attendee's name, organisation and role")
    attendee = Attendee.objects.create(
        meeting=meeting,
        name=name.strip(),
        organisation=organisation.strip(),
        role=role.strip(),
        added_by=actor,
    )
    audit.record(
        action=AuditAction.CREATED,
        actor=actor,
        target=attendee,
        authority_id=meeting.authority_id,
        payload={"meeting": meeting.pk},
    )
    return attendee


@transaction.atomic
def attendee_remove(*, actor: Any, attendee: Attendee) -> None:
    meeting_id, authority_id, pk = attendee.meeting_id, attendee.meeting.authority_id, attendee.pk
    attendee.delete()
    audit.record(
        action=AuditAction.DELETED,
        actor=actor,
        target_type="panels.attendee",
        target_id=pk,
        authority_id=authority_id,
        payload={"meeting": meeting_id},
    )


@dataclass(frozen=True)
class DecisionInput:
    outcome: str
    establishment: Establishment | None = None
    school_other: str = ""
    admit_by: date | None = None
    notes: str = ""


def _check_decision(meeting: PanelMeeting, given: DecisionInput) -> None:
    if given.outcome not in DecisionOutcome.values:
        raise PanelRefused("Choose what the panel decided")
    if meeting.held_on > _today():
        raise PanelRefused("Record the panel's decision on or after the day of the meeting")
    if given.outcome == DecisionOutcome.SCHOOL_NAMED:
        if given.establishment is None and not given.school_other.strip():
            raise PanelRefused("Choose the school the panel named, or enter its name")
        if given.establishment is not None and given.school_other.strip():
            raise PanelRefused("Choose a school from the list or enter its name, not both")
        if given.establishment is not None:
            la_code = meeting.authority.la_code
            if given.establishment.la_code != la_code:
                raise PanelRefused("Choose a school of this authority, or enter its name")
        if given.admit_by is None:
            raise PanelRefused("Enter the date by which the school is to admit the child")
        if given.admit_by < meeting.held_on:
            raise PanelRefused("The date to admit by must be on or after the day of the meeting")
    elif not given.notes.strip():
        raise PanelRefused("Enter notes saying what the panel decided")


def _summary(meeting: PanelMeeting, decision: Decision, case: Case) -> str:
    when = _long(meeting.held_on)
    if decision.outcome == DecisionOutcome.SCHOOL_NAMED:
        assert decision.admit_by is not None
        # A restricted child's school is a location: it stays off the timeline (§3.9.3.2).
        school = "a school" if case.child.is_restricted else decision.school_name
        return f"Fair access panel on {when} named {school}; admit by {_long(decision.admit_by)}"
    if decision.outcome == DecisionOutcome.DEFERRED:
        return f"Fair access panel on {when} deferred its decision"
    return f"Fair access panel on {when} decided: see the panel's notes"


@transaction.atomic
def decision_record(*, actor: Any, item: AgendaItem, given: DecisionInput) -> Decision:
    """Record (or correct) the panel's decision for one case. A decision naming a school replaces
    any outstanding decision for the same case from an earlier meeting."""
    meeting = item.meeting
    _check_decision(meeting, given)
    named = given.outcome == DecisionOutcome.SCHOOL_NAMED
    fields: dict[str, Any] = {
        "outcome": given.outcome,
        "establishment": given.establishment if named else None,
        "school_other": given.school_other.strip() if named else "",
        "admit_by": given.admit_by if named else None,
        "notes": given.notes.strip(),
        "decided_by": actor,
        "recorded_at": timezone.now(),
    }
    existing = Decision.objects.select_for_update().filter(item=item).first()
    if existing is not None and existing.met_on is not None:
        raise PanelRefused("The child has been admitted under this decision: it cannot change")
    if existing is None:
        decision = Decision.objects.create(item=item, **fields)
    else:
        for name, value in fields.items():
            setattr(decision := existing, name, value)
        decision.save()
    case = item.case
    replaced = (
        Decision.objects.filter(
            item__case=case,
            item__meeting__held_on__lt=meeting.held_on,
            met_on__isnull=True,
            superseded_on__isnull=True,
        )
        .exclude(pk=decision.pk)
        .update(superseded_on=meeting.held_on)
    )
    summary = _summary(meeting, decision, case)
    _log(
        case,
        actor,
        summary if existing is None else f"Corrected: {summary}",
        AuditAction.CREATED if existing is None else AuditAction.UPDATED,
        target=decision,
        payload={
            "meeting": meeting.pk,
            "outcome": decision.outcome,
            "establishment": decision.establishment_id,
            "admit_by": decision.admit_by,
            "replaced": replaced,
        },
    )
    return decision


@transaction.atomic
def decision_met(
    *, actor: Any, decision: Decision, met_on: date, automatic: bool = False
) -> Decision:
    """Record that the child was admitted under the decision; closes its overdue alert."""
    meeting = decision.item.meeting
    if decision.outcome != DecisionOutcome.SCHOOL_NAMED:
        raise PanelRefused("Only a decision naming a school can be met")
    if met_on < meeting.held_on:
        raise PanelRefused("The date admitted must be on or after the day of the meeting")
    if met_on > _today():
        raise PanelRefused("The date admitted must be today or in the past")
    claimed = Decision.objects.filter(pk=decision.pk, met_on__isnull=True).update(
        met_on=met_on, met_recorded_by=actor
    )
    if not claimed:
        raise PanelRefused("This decision has already been recorded as met")
    decision.refresh_from_db()
    case = decision.item.case
    assert decision.admit_by is not None
    late = "" if met_on <= decision.admit_by else " (after the date set)"
    _log(
        case,
        actor,
        f"Fair access panel decision of {_long(meeting.held_on)} met: admitted on "
        f"{_long(met_on)}{late}",
        AuditAction.UPDATED,
        target=decision,
        payload={"met_on": met_on, "automatic": automatic},
    )
    task = decision.alert_task
    if task is not None and task.done_on is None:
        case_services.task_complete(task=task, actor=actor, done_on=min(met_on, _today()))
    return decision


@dataclass(frozen=True)
class TickResult:
    met: int
    alerted: list[Task]


def decisions_check(*, today: date | None = None) -> TickResult:
    """The daily clock for panel decisions, run by `cme tick`:

    1. a decision whose case shows the child moved into provision on or after the meeting is
       recorded as met, on that date;
    2. every other decision overdue today gets one task for the case's owner (or, for a case
       nobody owns, the meeting's chair), once: the decision is claimed before the task is made,
       so two runs at once, or a run repeated, never make a second.
    """
    from cme.panels.selectors import overdue_filter

    today = today or _today()
    met = 0
    admitted = Decision.objects.filter(
        outcome=DecisionOutcome.SCHOOL_NAMED,
        met_on__isnull=True,
        superseded_on__isnull=True,
        item__case__moved_into_provision_on__isnull=False,
        item__case__moved_into_provision_on__gte=F("item__meeting__held_on"),
        item__case__moved_into_provision_on__lte=today,
    ).select_related("item__case", "item__meeting")
    for decision in admitted.iterator(chunk_size=200):
        admitted_on = decision.item.case.moved_into_provision_on
        assert admitted_on is not None
        try:
            decision_met(actor=None, decision=decision, met_on=admitted_on, automatic=True)
        except PanelRefused:
            continue  # recorded by hand meanwhile
        met += 1
    alerted: list[Task] = []
    due = (
        Decision.objects.filter(overdue_filter(today), alerted_at__isnull=True)
        .select_related("item__case__owner", "item__meeting__chair")
        .order_by("admit_by", "pk")
    )
    for decision in due.iterator(chunk_size=200):
        task = _alert(decision, today)
        if task is not None:
            alerted.append(task)
    return TickResult(met=met, alerted=alerted)


@transaction.atomic
def _alert(decision: Decision, today: date) -> Task | None:
    claimed = Decision.objects.filter(pk=decision.pk, alerted_at__isnull=True).update(
        alerted_at=timezone.now()
    )
    if not claimed:
        return None
    case, meeting = decision.item.case, decision.item.meeting
    if case.stage == Stage.CLOSED:
        return None
    assignee = case.owner if case.owner is not None and case.owner.is_active else meeting.chair
    task = case_services.task_add(
        case=case, actor=None, title=ALERT_TITLE, due_on=today, assigned_to=assignee
    )
    Decision.objects.filter(pk=decision.pk).update(alert_task=task)
    assert decision.admit_by is not None
    _log(
        case,
        None,
        f"Fair access panel decision of {_long(meeting.held_on)} overdue: not admitted by "
        f"{_long(decision.admit_by)}",
        AuditAction.UPDATED,
        target=decision,
        payload={"alert_task": task.pk, "admit_by": decision.admit_by},
    )
    return task
