"""School days: terms, half terms, bank holidays, closures, and refusing to guess missing terms."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from cme.accounts.models import Authority
from cme.core.calendar import (
    CalendarMissing,
    SchoolCalendar,
    add_school_days,
    bank_holidays_england,
    is_school_day,
    school_days_between,
    term_dates_england_default,
)
from cme.core.models import SchoolClosure, Term

MaxQueries = Callable[[int], AbstractContextManager[object]]


def _add_terms(authority: Authority, *years: int) -> None:
    Term.objects.bulk_create(
        Term(authority=authority, name=term.name, starts=term.starts, ends=term.ends)
        for year in years
        for term in term_dates_england_default(year)
    )


@pytest.fixture
def terms(authority: Authority) -> Authority:
    """Exampleshire with typical terms for 2025/26 and 2026/27."""
    _add_terms(authority, 2025, 2026)
    return authority


def test_a_calendar_cannot_start_before_the_first_term(terms: Authority) -> None:
    with pytest.raises(CalendarMissing) as raised:
        SchoolCalendar.load(terms, date(2025, 8, 1), date(2025, 9, 30)).is_school_day(
            date(2025, 9, 1)
        )
    assert (raised.value.first, raised.value.last) == (date(2025, 9, 1), date(2025, 9, 2))


def test_the_default_pattern_is_six_half_terms_in_order() -> None:
    year = term_dates_england_default(2026)
    assert [(t.name, t.starts, t.ends) for t in year] == [
        ("Autumn 1 2026", date(2026, 9, 2), date(2026, 10, 23)),
        ("Autumn 2 2026", date(2026, 11, 2), date(2026, 12, 18)),
        ("Spring 1 2027", date(2027, 1, 4), date(2027, 2, 12)),
        ("Spring 2 2027", date(2027, 2, 22), date(2027, 3, 19)),
        ("Summer 1 2027", date(2027, 4, 5), date(2027, 5, 28)),
        ("Summer 2 2027", date(2027, 6, 7), date(2027, 7, 22)),
    ]


@pytest.mark.parametrize("year", range(2024, 2036))
def test_the_default_pattern_is_a_plausible_school_year(year: int) -> None:
    terms = term_dates_england_default(year)
    for term in terms:
        assert term.starts.weekday() <= 2 and term.ends.weekday() <= 4
        assert term.starts < term.ends
    for earlier, later in itertools.pairwise(terms):
        assert timedelta(days=7) < later.starts - earlier.ends < timedelta(weeks=3)
    weekdays = sum(
        1
        for term in terms
        for offset in range((term.ends - term.starts).days + 1)
        if (term.starts + timedelta(days=offset)).weekday() < 5
    )
    # 190 teaching days and 5 INSET days is the usual year; allow for where the dates fall.
    assert 185 <= weekdays <= 200


def test_bank_holidays_come_from_the_holidays_package() -> None:
    assert {date(2026, 4, 6), date(2026, 5, 4), date(2026, 12, 25), date(2026, 12, 28)} <= (
        bank_holidays_england(2026)
    )
    assert date(2026, 3, 17) not in bank_holidays_england(2026)  # St Patrick's Day: NI only


def test_weekdays_in_a_term_are_school_days_and_weekends_are_not(terms: Authority) -> None:
    assert is_school_day(terms, date(2026, 9, 18))  # Friday
    assert not is_school_day(terms, date(2026, 9, 19))  # Saturday
    assert not is_school_day(terms, date(2026, 9, 20))  # Sunday
    assert is_school_day(terms, date(2026, 9, 21))  # Monday


def test_half_term_is_not_school_days(terms: Authority) -> None:
    assert is_school_day(terms, date(2026, 10, 23))
    assert not any(is_school_day(terms, date(2026, 10, day)) for day in range(26, 31))
    assert is_school_day(terms, date(2026, 11, 2))


def test_the_early_may_bank_holiday_in_term_is_not_a_school_day(terms: Authority) -> None:
    assert not is_school_day(terms, date(2026, 5, 4))
    assert is_school_day(terms, date(2026, 5, 5))


def test_bank_holidays_inside_a_term_are_not_school_days(authority: Authority) -> None:
    # Some calendars put Easter in term; a made-up term over Christmas checks the others.
    Term.objects.create(
        authority=authority, name="Spring", starts=date(2026, 3, 30), ends=date(2026, 4, 10)
    )
    Term.objects.create(
        authority=authority, name="Winter", starts=date(2026, 12, 21), ends=date(2027, 1, 8)
    )
    assert not is_school_day(authority, date(2026, 4, 3))  # Good Friday
    assert not is_school_day(authority, date(2026, 4, 6))  # Easter Monday
    assert is_school_day(authority, date(2026, 4, 7))
    calendar = SchoolCalendar.load(authority, date(2026, 12, 20), date(2027, 1, 8))
    assert not calendar.is_school_day(date(2026, 12, 25))  # Christmas Day, a Friday
    assert not calendar.is_school_day(date(2026, 12, 28))  # Boxing Day, observed on the Monday
    assert not calendar.is_school_day(date(2027, 1, 1))  # New Year's Day
    assert calendar.school_days_between(date(2026, 12, 20), date(2027, 1, 8)) == 15 - 3


def test_a_closure_is_not_a_school_day_for_that_authority_only(
    terms: Authority, other_authority: Authority
) -> None:
    _add_terms(other_authority, 2026)
    SchoolClosure.objects.create(authority=terms, day=date(2026, 9, 2), reason="INSET day")
    assert not is_school_day(terms, date(2026, 9, 2))
    assert is_school_day(other_authority, date(2026, 9, 2))


def test_another_authoritys_terms_do_not_count(
    terms: Authority, other_authority: Authority
) -> None:
    with pytest.raises(CalendarMissing):
        is_school_day(other_authority, date(2026, 9, 21))


def test_add_school_days_skips_weekends_and_half_term(terms: Authority) -> None:
    # Thursday 15 October: Fri 16, Mon-Fri 19-23 are 6 days; half term; then 2-10 November.
    assert add_school_days(terms, date(2026, 10, 15), 6) == date(2026, 10, 23)
    assert add_school_days(terms, date(2026, 10, 15), 7) == date(2026, 11, 2)
    assert add_school_days(terms, date(2026, 10, 15), 15) == date(2026, 11, 12)


def test_add_school_days_does_not_count_the_start_even_in_a_holiday(terms: Authority) -> None:
    assert add_school_days(terms, date(2026, 10, 23), 1) == date(2026, 11, 2)
    assert add_school_days(terms, date(2026, 10, 28), 1) == date(2026, 11, 2)
    assert add_school_days(terms, date(2026, 10, 31), 5) == date(2026, 11, 6)
    assert add_school_days(terms, date(2026, 10, 28), 0) == date(2026, 10, 28)


def test_add_school_days_crosses_the_summer_holiday(terms: Authority) -> None:
    # Summer 2 2026 ends Wednesday 22 July; Autumn 1 starts Wednesday 2 September.
    assert add_school_days(terms, date(2026, 7, 20), 2) == date(2026, 7, 22)
    assert add_school_days(terms, date(2026, 7, 20), 3) == date(2026, 9, 2)
    assert add_school_days(terms, date(2026, 7, 20), 15) == date(2026, 9, 18)


def test_add_school_days_over_a_whole_year(terms: Authority) -> None:
    start = date(2025, 9, 2)
    end = add_school_days(terms, start, 150)
    assert school_days_between(terms, start, end) == 150


def test_add_school_days_refuses_a_negative_count(terms: Authority) -> None:
    with pytest.raises(ValueError, match="negative"):
        add_school_days(terms, date(2026, 9, 2), -1)


def test_school_days_between_counts_after_the_start_up_to_the_end(terms: Authority) -> None:
    assert school_days_between(terms, date(2026, 9, 21), date(2026, 9, 21)) == 0
    assert school_days_between(terms, date(2026, 9, 21), date(2026, 9, 22)) == 1
    assert school_days_between(terms, date(2026, 9, 18), date(2026, 9, 25)) == 5
    assert school_days_between(terms, date(2026, 9, 25), date(2026, 9, 18)) == -5
    assert school_days_between(terms, date(2026, 10, 24), date(2026, 11, 1)) == 0


def test_counting_is_the_inverse_of_adding(terms: Authority) -> None:
    calendar = SchoolCalendar.load(terms, date(2025, 9, 3), date(2027, 7, 22))
    start = date(2025, 9, 3)
    while start < date(2027, 5, 1):
        for n in (0, 1, 5, 15):
            assert calendar.school_days_between(start, calendar.add_school_days(start, n)) == n
        start += timedelta(days=11)


def test_no_terms_at_all_raises_calendar_missing_naming_the_dates(authority: Authority) -> None:
    with pytest.raises(CalendarMissing) as raised:
        add_school_days(authority, date(2026, 9, 18), 3)
    assert raised.value.first == date(2026, 9, 21)
    assert "Exampleshire Council" in str(raised.value)
    assert "Monday 21 September 2026" in str(raised.value)


def test_weekends_are_known_even_without_terms(authority: Authority) -> None:
    assert not is_school_day(authority, date(2026, 9, 19))


def test_counting_past_the_last_recorded_term_raises(terms: Authority) -> None:
    # The last recorded term ends Thursday 22 July 2027; nothing is known after it.
    assert add_school_days(terms, date(2027, 7, 19), 3) == date(2027, 7, 22)
    with pytest.raises(CalendarMissing) as raised:
        add_school_days(terms, date(2027, 7, 19), 4)
    assert raised.value.first == date(2027, 7, 23)
    with pytest.raises(CalendarMissing):
        school_days_between(terms, date(2027, 7, 1), date(2027, 8, 2))


def test_a_missing_year_of_terms_is_not_taken_for_a_long_holiday(authority: Authority) -> None:
    _add_terms(authority, 2024, 2026)  # 2025/26 not recorded
    with pytest.raises(CalendarMissing) as raised:
        is_school_day(authority, date(2025, 11, 3))
    assert raised.value.first <= date(2025, 11, 3) <= raised.value.last
    with pytest.raises(CalendarMissing):
        add_school_days(authority, date(2025, 7, 14), 15)


def test_a_calendar_answers_many_questions_without_more_queries(
    terms: Authority, django_assert_num_queries: MaxQueries
) -> None:
    with django_assert_num_queries(2):
        calendar = SchoolCalendar.load(terms, date(2025, 9, 3), date(2026, 8, 31))
    with django_assert_num_queries(0):
        school_days = sum(
            calendar.is_school_day(date(2025, 9, 3) + timedelta(days=offset))
            for offset in range(363)
        )
    assert school_days == len(calendar.school_days) > 150


def test_a_15_school_day_clock_takes_two_queries(
    terms: Authority, django_assert_max_num_queries: MaxQueries
) -> None:
    for start in (date(2026, 7, 17), date(2026, 10, 20), date(2026, 12, 14)):
        with django_assert_max_num_queries(2):
            add_school_days(terms, start, 15)
    with django_assert_max_num_queries(2):
        school_days_between(terms, date(2026, 7, 17), date(2026, 9, 30))


def test_many_closures_make_add_school_days_look_further(terms: Authority) -> None:
    SchoolClosure.objects.bulk_create(
        SchoolClosure(authority=terms, day=date(2026, 9, 2) + timedelta(days=offset))
        for offset in range(60)
    )
    assert add_school_days(terms, date(2026, 9, 1), 1) == date(2026, 11, 2)


def test_a_calendar_refuses_questions_outside_its_range(terms: Authority) -> None:
    calendar = SchoolCalendar.load(terms, date(2026, 9, 1), date(2026, 9, 30))
    with pytest.raises(ValueError, match="covers"):
        calendar.is_school_day(date(2026, 10, 1))
    with pytest.raises(ValueError, match="beyond"):
        calendar.add_school_days(date(2026, 9, 1), 40)


def test_a_term_cannot_end_before_it_starts(authority: Authority) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Term.objects.create(
            authority=authority, name="Backwards", starts=date(2026, 9, 2), ends=date(2026, 9, 1)
        )
