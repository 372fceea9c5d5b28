"""Builders for panel tests: a meeting, a case on its agenda and a decision."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from django.utils import timezone

from cme.cases.models import Case
from cme.panels import services
from cme.panels.models import (
    AgendaItem,
    Decision,
    DecisionOutcome,
    HardToPlaceReason,
    MeetingFormat,
    PanelMeeting,
)


def schedule(authority: Any, chair: Any, *, held_on: date | None = None) -> PanelMeeting:
    return services.meeting_schedule(
        actor=chair,
        authority=authority,
        held_on=held_on or timezone.localdate(),
        starts_at=time(14, 0),
        format=MeetingFormat.IN_PERSON,
        place="Committee room 2, County Hall",
        chair=chair,
    )


def put_on_agenda(meeting: PanelMeeting, case: Case, actor: Any) -> AgendaItem:
    return services.agenda_add(
        actor=actor,
        meeting=meeting,
        case=case,
        reason=HardToPlaceReason.REFUSED,
        details="Two schools approached say they are full.",
    )


def name_school(
    item: AgendaItem, actor: Any, *, admit_by: date, establishment: Any = None
) -> Decision:
    return services.decision_record(
        actor=actor,
        item=item,
        given=services.DecisionInput(
            outcome=DecisionOutcome.SCHOOL_NAMED,
            establishment=establishment,
            school_other="" if establishment else "Hillside Academy",
            admit_by=admit_by,
        ),
    )


def panels_world(authority: Any, officer: Any, case: Case) -> dict[str, Any]:
    """For the access matrix: a held meeting with the case on its agenda, a decision and an
    attendee. `officer` must be a CME officer or manager (the chair)."""
    today = timezone.localdate()
    meeting = schedule(authority, officer, held_on=today - timedelta(days=7))
    item = put_on_agenda(meeting, case, officer)
    name_school(item, officer, admit_by=today + timedelta(days=7))
    attendee = services.attendee_add(
        actor=officer, meeting=meeting, name="Sam Head", organisation="Hillside", role="Head"
    )
    return {
        "panel_meeting": meeting,
        "panel_item": item,
        "panel_attendee": attendee,
    }


__all__ = ["name_school", "panels_world", "put_on_agenda", "schedule"]
