"""A hand-counted world for the DfE return: every boundary of the definition, with known answers.

Census date 2 October 2025 (the first Thursday of October); the previous academic year is
1 September 2024 to 31 August 2025. The expected figures are worked out in the tests that use it.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from cme.accounts.models import Authority
from cme.cases.models import Case, CaseEvent, EventKind, Outcome, PastClosure, Source, Stage
from cme.children.models import Child
from cme.returns.models import EHERegistration, EHESource

CENSUS = date(2025, 10, 2)
_numbers = itertools.count(1)


def child(authority: Authority, **fields: Any) -> Child:
    defaults: dict[str, Any] = {
        "forename": "Test",
        "surname": f"Child{next(_numbers)}",
        "date_of_birth": date(2014, 5, 17),
        "sex": "F",
    }
    return Child.objects.create(authority=authority, **{**defaults, **fields})


def case(authority: Authority, for_child: Child | None = None, **fields: Any) -> Case:
    defaults: dict[str, Any] = {"source": Source.SCHOOL, "stage": Stage.CHECKING}
    return Case.objects.create(
        authority=authority,
        child=for_child or child(authority),
        reference=f"T{authority.la_code}-{next(_numbers):05d}",
        **{**defaults, **fields},
    )


def event(on_case: Case, kind: EventKind, on: date) -> CaseEvent:
    moment = timezone.make_aware(datetime(on.year, on.month, on.day, 12, 0))
    return CaseEvent.objects.create(case=on_case, kind=kind, occurred_at=moment, summary=kind.label)


def reopened(on_case: Case, closed: date, reopened_on: date) -> None:
    """What closing and reopening leave behind: the timeline lines and the past closure."""
    event(on_case, EventKind.STAGE, on_case.notified_on)
    event(on_case, EventKind.CLOSED, closed)
    event(on_case, EventKind.STAGE, reopened_on)
    PastClosure.objects.create(case=on_case, closed_on=closed, reopened_on=reopened_on)


def census_world(authority: Authority, other: Authority) -> dict[str, Case]:
    """Every case the tests reason about, keyed by what it shows."""
    cases: dict[str, Case] = {}
    crossing = child(authority, sex="F", date_of_birth=date(2014, 5, 17), is_restricted=True)
    crossing.restriction_reason = "Refuge"
    crossing.save()
    cases["crossing"] = case(authority, crossing, notified_on=date(2025, 9, 1))
    cases["closed_day_before"] = case(
        authority,
        notified_on=date(2025, 9, 10),
        stage=Stage.CLOSED,
        closed_on=date(2025, 10, 1),
        outcome=Outcome.REGISTERED,
    )
    cases["notified_on_the_day"] = case(
        authority,
        child(authority, sex="M", date_of_birth=date(2017, 10, 1)),
        notified_on=CENSUS,
        source=Source.PARENT,
    )
    cases["reopened_before"] = case(
        authority,
        child(authority, sex="M", date_of_birth=date(2010, 12, 1)),
        notified_on=date(2025, 3, 1),
        source=Source.ANOTHER_LA,
    )
    reopened(cases["reopened_before"], date(2025, 6, 1), date(2025, 9, 20))
    cases["reopened_after"] = case(
        authority,
        child(authority, sex="F", date_of_birth=date(2012, 2, 1)),
        notified_on=date(2025, 1, 10),
        source=Source.DELETION_RETURN,
    )
    reopened(cases["reopened_after"], date(2025, 9, 15), date(2025, 10, 10))
    # The same child, known to each authority in turn (each authority holds its own record).
    cases["moved_away"] = case(
        authority,
        child(authority, sex="M", date_of_birth=date(2015, 6, 1)),
        notified_on=date(2025, 5, 1),
        source=Source.CTF,
        stage=Stage.CLOSED,
        closed_on=date(2025, 9, 15),
        outcome=Outcome.MOVED_LA,
    )
    cases["moved_in"] = case(
        other,
        child(other, sex="M", date_of_birth=date(2015, 6, 1)),
        notified_on=date(2025, 9, 16),
        source=Source.ANOTHER_LA,
    )
    home_educated = child(authority, sex="M", date_of_birth=date(2013, 1, 1))
    EHERegistration.objects.create(
        authority=authority,
        child=home_educated,
        started_on=date(2025, 8, 1),
        source=EHESource.PARENT,
    )
    cases["home_educated"] = case(authority, home_educated, notified_on=date(2025, 9, 1))
    cases["on_roll"] = case(
        authority,
        notified_on=date(2025, 9, 5),
        stage=Stage.CLOSED,
        closed_on=date(2025, 10, 20),
        outcome=Outcome.FOUND_ON_ROLL,
    )
    cases["in_provision"] = case(
        authority,
        child(authority, sex="F", date_of_birth=date(2016, 9, 10)),
        notified_on=date(2025, 6, 1),
        source=Source.HOUSING,
        stage=Stage.IN_PROVISION,
        moved_into_provision_on=date(2025, 9, 30),
    )
    twice = child(authority, sex="F", date_of_birth=date(2014, 1, 15))
    cases["first_of_two"] = case(
        authority, twice, notified_on=date(2025, 8, 1), source=Source.HEALTH
    )
    cases["second_of_two"] = case(
        authority, twice, notified_on=date(2025, 9, 25), source=Source.POLICE
    )
    cases["past_school_age"] = case(
        authority,
        child(authority, date_of_birth=date(2008, 3, 1)),
        notified_on=date(2025, 9, 1),
    )
    cases["birth_date_unknown"] = case(
        authority,
        child(authority, sex="U", date_of_birth=None),
        notified_on=date(2025, 4, 1),
        source=Source.POLICE,
    )
    cases["closed_before_last_year"] = case(
        authority,
        notified_on=date(2024, 6, 1),
        stage=Stage.CLOSED,
        closed_on=date(2024, 9, 1),
        outcome=Outcome.REGISTERED,
    )
    return cases
