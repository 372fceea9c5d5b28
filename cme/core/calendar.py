"""School days: an authority's term calendar, its closures and England's bank holidays.

Statutory clocks count school days (a CTF within 15 school days, App.2), so a clock is only as
right as the term dates behind it. A school day is a Monday to Friday inside one of the
authority's terms that is neither a bank holiday in England nor a recorded school closure.

Term dates are data, and missing data must never look like a holiday: a weekday that is not in a
term counts as a holiday only when it falls in a gap of at most `LONGEST_HOLIDAY` between two
recorded terms. Anything else (before the first term, after the last, or a gap long enough to
be a missing year) raises `CalendarMissing`, naming the dates, so someone adds the terms.

Build a `SchoolCalendar` once for an authority and a range of days (two queries) and ask it as
many questions as needed; `is_school_day`, `add_school_days` and `school_days_between` wrap it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

import holidays

from cme.accounts.models import Authority
from cme.core.models import SchoolClosure, Term

__all__ = [
    "LONGEST_HOLIDAY",
    "CalendarMissing",
    "SchoolCalendar",
    "TermDates",
    "add_school_days",
    "bank_holidays_england",
    "is_school_day",
    "school_days_between",
    "term_dates_england_default",
]

# A gap between terms longer than this is taken as missing term dates, not a holiday. English
# summer holidays run about six weeks; nine leaves room for a late start without hiding a year.
LONGEST_HOLIDAY = timedelta(weeks=9)
_DAY = timedelta(days=1)
_MONDAY, _WEDNESDAY, _FRIDAY = 0, 2, 4
# How far past a start date to load at first when looking for the nth school day: a week per five
# school days, room for bank holidays and closures, and one long holiday.
_SLACK = timedelta(days=21) + LONGEST_HOLIDAY


def _long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


class CalendarMissing(Exception):
    """An authority has no term dates recorded for some weekdays a school-day count needs."""

    def __init__(self, authority: Authority, first: date, last: date) -> None:
        self.authority = authority
        self.first = first
        self.last = last
        dates = _long_date(first) if first == last else f"{_long_date(first)} to {_long_date(last)}"
        super().__init__(
            f"No term dates are recorded for {authority.name} covering {dates}, so school days "
            "cannot be counted. Add the term dates for that time first."
        )


@lru_cache(maxsize=64)
def bank_holidays_england(year: int) -> frozenset[date]:
    """England's bank holidays (and substitute days) in `year`, from the `holidays` package."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def _bank_holidays(first: date, last: date) -> frozenset[date]:
    days: set[date] = set()
    for year in range(first.year, last.year + 1):
        days |= bank_holidays_england(year)
    return frozenset(days)


def _days(first: date, last: date) -> Iterator[date]:
    """Every day from `first` to `last`, both included."""
    day = first
    while day <= last:
        yield day
        day += _DAY


@dataclass(frozen=True)
class SchoolCalendar:
    """Which days from `first` to `last` are school days for one authority.

    Everything is worked out when the calendar is built, so questions cost no queries. Asking
    about a day outside `first`..`last` is a programming error (ValueError); asking about a
    weekday with no recorded term raises CalendarMissing.
    """

    authority: Authority
    first: date
    last: date
    school_days: tuple[date, ...]
    unknown_days: tuple[date, ...]
    _school_day_set: frozenset[date] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_school_day_set", frozenset(self.school_days))

    @classmethod
    def load(cls, authority: Authority, first: date, last: date) -> SchoolCalendar:
        """Build the calendar from `first` to `last` in two queries (terms and closures).

        Terms are loaded up to `LONGEST_HOLIDAY` either side, so a holiday at either end of the
        range can be told apart from missing term dates.
        """
        if last < first:
            raise ValueError(f"The range ends ({last}) before it starts ({first})")
        terms = list(
            Term.objects.filter(
                authority=authority,
                ends__gte=first - LONGEST_HOLIDAY,
                starts__lte=last + LONGEST_HOLIDAY,
            )
            .order_by("starts")
            .values_list("starts", "ends")
        )
        closures = set(
            SchoolClosure.objects.filter(
                authority=authority, day__gte=first, day__lte=last
            ).values_list("day", flat=True)
        )
        bank_holidays = _bank_holidays(first, last)
        school_days: list[date] = []
        unknown_days: list[date] = []
        for day in _days(first, last):
            if day.weekday() > _FRIDAY:
                continue
            in_term = _in_term(terms, day)
            if in_term is None:
                unknown_days.append(day)
            elif in_term and day not in bank_holidays and day not in closures:
                school_days.append(day)
        return cls(authority, first, last, tuple(school_days), tuple(unknown_days))

    def _check_range(self, first: date, last: date) -> None:
        if first < self.first or last > self.last:
            raise ValueError(
                f"This calendar covers {self.first} to {self.last}, not {first} to {last}"
            )

    def _check_known(self, first: date, last: date) -> None:
        """Raise CalendarMissing for the first stretch of unrecorded weekdays in first..last."""
        start = bisect.bisect_left(self.unknown_days, first)
        if start == len(self.unknown_days) or self.unknown_days[start] > last:
            return
        missing = self.unknown_days[start:]
        end = 0
        # Carry on over weekends: a stretch of missing weekdays is one problem, not several.
        while end + 1 < len(missing) and missing[end + 1] - missing[end] <= timedelta(days=3):
            end += 1
        raise CalendarMissing(self.authority, missing[0], missing[end])

    def is_school_day(self, day: date) -> bool:
        """Whether `day` is a school day: a weekday in a term, not a bank holiday or closure."""
        self._check_range(day, day)
        self._check_known(day, day)
        return day in self._school_day_set

    def school_days_between(self, start: date, end: date) -> int:
        """School days after `start` up to and including `end`; negative when `end` is earlier.

        This is the inverse of `add_school_days`: counting from `start` to
        `add_school_days(start, n)` gives `n`.
        """
        if end < start:
            return -self.school_days_between(end, start)
        self._check_range(start, end)
        self._check_known(start + _DAY, end)
        low = bisect.bisect_right(self.school_days, start)
        high = bisect.bisect_right(self.school_days, end)
        return high - low

    def add_school_days(self, start: date, n: int) -> date:
        """The day that is `n` school days after `start` (which itself is not counted).

        Raises ValueError when the answer lies beyond this calendar's last day; the module-level
        `add_school_days` loads a longer calendar in that case.
        """
        found = self._nth_school_day_after(start, n)
        if found is None:
            raise ValueError(f"{n} school days after {start} is beyond {self.last}")
        return found

    def _nth_school_day_after(self, start: date, n: int) -> date | None:
        """The nth school day after `start`, or None if this calendar ends before it."""
        if n < 0:
            raise ValueError(f"Count school days forwards: n must not be negative, not {n}")
        self._check_range(start, start)
        if n == 0:
            return start
        index = bisect.bisect_right(self.school_days, start) + n - 1
        if index < len(self.school_days):
            answer = self.school_days[index]
            self._check_known(start + _DAY, answer)
            return answer
        self._check_known(start + _DAY, self.last)
        return None


def _in_term(terms: list[tuple[date, date]], day: date) -> bool | None:
    """True inside a term, False in a holiday between terms, None when the dates are missing.

    `terms` is sorted by start. A weekday outside every term is a holiday only when the terms
    either side of it are at most `LONGEST_HOLIDAY` apart.
    """
    before: date | None = None
    after: date | None = None
    for starts, ends in terms:
        if starts <= day <= ends:
            return True
        if ends < day and (before is None or ends > before):
            before = ends
        if starts > day and (after is None or starts < after):
            after = starts
    if before is None or after is None or (after - before) - _DAY > LONGEST_HOLIDAY:
        return None
    return False


def is_school_day(authority: Authority, day: date) -> bool:
    """Whether `day` is a school day for `authority`'s schools (two queries)."""
    return SchoolCalendar.load(authority, day, day).is_school_day(day)


def school_days_between(authority: Authority, start: date, end: date) -> int:
    """School days after `start` up to and including `end` for `authority` (two queries)."""
    first, last = min(start, end), max(start, end)
    return SchoolCalendar.load(authority, first, last).school_days_between(start, end)


def add_school_days(authority: Authority, start: date, n: int) -> date:
    """The date `n` school days after `start`, not counting `start` itself.

    Loads a calendar long enough for the usual case in two queries, and a longer one only if
    closures or long holidays use it up.
    """
    if n < 0:
        raise ValueError(f"Count school days forwards: n must not be negative, not {n}")
    span = timedelta(days=n * 7 // 5 + 1) + _SLACK
    while True:
        calendar = SchoolCalendar.load(authority, start, start + span)
        found = calendar._nth_school_day_after(start, n)
        if found is not None:
            return found
        span *= 2


class TermDates(NamedTuple):
    """One term's name and dates, ready to save as a `Term`."""

    name: str
    starts: date
    ends: date


def _weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _weekday_on_or_before(day: date, weekday: int) -> date:
    return day - timedelta(days=(day.weekday() - weekday) % 7)


def _last_weekday_on_or_before(day: date) -> date:
    return day if day.weekday() <= _FRIDAY else _weekday_on_or_before(day, _FRIDAY)


def _easter_monday(year: int) -> date:
    [monday] = holidays.country_holidays(
        "GB", subdiv="ENG", years=year, language="en_GB"
    ).get_named("Easter Monday", lookup="exact")
    return monday


def term_dates_england_default(year: int) -> list[TermDates]:
    """A typical English school year starting in September `year`, as six half terms.

    For demonstrations and as a starting point only: each authority sets its own dates. The
    pattern: start on the first Wednesday in September; October half term is the week of the
    last Monday in October; the Christmas holiday is the fortnight from the Monday on or before
    Christmas Day; February half term is the week of the third Monday; the Easter holiday is the
    fortnight around Easter; May half term is the week of the spring bank holiday (the last
    Monday in May); the year ends on the last weekday on or before 22 July.
    """
    spring = year + 1
    october_half_term = _weekday_on_or_before(date(year, 10, 31), _MONDAY)
    christmas_holiday = _weekday_on_or_before(date(year, 12, 25), _MONDAY)
    february_half_term = _weekday_on_or_after(date(spring, 2, 1), _MONDAY) + timedelta(weeks=2)
    easter_monday = _easter_monday(spring)
    may_half_term = _weekday_on_or_before(date(spring, 5, 31), _MONDAY)
    week_end = timedelta(days=3)  # Friday before a Monday
    return [
        TermDates(
            f"Autumn 1 {year}",
            _weekday_on_or_after(date(year, 9, 1), _WEDNESDAY),
            october_half_term - week_end,
        ),
        TermDates(
            f"Autumn 2 {year}",
            october_half_term + timedelta(weeks=1),
            christmas_holiday - week_end,
        ),
        TermDates(
            f"Spring 1 {spring}",
            christmas_holiday + timedelta(weeks=2),
            february_half_term - week_end,
        ),
        TermDates(
            f"Spring 2 {spring}",
            february_half_term + timedelta(weeks=1),
            easter_monday - timedelta(weeks=1) - week_end,
        ),
        TermDates(
            f"Summer 1 {spring}",
            easter_monday + timedelta(weeks=1),
            may_half_term - week_end,
        ),
        TermDates(
            f"Summer 2 {spring}",
            may_half_term + timedelta(weeks=1),
            _last_weekday_on_or_before(date(spring, 7, 22)),
        ),
    ]
