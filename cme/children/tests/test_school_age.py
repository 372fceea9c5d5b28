"""Compulsory school age, the school leaving date and year groups, at every boundary."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from cme.children.school_age import (
    SchoolAge,
    compulsory_school_age_starts,
    fifth_birthday,
    is_compulsory_school_age,
    national_curriculum_year,
    school_age,
    school_leaving_date,
    school_year_starting,
)


@pytest.mark.parametrize(
    ("dob", "starts"),
    [
        # Around 31 March: a fifth birthday on the prescribed day starts it that day.
        (date(2020, 3, 30), date(2025, 3, 31)),
        (date(2020, 3, 31), date(2025, 3, 31)),
        (date(2020, 4, 1), date(2025, 8, 31)),
        # Around 31 August.
        (date(2020, 8, 30), date(2025, 8, 31)),
        (date(2020, 8, 31), date(2025, 8, 31)),
        (date(2020, 9, 1), date(2025, 12, 31)),
        # Around 31 December.
        (date(2020, 12, 30), date(2025, 12, 31)),
        (date(2020, 12, 31), date(2025, 12, 31)),
        (date(2021, 1, 1), date(2026, 3, 31)),
        # Early in the year and a leap-day birthday (fifth birthday 1 March 2025).
        (date(2020, 1, 1), date(2025, 3, 31)),
        (date(2020, 2, 29), date(2025, 3, 31)),
    ],
)
def test_compulsory_school_age_starts_on_the_first_prescribed_day_on_or_after_the_fifth_birthday(
    dob: date, starts: date
) -> None:
    assert compulsory_school_age_starts(dob) == starts


def test_a_leap_day_child_turns_five_on_1_march_in_a_common_year() -> None:
    assert fifth_birthday(date(2020, 2, 29)) == date(2025, 3, 1)
    assert fifth_birthday(date(2019, 2, 28)) == date(2024, 2, 28)
    # 2016 + 5 = 2021 is not a leap year either; 2023 + 5 = 2028 is, so 29 Feb is kept there.
    assert fifth_birthday(date(2016, 2, 29)) == date(2021, 3, 1)


@pytest.mark.parametrize(
    ("dob", "leaves"),
    [
        # 31 August and 1 September are a cohort apart.
        (date(2010, 8, 31), date(2026, 6, 26)),
        (date(2010, 9, 1), date(2027, 6, 25)),
        (date(2009, 9, 1), date(2026, 6, 26)),
        # 30 June a Friday: it is the leaving date.
        (date(2007, 8, 31), date(2023, 6, 30)),
        (date(2006, 9, 1), date(2023, 6, 30)),
        (date(2012, 2, 29), date(2028, 6, 30)),
        (date(2011, 9, 1), date(2028, 6, 30)),
        # 30 June a Thursday: the last Friday is 24 June.
        (date(2006, 8, 31), date(2022, 6, 24)),
        (date(2007, 9, 1), date(2024, 6, 28)),
        (date(2016, 9, 1), date(2033, 6, 24)),
        (date(2017, 8, 31), date(2033, 6, 24)),
    ],
)
def test_the_leaving_date_is_the_last_friday_in_june_of_the_year_they_turn_16(
    dob: date, leaves: date
) -> None:
    assert school_leaving_date(dob) == leaves
    assert school_leaving_date(dob).weekday() == 4


def test_a_child_of_compulsory_school_age_from_the_start_to_the_leaving_date_inclusive() -> None:
    dob = date(2015, 9, 1)
    starts, ends = date(2020, 12, 31), date(2032, 6, 25)
    assert compulsory_school_age_starts(dob) == starts
    assert school_leaving_date(dob) == ends
    assert not is_compulsory_school_age(dob, starts - timedelta(days=1))
    assert is_compulsory_school_age(dob, starts)
    assert is_compulsory_school_age(dob, date(2026, 9, 1))
    assert is_compulsory_school_age(dob, ends)
    assert not is_compulsory_school_age(dob, ends + timedelta(days=1))


def test_the_school_year_turns_on_1_september() -> None:
    assert school_year_starting(date(2026, 8, 31)) == 2025
    assert school_year_starting(date(2026, 9, 1)) == 2026
    assert school_year_starting(date(2027, 1, 1)) == 2026


@pytest.mark.parametrize(
    ("dob", "on", "year_group"),
    [
        # The cohort born 1 Sep 2014 to 31 Aug 2015 is in Year 7 in 2026/27.
        (date(2014, 9, 1), date(2026, 9, 1), "7"),
        (date(2015, 8, 31), date(2026, 9, 1), "7"),
        (date(2015, 8, 31), date(2027, 8, 31), "7"),
        (date(2014, 8, 31), date(2026, 9, 1), "8"),
        (date(2015, 9, 1), date(2026, 9, 1), "6"),
        # The day before the new school year they are still in the year below.
        (date(2014, 9, 1), date(2026, 8, 31), "6"),
        # Reception is the school year in which the child turns 5.
        (date(2020, 9, 1), date(2025, 9, 1), "R"),
        (date(2021, 8, 31), date(2025, 9, 1), "R"),
        (date(2021, 8, 31), date(2026, 6, 1), "R"),
        (date(2020, 8, 31), date(2025, 9, 1), "1"),
        # Nursery: N2 the year before Reception, N1 the year before that, nothing earlier.
        (date(2021, 9, 1), date(2025, 9, 1), "N2"),
        (date(2022, 9, 1), date(2025, 9, 1), "N1"),
        (date(2023, 9, 1), date(2025, 9, 1), ""),
        (date(2025, 9, 1), date(2025, 9, 1), ""),
        # The top of the range: Year 13, then nothing.
        (date(2007, 9, 1), date(2025, 9, 1), "13"),
        (date(2007, 8, 31), date(2025, 9, 1), ""),
        # A leap-day child is in the cohort of its school year like anyone else.
        (date(2012, 2, 29), date(2026, 9, 1), "10"),
        (date(2012, 2, 29), date(2027, 9, 1), "11"),
    ],
)
def test_year_groups_follow_the_cohort(dob: date, on: date, year_group: str) -> None:
    assert national_curriculum_year(dob, on) == year_group


def test_school_age_gathers_the_answers_in_one_frozen_value() -> None:
    answer = school_age(date(2014, 9, 1), date(2026, 9, 1))
    assert answer == SchoolAge(
        compulsory_school_age=True,
        starts=date(2019, 12, 31),
        ends=date(2031, 6, 27),
        year_group="7",
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        answer.year_group = "8"  # type: ignore[misc]


def test_school_age_before_and_after_compulsory_school_age() -> None:
    toddler = school_age(date(2023, 1, 1), date(2026, 1, 1))
    assert (toddler.compulsory_school_age, toddler.year_group) == (False, "N1")
    leaver = school_age(date(2009, 9, 1), date(2026, 6, 27))
    assert (leaver.compulsory_school_age, leaver.year_group) == (False, "11")
