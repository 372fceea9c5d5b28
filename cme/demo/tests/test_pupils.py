"""The rules the demo's pupils are made by: school years, shares, UPN serials and postcodes."""

from __future__ import annotations

from datetime import date

import pytest
from faker import Faker

from cme.children.upn import is_temporary_upn, is_valid_upn, make_upn
from cme.demo.places import POSTCODE_RE, district_streets
from cme.demo.pupils import (
    UpnAllocator,
    academic_year_of,
    birth_range,
    split_evenly,
    term_start,
)


@pytest.mark.parametrize(
    ("day", "year"),
    [(date(2026, 11, 28), 2026), (date(2027, 8, 31), 2026), (date(2027, 9, 1), 2027)],
)
def test_the_school_year_starts_on_the_first_of_september(day: date, year: int) -> None:
    assert academic_year_of(day) == year


@pytest.mark.parametrize(
    ("year_group", "first", "last"),
    [
        ("R", date(2021, 9, 1), date(2022, 8, 31)),
        ("7", date(2014, 9, 1), date(2015, 8, 31)),
        ("11", date(2010, 9, 1), date(2011, 8, 31)),
        ("13", date(2008, 9, 1), date(2009, 8, 31)),
    ],
)
def test_birth_dates_for_each_year_group_in_2026_27(
    year_group: str, first: date, last: date
) -> None:
    assert birth_range(year_group, 2026) == (first, last)


def test_term_starts_on_a_weekday() -> None:
    assert term_start(2026) == date(2026, 9, 3)  # a Thursday
    assert term_start(2022) == date(2022, 9, 5)  # the 3rd was a Saturday


@pytest.mark.parametrize(
    ("total", "weights"), [(20_000, [420, 315, 16, 1500]), (7, [1, 1, 1]), (0, [1, 2]), (5, [0, 0])]
)
def test_split_evenly_adds_up_exactly(total: int, weights: list[float]) -> None:
    shares = split_evenly(total, weights)
    assert len(shares) == len(weights)
    assert sum(shares) == (total if sum(weights) else 0)
    assert all(share >= 0 for share in shares)


def test_the_allocator_skips_upns_already_in_use() -> None:
    taken = make_upn("990", "2001", 2020, 1)
    allocator = UpnAllocator([taken])
    assert allocator.permanent("990", ["2001"], 2020) == make_upn("990", "2001", 2020, 2)
    assert allocator.permanent("990", ["2001"], 2020) == make_upn("990", "2001", 2020, 3)


def test_the_allocator_moves_to_the_next_school_when_serials_run_out() -> None:
    allocator = UpnAllocator([])
    upns = {allocator.permanent("990", ["2001", "2002"], 2020) for _ in range(1001)}
    assert len(upns) == 1001
    assert {upn[4:8] for upn in upns} == {"2001", "2002"}
    with pytest.raises(RuntimeError):
        for _ in range(1000):
            allocator.permanent("990", ["2001", "2002"], 2020)


def test_temporary_upns_are_valid_and_distinct() -> None:
    allocator = UpnAllocator([])
    upns = [allocator.temporary("990", "2001", 2026) for _ in range(250)]
    assert len(set(upns)) == 250
    assert all(is_valid_upn(upn) and is_temporary_upn(upn) for upn in upns)


def test_streets_have_well_formed_postcodes_in_their_district() -> None:
    streets = district_streets("EX14", "Testbury", Faker("en_GB"))
    assert len({street.name for street in streets}) == len(streets) == 80
    for street in streets:
        for postcode in street.postcodes:
            assert POSTCODE_RE.match(postcode), postcode
            assert postcode.startswith("EX14 ")
    assert district_streets("EX14", "Testbury", Faker("en_GB")) == streets
