"""Each figure of the DfE return against the hand-counted world in factories.py."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cme.accounts.models import Authority
from cme.cases.models import Outcome, Stage
from cme.reports import selectors
from cme.reports.selectors import Period, cme_at_census, cme_in_previous_year, missing_cases
from cme.reports.tests import factories as f
from cme.reports.tests.factories import CENSUS, census_world
from cme.returns.models import EHERegistration, EHESource

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(authority: Authority, other_authority: Authority) -> dict[str, Any]:
    return census_world(authority, other_authority)


def counted_on(authority: Authority, day: date) -> set[int]:
    return set(missing_cases(authority, Period(day, day)).values_list("pk", flat=True))


def test_the_census_counts_exactly_the_cases_missing_education_on_the_day(
    authority: Authority, world: dict[str, Any]
) -> None:
    expected = {"crossing", "notified_on_the_day", "reopened_before", "first_of_two"}
    expected |= {"second_of_two", "birth_date_unknown"}
    assert counted_on(authority, CENSUS) == {world[name].pk for name in expected}


def test_census_figures_match_the_hand_count(
    authority: Authority, world: dict[str, Any], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        figures = cme_at_census(authority, CENSUS)
    assert figures.counts["total"] == {"": 5}  # six cases, one child twice
    assert figures.counts["sex"] == {"female": 2, "male": 2, "not_known": 1}
    year_groups = {k: v for k, v in figures.counts["year_group"].items() if v}
    assert year_groups == {"year_3": 1, "year_7": 2, "year_10": 1, "not_known": 1}
    assert figures.counts["time_missing"] == {
        "under_4_weeks": 1,
        "4_to_12_weeks": 2,
        "12_to_26_weeks": 0,
        "over_26_weeks": 2,
    }
    reasons = {k: v for k, v in figures.counts["reason"].items() if v}
    # The child with two cases is counted under their first case's reason (health), not police.
    assert reasons == {"school": 1, "parent": 1, "another_la": 1, "health": 1, "police": 1}


def test_previous_year_figures_match_the_hand_count(
    authority: Authority, world: dict[str, Any], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        figures = cme_in_previous_year(authority, CENSUS)
    assert figures.total == 6
    assert figures.counts["sex"] == {"female": 3, "male": 2, "not_known": 1}
    year_groups = {k: v for k, v in figures.counts["year_group"].items() if v}
    assert year_groups == {
        "year_3": 1,
        "year_5": 1,
        "year_6": 1,
        "year_8": 1,
        "year_9": 1,
        "not_known": 1,
    }
    assert figures.counts["time_missing"] == {
        "under_4_weeks": 0,
        "4_to_12_weeks": 1,
        "12_to_26_weeks": 3,
        "over_26_weeks": 2,
    }
    reasons = {k: v for k, v in figures.counts["reason"].items() if v}
    assert reasons == {
        "another_la": 1,
        "deletion_return": 1,
        "ctf": 1,
        "housing": 1,
        "health": 1,
        "police": 1,
    }


def test_another_authority_counts_only_its_own_cases(
    other_authority: Authority, world: dict[str, Any]
) -> None:
    assert counted_on(other_authority, CENSUS) == {world["moved_in"].pk}
    assert cme_at_census(other_authority, CENSUS).total == 1
    assert cme_in_previous_year(other_authority, CENSUS).total == 0


def test_every_category_is_listed_even_when_nobody_is_in_it(authority: Authority) -> None:
    figures = cme_at_census(authority, CENSUS)
    assert figures.total == 0
    assert list(figures.counts) == ["total", "sex", "year_group", "time_missing", "reason"]
    assert list(figures.counts["year_group"]) == [
        "reception",
        *(f"year_{n}" for n in range(1, 12)),
        "not_known",
    ]
    assert all(count == 0 for counts in figures.counts.values() for count in counts.values())


@pytest.mark.parametrize(
    ("closed_on", "counted"),
    [(date(2025, 10, 1), False), (CENSUS, False), (date(2025, 10, 3), True)],
)
def test_a_case_counts_until_the_day_it_closes(
    authority: Authority, closed_on: date, counted: bool
) -> None:
    closing = f.case(
        authority,
        notified_on=date(2025, 9, 1),
        stage=Stage.CLOSED,
        closed_on=closed_on,
        outcome=Outcome.REGISTERED,
    )
    assert (closing.pk in counted_on(authority, CENSUS)) is counted


@pytest.mark.parametrize(
    ("moved_on", "counted"), [(date(2025, 10, 1), False), (CENSUS, False), (None, True)]
)
def test_a_child_in_provision_is_not_missing(
    authority: Authority, moved_on: date | None, counted: bool
) -> None:
    placed = f.case(
        authority,
        notified_on=date(2025, 9, 1),
        stage=Stage.IN_PROVISION if moved_on else Stage.SECURING_PROVISION,
        moved_into_provision_on=moved_on,
    )
    assert (placed.pk in counted_on(authority, CENSUS)) is counted


@pytest.mark.parametrize(
    ("notified_on", "band"),
    [
        (date(2025, 9, 5), "under_4_weeks"),  # 27 days
        (date(2025, 9, 4), "4_to_12_weeks"),  # 28 days: a boundary day goes to the longer band
        (date(2025, 7, 10), "12_to_26_weeks"),  # 84 days
        (date(2025, 4, 3), "over_26_weeks"),  # 182 days
    ],
)
def test_time_missing_bands_are_counted_from_the_date_notified(
    authority: Authority, notified_on: date, band: str
) -> None:
    f.case(authority, notified_on=notified_on)
    assert cme_at_census(authority, CENSUS).counts["time_missing"][band] == 1


def test_an_ended_home_education_no_longer_excludes_the_child(authority: Authority) -> None:
    child = f.child(authority)
    EHERegistration.objects.create(
        authority=authority,
        child=child,
        started_on=date(2025, 1, 1),
        ended_on=date(2025, 9, 1),
        status="ended",
        source=EHESource.PARENT,
    )
    missing = f.case(authority, child, notified_on=date(2025, 9, 2))
    assert counted_on(authority, CENSUS) == {missing.pk}


def test_children_are_of_compulsory_school_age_in_one_range_of_birth_dates() -> None:
    oldest, youngest = selectors.school_age_birth_dates(Period(CENSUS, CENSUS))
    # Year 11 in 2025/26 (born from 1 September 2009) to children who were 5 by the prescribed
    # day of 31 August 2025; those born later start on 31 December, after the census.
    assert oldest == date(2009, 9, 1)
    assert youngest == date(2020, 8, 31)


def test_the_previous_academic_year_runs_september_to_august() -> None:
    assert selectors.previous_academic_year(CENSUS) == Period(date(2024, 9, 1), date(2025, 8, 31))
    assert selectors.previous_academic_year(date(2026, 1, 15)) == Period(
        date(2024, 9, 1), date(2025, 8, 31)
    )


@pytest.mark.parametrize(
    ("closed", "reopened_on", "counted"),
    [
        (date(2025, 9, 15), date(2025, 10, 1), True),  # reopened before the census
        (date(2025, 9, 15), CENSUS, True),  # reopened on the census day
        (date(2025, 9, 15), date(2025, 10, 3), False),  # still closed on the census day
        (CENSUS, CENSUS, True),  # closed and reopened the same day: open at the end of it
    ],
)
def test_a_reopened_case_does_not_count_between_closure_and_reopening(
    authority: Authority, closed: date, reopened_on: date, counted: bool
) -> None:
    reopened = f.case(authority, notified_on=date(2025, 1, 10))  # closed_on cleared on reopening
    f.reopened(reopened, closed, reopened_on)
    assert (reopened.pk in counted_on(authority, CENSUS)) is counted
