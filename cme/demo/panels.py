"""Fictional fair access panel meetings for one demo authority.

Three meetings held over the last two months and one to come, each with a few attendees and a few
open cases on its agenda. The held meetings' decisions show every state a manager meets: a school
named and the child admitted in time, admitted late, a date still to come, a date passed with the
child not admitted (overdue: `cme tick` raises the alerts), and a decision deferred.

Like the rest of the demo this is fixture loading: plain ORM, no audit events. An authority that
already has panel meetings gets none; the same inputs give the same rows.
"""

from __future__ import annotations

import random
from datetime import date, time, timedelta

from django.utils import timezone

from cme.accounts.models import Authority, Role, User
from cme.cases.models import Case, CaseEvent, EventKind, Stage
from cme.panels.models import (
    AgendaItem,
    Attendee,
    Decision,
    DecisionOutcome,
    HardToPlaceReason,
    MeetingFormat,
    PanelMeeting,
)
from cme.registers.models import Establishment, Phase

PANEL_EVENT = EventKind.PANEL
# Days before today each meeting is held (negative: still to come), and how it is held.
MEETINGS = (
    (56, MeetingFormat.IN_PERSON),
    (28, MeetingFormat.HYBRID),
    (10, MeetingFormat.ONLINE),
    (-14, MeetingFormat.IN_PERSON),
)
ITEMS_PER_MEETING = 4
ATTENDEES = (
    ("Headteacher", "secondary"),
    ("Headteacher", "primary"),
    ("Admissions officer", "Admissions team"),
    ("Education welfare officer", "Education welfare service"),
    ("Inclusion manager", "Inclusion and access"),
)
FIRST_NAMES = ("Priya", "Tom", "Grace", "Marek", "Aisha", "Owen", "Ruth", "Dev", "Nia", "Colin")
LAST_NAMES = ("Hartley", "Osei", "Kowalski", "Brennan", "Mistry", "Fairclough", "Lund", "Yates")
# Why each child is hard to place, and what the panel is told.
REASONS = (
    (
        HardToPlaceReason.REFUSED,
        "Two schools with places in year approached; both say they are full.",
    ),
    (
        HardToPlaceReason.HOMELESS,
        "Out of school since moving into temporary accommodation; nearest schools are full.",
    ),
    (
        HardToPlaceReason.REINTEGRATION,
        "Returning from a pupil referral unit; the school that excluded cannot take the child back.",
    ),
    (
        HardToPlaceReason.NEEDS,
        "Needs support in class; no plan names a school and the preferred school has refused.",
    ),
    (HardToPlaceReason.OUT_LONG, "Out of school for two months after arriving from abroad."),
)
# What each held meeting decided for its agenda items, in order: (kind, admit-by days after the
# meeting, days after the meeting the child was admitted or None).
_PLANS: tuple[tuple[tuple[str, int, int | None], ...], ...] = (
    (("named", 10, 8), ("named", 10, 16), ("named", 14, None), ("deferred", 0, None)),
    (("named", 10, 6), ("named", 14, None), ("named", 10, None), ("other", 0, None)),
    (("named", 15, None), ("named", 20, None), ("deferred", 0, None), ("named", 5, 4)),
)


def build_panels(authority: Authority, *, today: date | None = None) -> int:
    """Add the demo panel meetings to `authority` unless it has some; return how many."""
    today = today or timezone.localdate()
    if PanelMeeting.objects.filter(authority=authority).exists():
        return 0
    chairs = list(
        User.objects.filter(
            memberships__authority=authority,
            memberships__is_active=True,
            memberships__role__in=[Role.CME_MANAGER, Role.CME_OFFICER],
        ).order_by("memberships__role", "pk")
    )
    cases = list(
        Case.objects.filter(
            authority=authority,
            stage__in=[Stage.ASSESSING_NEEDS, Stage.SECURING_PROVISION],
            moved_into_provision_on__isnull=True,
        )
        .select_related("child")
        .order_by("pk")[: ITEMS_PER_MEETING * len(MEETINGS)]
    )
    schools = list(
        Establishment.objects.filter(
            la_code=authority.la_code, is_open=True, phase__in=[Phase.PRIMARY, Phase.SECONDARY]
        ).order_by("pk")
    )
    if not chairs or len(cases) < ITEMS_PER_MEETING * len(MEETINGS) or not schools:
        return 0
    rng = random.Random(f"panels-{authority.la_code}")  # noqa: S311 - fictional data, not a secret
    made = 0
    case_iter = iter(cases)
    for index, (days_ago, format) in enumerate(MEETINGS):
        held_on = today - timedelta(days=days_ago)
        chair = chairs[0]
        meeting = PanelMeeting.objects.create(
            authority=authority,
            held_on=held_on,
            starts_at=time(10 if index % 2 else 14, 0),
            format=format,
            place="Committee room 2, County Hall"
            if format != MeetingFormat.ONLINE
            else "Video call: joining link in the calendar invitation",
            chair=chair,
            created_by=chair,
        )
        made += 1
        if days_ago > 0:
            _attendees(meeting, chair, schools, rng)
        plan = _PLANS[index] if index < len(_PLANS) else ()
        for slot in range(ITEMS_PER_MEETING):
            case = next(case_iter)
            reason, details = rng.choice(REASONS)
            item = AgendaItem.objects.create(
                meeting=meeting,
                case=case,
                reason=reason,
                details=details,
                added_by=chair,
            )
            _event(case, chair, f"Put on the agenda of the fair access panel on {_long(held_on)}")
            if slot < len(plan):
                _decide(item, chair, schools[(index + slot) % len(schools)], plan[slot], today)
    return made


def _attendees(
    meeting: PanelMeeting, chair: User, schools: list[Establishment], rng: random.Random
) -> None:
    for n, (role, where) in enumerate(ATTENDEES):
        organisation = where
        if where in ("primary", "secondary"):
            organisation = next(
                (s.name for s in schools if s.phase == where), schools[n % len(schools)].name
            )
        Attendee.objects.create(
            meeting=meeting,
            name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            organisation=organisation,
            role=role,
            added_by=chair,
        )


def _decide(
    item: AgendaItem,
    chair: User,
    school: Establishment,
    plan: tuple[str, int, int | None],
    today: date,
) -> None:
    kind, admit_days, admitted_days = plan
    held_on = item.meeting.held_on
    when = _long(held_on)
    if kind == "named":
        admit_by = held_on + timedelta(days=admit_days)
        met_on = held_on + timedelta(days=admitted_days) if admitted_days is not None else None
        if met_on is not None and met_on > today:
            met_on = None
        Decision.objects.create(
            item=item,
            outcome=DecisionOutcome.SCHOOL_NAMED,
            establishment=school,
            admit_by=admit_by,
            decided_by=chair,
            met_on=met_on,
            met_recorded_by=chair if met_on else None,
        )
        school_name = "a school" if item.case.child.is_restricted else school.name
        _event(
            item.case,
            chair,
            f"Fair access panel on {when} named {school_name}; admit by {_long(admit_by)}",
        )
        if met_on is not None:
            _event(
                item.case,
                chair,
                f"Fair access panel decision of {when} met: admitted on {_long(met_on)}",
            )
    elif kind == "deferred":
        Decision.objects.create(
            item=item,
            outcome=DecisionOutcome.DEFERRED,
            notes="Deferred for advice from the educational psychologist.",
            decided_by=chair,
        )
        _event(item.case, chair, f"Fair access panel on {when} deferred its decision")
    else:
        Decision.objects.create(
            item=item,
            outcome=DecisionOutcome.OTHER,
            notes="Alternative provision for six weeks, then a review at the next panel.",
            decided_by=chair,
        )
        _event(item.case, chair, f"Fair access panel on {when} decided: see the panel's notes")


def _event(case: Case, actor: User, summary: str) -> None:
    CaseEvent.objects.create(case=case, actor=actor, kind=PANEL_EVENT, summary=summary)


def _long(day: date) -> str:
    return f"{day:%-d %B %Y}"


__all__ = ["build_panels"]
