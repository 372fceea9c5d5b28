"""When a placed child's attendance is checked (§3.8): weekly for the first month after the start
date, then monthly on the start date's day of the month, for as long as the case is open.

Pure date arithmetic, so the schedule can be tested to the day. Checks fall on calendar days, not
school days: a weekly check is a week's attendance, read on the day it comes due or after.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, timedelta

WEEK = timedelta(days=7)


def months_after(start: date, months: int) -> date:
    """The same day `months` calendar months on; the month's last day when it has no such day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def check_dates(start: date) -> Iterator[date]:
    """Every check date after a start on `start`, in order, without end."""
    first_month = months_after(start, 1)
    due = start + WEEK
    while due < first_month:
        yield due
        due += WEEK
    months = 1
    while True:
        yield months_after(start, months)
        months += 1


def dates_between(start: date, after: date, through: date) -> list[date]:
    """The check dates d of a start on `start` with after < d <= through."""
    found: list[date] = []
    for due in check_dates(start):
        if due > through:
            return found
        if due > after:
            found.append(due)
    return found  # pragma: no cover - check_dates never ends


def next_date_after(start: date, day: date) -> date:
    """The first check date of a start on `start` that is later than `day`."""
    return next(due for due in check_dates(start) if due > day)


def horizon(start: date, today: date) -> date:
    """How far ahead checks are kept on record: the whole first month, and always the next one."""
    return max(months_after(start, 1), next_date_after(start, today))
