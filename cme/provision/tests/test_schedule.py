"""The attendance check schedule: weekly for the first month, then monthly, to the day."""

from __future__ import annotations

from datetime import date
from itertools import islice

from cme.provision.schedule import check_dates, dates_between, horizon, months_after


def test_weekly_for_the_first_month_then_monthly_on_the_start_day() -> None:
    assert list(islice(check_dates(date(2026, 1, 5)), 8)) == [
        date(2026, 1, 12),
        date(2026, 1, 19),
        date(2026, 1, 26),
        date(2026, 2, 2),
        date(2026, 2, 5),
        date(2026, 3, 5),
        date(2026, 4, 5),
        date(2026, 5, 5),
    ]


def test_a_month_without_the_start_day_uses_its_last_day() -> None:
    # February 2027 has 28 days: the fourth weekly check would fall on the one-month check.
    assert list(islice(check_dates(date(2027, 1, 31)), 6)) == [
        date(2027, 2, 7),
        date(2027, 2, 14),
        date(2027, 2, 21),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
    ]
    assert months_after(date(2027, 12, 15), 1) == date(2028, 1, 15)


def test_dates_between_and_the_horizon() -> None:
    start = date(2026, 1, 5)
    assert dates_between(start, date(2026, 1, 19), date(2026, 3, 5)) == [
        date(2026, 1, 26),
        date(2026, 2, 2),
        date(2026, 2, 5),
        date(2026, 3, 5),
    ]
    # On the start day: the first month; later: always the next check ahead of today.
    assert horizon(start, start) == date(2026, 2, 5)
    assert horizon(start, date(2026, 3, 5)) == date(2026, 4, 5)
