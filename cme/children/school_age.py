"""Compulsory school age and national curriculum year groups in England.

A child begins to be of compulsory school age on the first prescribed day (31 August, 31 December
or 31 March) on or after their fifth birthday, and stops being of compulsory school age after the
school leaving date: the last Friday in June of the school year in which they turn 16 (Education Act
1996 s.8 and the Education (Start of Compulsory School Age) Order 1998). A school year runs from
1 September to 31 August, so children born 1 September to 31 August the next year form one cohort.

Everything here is a pure function of dates, so it can be used from models, services, reports and
the `cme school-age` command alike without touching the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "NURSERY_YEARS",
    "PRESCRIBED_DAYS",
    "SchoolAge",
    "compulsory_school_age_starts",
    "fifth_birthday",
    "is_compulsory_school_age",
    "national_curriculum_year",
    "school_age",
    "school_leaving_date",
    "school_year_starting",
]

# (month, day) of the prescribed days, in calendar order within a year.
PRESCRIBED_DAYS: tuple[tuple[int, int], ...] = ((3, 31), (8, 31), (12, 31))

# Year groups before Reception, by offset from Reception: N2 is the year before, N1 the one before it.
NURSERY_YEARS = {-2: "N1", -1: "N2"}
_LAST_YEAR_GROUP = 13
_SCHOOL_YEAR_STARTS_IN = 9  # September
_FRIDAY = 4  # date.weekday()


@dataclass(frozen=True)
class SchoolAge:
    """A child's school-age position on one day: what `cme school-age` prints."""

    compulsory_school_age: bool
    starts: date
    ends: date
    year_group: str


def _birthday(dob: date, age: int) -> date:
    """The day a child born on `dob` reaches `age`.

    Someone born on 29 February reaches an age on 1 March in years that are not leap years (the
    day after 28 February, when the anniversary has not yet been and gone). For the start of
    compulsory school age this never matters: 28 February and 1 March both lead to 31 March.
    """
    try:
        return dob.replace(year=dob.year + age)
    except ValueError:  # 29 February in a year without one
        return date(dob.year + age, 3, 1)


def fifth_birthday(dob: date) -> date:
    """The fifth birthday, from which the next prescribed day starts compulsory school age."""
    return _birthday(dob, 5)


def school_year_starting(day: date) -> int:
    """The calendar year in which the school year containing `day` began (1 September)."""
    return day.year if day.month >= _SCHOOL_YEAR_STARTS_IN else day.year - 1


def compulsory_school_age_starts(dob: date) -> date:
    """The first prescribed day (31 Mar, 31 Aug or 31 Dec) on or after the fifth birthday.

    31 December is always a prescribed day, so the answer is always in the birthday's own year.
    """
    birthday = fifth_birthday(dob)
    for month, day in PRESCRIBED_DAYS:
        prescribed = date(birthday.year, month, day)
        if prescribed >= birthday:
            return prescribed
    raise AssertionError("unreachable: 31 December is on or after every day of its year")


def _last_friday_of_june(year: int) -> date:
    """The last Friday in June of `year`, counting back from 30 June."""
    june_30 = date(year, 6, 30)
    return june_30 - timedelta(days=(june_30.weekday() - _FRIDAY) % 7)


def school_leaving_date(dob: date) -> date:
    """The last Friday in June of the school year in which the child turns 16.

    Everyone in a cohort (born 1 September to 31 August) turns 16 in the same school year: the one
    starting 16 years after the school year of their birth, which ends in June a year later.
    """
    return _last_friday_of_june(school_year_starting(dob) + 17)


def is_compulsory_school_age(dob: date, on: date) -> bool:
    """Whether a child born on `dob` is of compulsory school age on `on`.

    The period runs from its start date to the school leaving date, both included. The Act says a
    child stops being of compulsory school age *after* the leaving date, so the leaving date
    itself is the last day of compulsory school age.
    """
    return compulsory_school_age_starts(dob) <= on <= school_leaving_date(dob)


def national_curriculum_year(dob: date, on: date) -> str:
    """The national curriculum year group on `on`: "N1", "N2", "R", "1" to "13", or "" if none.

    Reception is the school year in which the child turns 5; each later school year adds one.
    Year groups follow the cohort, not the exact age, so a child born 31 August is in Year 7 a
    full school year before one born a day later, on 1 September.
    """
    offset = school_year_starting(on) - school_year_starting(dob) - 5
    if offset in NURSERY_YEARS:
        return NURSERY_YEARS[offset]
    if offset == 0:
        return "R"
    if 1 <= offset <= _LAST_YEAR_GROUP:
        return str(offset)
    return ""


def school_age(dob: date, on: date) -> SchoolAge:
    """Everything about a child's school age on `on`, computed once."""
    starts = compulsory_school_age_starts(dob)
    ends = school_leaving_date(dob)
    return SchoolAge(
        compulsory_school_age=starts <= on <= ends,
        starts=starts,
        ends=ends,
        year_group=national_curriculum_year(dob, on),
    )
