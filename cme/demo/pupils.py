"""Fictional pupils on roll: names, dates of birth that fit their year group, addresses and UPNs."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from faker import Faker

from cme.children.upn import CHECK_LETTERS, make_temporary_upn, make_upn
from cme.demo.catalogue import EstablishmentSpec
from cme.demo.places import Street
from cme.registers.models import EstablishmentKind, Phase, Sex

# Common short forms people are known by; only used for forenames Faker happens to give.
_SHORT_FORMS = {
    "Alexander": "Alex", "Alexandra": "Alex", "Benjamin": "Ben", "Charlotte": "Charlie",
    "Christopher": "Chris", "Daniel": "Dan", "Elizabeth": "Beth", "Eleanor": "Ellie",
    "Frederick": "Freddie", "Jacob": "Jake", "James": "Jamie", "Jennifer": "Jenny",
    "Jessica": "Jess", "Jonathan": "Jon", "Joseph": "Joe", "Joshua": "Josh", "Katherine": "Kate",
    "Matthew": "Matt", "Michael": "Mike", "Nicholas": "Nick", "Oliver": "Ollie", "Rebecca": "Becky",
    "Samuel": "Sam", "Samantha": "Sam", "Thomas": "Tom", "Victoria": "Tori", "William": "Will",
    "Zachary": "Zac", "Abigail": "Abbie", "Anthony": "Tony", "Catherine": "Cat",
}  # fmt: skip


def academic_year_of(day: date) -> int:
    """The calendar year an English school year starts in: it runs 1 September to 31 August."""
    return day.year if day.month >= 9 else day.year - 1


def year_index(year_group: str) -> int:
    """Reception is 0, Year 1 is 1 … Year 13 is 13."""
    return 0 if year_group == "R" else int(year_group)


def birth_range(year_group: str, academic_year: int) -> tuple[date, date]:
    """First and last dates of birth for a year group: Year 7 in 2026/27 were born 2014/15."""
    start = academic_year - 5 - year_index(year_group)
    return date(start, 9, 1), date(start + 1, 8, 31)


def term_start(academic_year: int) -> date:
    """The first school day of an academic year: the first weekday on or after 3 September."""
    day = date(academic_year, 9, 3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _school_day_between(rng: random.Random, first: date, last: date) -> date:
    """A weekday outside August between two dates (or `first` when there is none)."""
    span = (last - first).days
    for _ in range(20):
        day = first + timedelta(days=rng.randint(0, max(span, 0)))
        if day.weekday() < 5 and day.month != 8:
            return day
    return first


class UpnAllocator:
    """Hands out UPNs that are not yet in use, serials counting up per school and year."""

    def __init__(self, in_use: Iterable[str]) -> None:
        self._in_use = set(in_use)
        self._next: dict[tuple[str, str, int], int] = {}

    def permanent(self, la_code: str, numbers: Sequence[str], year: int) -> str:
        """A new UPN issued by the first of `numbers` with a free serial that year."""
        for number in numbers:
            key = (la_code, number, year % 100)
            serial = self._next.get(key, 1)
            while serial <= 999:
                upn = make_upn(la_code, number, year, serial)
                serial += 1
                if upn not in self._in_use:
                    self._next[key] = serial
                    self._in_use.add(upn)
                    return upn
            self._next[key] = serial
        raise RuntimeError("No UPN serials left for these schools and year")

    def temporary(self, la_code: str, number: str, year: int) -> str:
        """A new temporary UPN (ending in a letter), or a permanent one when those run out."""
        key = (la_code, f"T{number}", year % 100)
        count = self._next.get(key, 0)
        while count < 100 * len(CHECK_LETTERS):
            letter, serial = CHECK_LETTERS[count // 100], count % 100
            upn = make_temporary_upn(la_code, number, year, serial, letter)
            count += 1
            if upn not in self._in_use:
                self._next[key] = count
                self._in_use.add(upn)
                return upn
        self._next[key] = count
        return self.permanent(la_code, [number], year)


@dataclass(frozen=True)
class Pupil:
    upn: str
    forename: str
    middle_names: str
    surname: str
    preferred_forename: str
    date_of_birth: date
    sex: Sex
    year_group: str
    address: str
    postcode: str
    admission_date: date


def split_evenly(total: int, weights: Sequence[float]) -> list[int]:
    """`total` shared in proportion to `weights`, in whole numbers that add up exactly."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    exact = [total * weight / whole for weight in weights]
    shares = [int(share) for share in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (shares[i] - exact[i], i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _year_weight(spec: EstablishmentSpec, year_group: str) -> float:
    index = year_index(year_group)
    if spec.phase in {Phase.PRIMARY, Phase.SECONDARY, Phase.ALL_THROUGH, Phase.SIXTEEN_PLUS}:
        # Sixth forms keep about three in five of a year group.
        return 0.6 if index >= 12 and spec.phase != Phase.SIXTEEN_PLUS else 1.0
    if spec.kind in {
        EstablishmentKind.PRU,
        EstablishmentKind.ALTERNATIVE,
        EstablishmentKind.CUSTODIAL,
    }:
        return float(max(index - 3, 1))  # mostly older pupils
    return 0.5 if index == 0 else 1.0


@dataclass(frozen=True)
class Area:
    """Where an authority's pupils live: streets by postcode district."""

    districts: tuple[str, ...]
    streets: dict[str, tuple[Street, ...]]


class RollMaker:
    """Makes one establishment's pupils, the same ones every time for the same inputs."""

    def __init__(
        self, *, fake: Faker, allocator: UpnAllocator, area: Area, primaries: Sequence[str],
        academic_year: int, today: date,
    ) -> None:  # fmt: skip
        self.fake = fake
        self.allocator = allocator
        self.area = area
        self.primaries = primaries
        self.academic_year = academic_year
        self.today = today

    def pupils(self, spec: EstablishmentSpec, count: int) -> Iterator[Pupil]:
        seed = f"cme-demo:roll:{spec.la_code}:{spec.number}"
        rng = random.Random(seed)  # noqa: S311 - fictional data, not a secret
        self.fake.seed_instance(seed)
        weights = [_year_weight(spec, year) * rng.uniform(0.9, 1.1) for year in spec.years]
        for year_group, size in zip(spec.years, split_evenly(count, weights), strict=True):
            for _ in range(size):
                yield self._pupil(spec, year_group, rng)

    def _pupil(self, spec: EstablishmentSpec, year_group: str, rng: random.Random) -> Pupil:
        fake = self.fake
        sex = spec.sex or (Sex.MALE if rng.random() < 0.51 else Sex.FEMALE)
        first_name = fake.first_name_male if sex == Sex.MALE else fake.first_name_female
        forename = first_name()
        middle_count = rng.choices((0, 1, 2), weights=(50, 42, 8))[0]
        middle_names = " ".join(first_name() for _ in range(middle_count))
        surname = fake.last_name()
        if rng.random() < 0.03:
            surname = f"{surname}-{fake.last_name()}"
        preferred = ""
        if forename in _SHORT_FORMS and rng.random() < 0.3:
            preferred = _SHORT_FORMS[forename]
        elif rng.random() < 0.01:
            preferred = first_name()

        born_from, born_to = birth_range(year_group, self.academic_year)
        date_of_birth = born_from + timedelta(days=rng.randint(0, (born_to - born_from).days))

        # They joined the school in its first year group, or later (about one in six).
        index = year_index(year_group)
        reception_year = self.academic_year - index
        first_index = year_index(spec.years[0])
        usual_entry = self.academic_year - (index - first_index)
        joined_late = not spec.has_intake_year or rng.random() < 0.16
        if joined_late:
            earliest = term_start(max(usual_entry, reception_year))
            if not spec.has_intake_year:
                earliest = max(earliest, term_start(self.academic_year - 3))
            admission_date = min(_school_day_between(rng, earliest, self.today), self.today)
        else:
            admission_date = term_start(usual_entry)

        upn = self._upn(spec, index, reception_year, admission_date, joined_late, rng)
        address, postcode = self._home(spec, rng)
        return Pupil(
            upn=upn,
            forename=forename,
            middle_names=middle_names,
            surname=surname,
            preferred_forename=preferred,
            date_of_birth=date_of_birth,
            sex=sex,
            year_group=year_group,
            address=address,
            postcode=postcode,
            admission_date=admission_date,
        )

    def _upn(
        self, spec: EstablishmentSpec, index: int, reception_year: int, admission_date: date,
        joined_late: bool, rng: random.Random,
    ) -> str:  # fmt: skip
        """A UPN is issued when a child first starts school in England, by that school."""
        la = spec.la_code
        new_this_year = admission_date >= term_start(self.academic_year)
        if joined_late and new_this_year and rng.random() < 0.05:
            # The previous school's record has not come through yet.
            return self.allocator.temporary(la, spec.number, admission_date.year)
        if joined_late and rng.random() < 0.08:
            # New to England: this school issued the UPN when they arrived.
            return self.allocator.permanent(la, [spec.number], admission_date.year)
        started_here = spec.years[0] == "R" and not joined_late
        if started_here or not self.primaries:
            return self.allocator.permanent(la, [spec.number], reception_year)
        # Issued by the primary school they started at, in the year they started reception.
        first_choice = rng.randrange(len(self.primaries))
        issuers = [*self.primaries[first_choice:], *self.primaries[:first_choice], spec.number]
        return self.allocator.permanent(la, issuers, reception_year)

    def _home(self, spec: EstablishmentSpec, rng: random.Random) -> tuple[str, str]:
        district = spec.district
        if not spec.local_intake or rng.random() < 0.25:
            district = rng.choice(self.area.districts)
        return rng.choice(self.area.streets[district]).address(rng)
