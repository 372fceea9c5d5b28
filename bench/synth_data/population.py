"""Families of school-age children: names, dates of birth, addresses, postcodes and UPNs.

Siblings share a household (surname, address, postcode); about 1.5% of children are twins (same
date of birth, different forenames). Postcodes are clustered by town: each town has its own
outward codes, each street its sector and units. Streets and their postcodes are a pure function
of (town, district, street number), so only the choice of street uses the random generator.
"""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass, field
from datetime import date

from cme.children.upn import CHECK_LETTERS, check_letter, make_temporary_upn

from .bank import Bank, Group

COLUMNS = (
    "id",
    "forename",
    "middle_names",
    "surname",
    "preferred_forename",
    "former_surname",
    "dob",
    "sex",
    "postcode",
    "address",
    "upn",
)
ANCHOR = date(2026, 9, 1)  # "today" for ages: fixed, so output does not depend on the run date
YOUNGEST_DOB = date(ANCHOR.year - 4, ANCHOR.month, ANCHOR.day).toordinal()  # aged 4
OLDEST_DOB = date(ANCHOR.year - 17, ANCHOR.month, ANCHOR.day).toordinal() + 1  # aged 16
MIN_SIBLING_GAP_DAYS = 300
# A twin birth per birth, so that about 1.5% of children are twins: 2q / (1 + q) = 0.015.
TWIN_BIRTH_RATE = 0.0076
TRIPLETS_PER_TWIN_BIRTH = 0.015
TWIN_SAME_INITIAL_RATE = 0.3  # parents often match twins' names: a hard case for matching
# School-age children per family: 1 to 5 births (before twins and the age window thin them).
BIRTHS_CUMULATIVE = (0.44, 0.80, 0.93, 0.98, 1.0)
DOUBLE_SURNAME_RATE = 0.05
MIDDLE_NAME_RATE = 0.5
SECOND_MIDDLE_NAME_RATE = 0.15  # of those with a middle name
FLAT_RATE = 0.12
REGISTER_UPN_RATE = 0.95
TEMPORARY_UPN_RATE = 0.015
REGISTER_PREFERRED_RATE = 0.05
REGISTER_FORMER_SURNAME_RATE = 0.03
REGISTER_SEX_BLANK_RATE = 0.005
# Letters used in the unit part of a postcode (never C, I, K, M, O or V).
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_MASK = 0xFFFFFFFF
_COMPOUND_GIRLS = (
    0.04,
    ("Mae", "Rose", "Grace", "May", "Louise", "Belle", "Jayne", "Marie", "Lou"),
)
_COMPOUND_BOYS = (0.012, ("Jay", "Lee", "James", "John", "Ray", "Joe"))
_SERIAL_VALUES = [CHECK_LETTERS.index(check_letter(f"000000000{n:03d}")) for n in range(1000)]


def _mix(*values: int) -> int:
    """A fixed 32-bit hash of small integers (streets are functions of their coordinates)."""
    h = 0x811C9DC5
    for value in values:
        h = ((h ^ (value & _MASK)) * 0x01000193) & _MASK
        h ^= h >> 15
        h = (h * 0x2C1B3C6D) & _MASK
        h ^= h >> 12
    return h


def feminine(surname: str, group: Group, rng: random.Random) -> str:
    """A girl's form of her family's surname: Polish -ska for -ski, often Kaur for Singh, Begum
    for Miah; brothers and sisters then differ in surname, as on real rolls."""
    if group.name == "polish":
        return "-".join(
            part[:-1] + "a" if part.endswith(("ski", "cki", "dzki")) else part
            for part in surname.split("-")
        )
    female = group.feminine.get(surname)
    if female is not None and rng.random() < female[1]:
        return female[0]
    return surname


@dataclass(slots=True)
class Household:
    number: int  # families that move, move together
    group: Group
    surname: str
    town: int
    address: str
    postcode: str
    children: list[Person] = field(default_factory=list)


@dataclass(slots=True)
class Person:
    """A child and what the generator knows about them beyond the CSV columns."""

    row: dict[str, str]
    household: Household
    dob: int  # date ordinal
    twins: tuple[Person, ...] = ()  # born together: a twin, or two triplets

    @property
    def siblings(self) -> list[Person]:
        return [other for other in self.household.children if other is not self]


class Population:
    """Makes households and children; one instance per data set keeps UPNs unique."""

    def __init__(self, bank: Bank, rng: random.Random, expected_children: int) -> None:
        self.bank = bank
        self.rng = rng
        self.families = 0
        self._upn_counters: dict[str, int] = {}
        self._prefix_values: dict[str, int] = {}
        self._iso: dict[int, str] = {}
        total_weight = bank.town_cumulative[-1]
        households = max(expected_children, 1000) / 1.8
        # Streets per district grow with the data: about three families with children of school
        # age to a street, one to three postcodes to a street, so some 1% of unrelated families
        # share an address (flats, shared houses) and a postcode holds a few families.
        self._streets = [
            max(12, int(households * town.weight / total_weight / len(town.districts) / 3))
            for town in bank.towns
        ]
        assert bank.english is not None
        self._english = bank.english
        self._la_codes = [f"{201 + (index * 37) % 700}" for index in range(len(bank.towns))]

    # Addresses -----------------------------------------------------------------------------

    def address(self, town: int) -> tuple[str, str]:
        """A random address in `town`, with its postcode."""
        rng, bank = self.rng, self.bank
        districts = bank.towns[town].districts
        district = int(rng.random() * len(districts))
        street = int(rng.random() * self._streets[town])
        h = _mix(town, district, street)
        stem = bank.street_stems[h % len(bank.street_stems)]
        kind = bank.street_types
        street_type = kind.items[bisect(kind.cumulative, ((h >> 9) % 997) / 997 * kind.total)]
        length = 40 + (h >> 3) % 260
        number = int(rng.random() * length) + 1
        unit = _mix(h, number // 100)
        postcode = (
            f"{districts[district]} {(h >> 17) % 10}"
            f"{UNIT_LETTERS[unit % 20]}{UNIT_LETTERS[(unit >> 8) % 20]}"
        )
        line = f"{number} {stem} {street_type}, {bank.towns[town].name}"
        if rng.random() < FLAT_RATE:
            line = f"Flat {int(rng.random() * 12) + 1}, {line}"
        return line, postcode

    def move_town(self, town: int, other_town_rate: float) -> int:
        return self.bank.pick_town(self.rng) if self.rng.random() < other_town_rate else town

    # Names ---------------------------------------------------------------------------------

    def surname(self, group: Group) -> str:
        rng = self.rng
        surname = group.surnames.pick(rng)
        if rng.random() < DOUBLE_SURNAME_RATE:
            second_group = group if rng.random() < 0.6 else self.bank.pick_group(rng)
            second = second_group.surnames.pick(rng)
            if second != surname:
                surname += ("-" if rng.random() < 0.75 else " ") + second
        return surname

    def forename(self, group: Group, sex: str) -> str:
        random = self.rng.random
        source = self._english if random() < group.forename_mix else group
        picker = source.boys if sex == "M" else source.girls
        name = picker.items[bisect(picker.cumulative, random() * picker.total)]
        if source.compound_forenames:
            # Lily-Mae, Ella-Rose, Tommy-Lee: common in English registers, rare elsewhere.
            rate, endings = _COMPOUND_GIRLS if sex == "F" else _COMPOUND_BOYS
            if random() < rate:
                name += "-" + endings[int(random() * len(endings))]
        return name

    def household(self, town: int | None = None, group: Group | None = None) -> Household:
        group = group or self.bank.pick_group(self.rng)
        town = self.bank.pick_town(self.rng) if town is None else town
        line, postcode = self.address(town)
        self.families += 1
        return Household(self.families, group, self.surname(group), town, line, postcode)

    def iso(self, dob: int) -> str:
        """YYYY-MM-DD of a date ordinal (cached: a register spans only some 4,700 days)."""
        text = self._iso.get(dob)
        if text is None:
            text = self._iso[dob] = date.fromordinal(dob).isoformat()
        return text

    # Children ------------------------------------------------------------------------------

    def child(
        self, household: Household, dob: int, taken: set[str], rhyme_with: str = ""
    ) -> Person:
        """A child of `household`, with a forename not in `taken` (their siblings' names) and,
        when `rhyme_with` is given, often with the same initial (twins Jack and James)."""
        rng, group = self.rng, household.group
        sex = "M" if rng.random() < 0.5 else "F"
        initial = rhyme_with[:1] if rhyme_with and rng.random() < TWIN_SAME_INITIAL_RATE else ""
        forename = self.forename(group, sex)
        for _ in range(30 if initial else 8):
            if forename not in taken and forename.startswith(initial):
                break
            forename = self.forename(group, sex)
        while forename in taken:  # an unlucky draw: never give siblings the same name
            forename = self.forename(group, sex)
        taken.add(forename)
        middle_names = ""
        if rng.random() < MIDDLE_NAME_RATE:
            # Not the forename again, nor a form of it (Theodore Theo).
            unlike = {forename, *self.bank.variants.get(forename.lower(), ())}
            middle = self.forename(group, sex)
            middle_names = middle if middle not in unlike else ""
            if rng.random() < SECOND_MIDDLE_NAME_RATE:
                second = self.forename(group, sex)
                if second not in unlike and second != middle:
                    middle_names = f"{middle_names} {second}".strip()
        row = {
            "id": "",
            "forename": forename,
            "middle_names": middle_names,
            "surname": feminine(household.surname, group, rng) if sex == "F" else household.surname,
            "preferred_forename": "",
            "former_surname": "",
            "dob": self.iso(dob),
            "sex": sex,
            "postcode": household.postcode,
            "address": household.address,
            "upn": self.upn(household.town, dob),
        }
        return Person(row, household, dob)

    def family(self, household: Household | None = None) -> list[Person]:
        """A household's school-age children: siblings, sometimes twins."""
        rng = self.rng
        household = household or self.household()
        births = bisect(BIRTHS_CUMULATIVE, rng.random()) + 1
        span = YOUNGEST_DOB - OLDEST_DOB
        dobs = sorted(OLDEST_DOB + int(rng.random() * span) for _ in range(births))
        kept = [dobs[0]]
        for dob in dobs[1:]:
            if dob - kept[-1] >= MIN_SIBLING_GAP_DAYS:
                kept.append(dob)
        children = household.children
        taken = {child.row["forename"] for child in children}
        for dob in kept:
            child = self.child(household, dob, taken)
            children.append(child)
            if rng.random() < TWIN_BIRTH_RATE:
                twin = self.child(household, dob, taken, child.row["forename"])
                child.twins, twin.twins = (twin,), (child,)
                children.append(twin)
                if rng.random() < TRIPLETS_PER_TWIN_BIRTH:
                    third = self.child(household, dob, taken)
                    child.twins, twin.twins = (twin, third), (child, third)
                    third.twins = (child, twin)
                    children.append(third)
        return children

    def upn(self, town: int, dob: int) -> str:
        """A unique UPN allocated by the child's home LA in the year they started school."""
        born = self.iso(dob)
        year = int(born[:4]) + (5 if born[5:7] >= "09" else 4)
        la_code = self._la_codes[town]
        count = self._upn_counters.get(la_code, 0)
        self._upn_counters[la_code] = count + 1
        if self.rng.random() < TEMPORARY_UPN_RATE:
            # A separate range of establishment numbers keeps temporary UPNs unique too.
            return make_temporary_upn(
                la_code, 9000 + count // 2300, year, count % 2300 // 23, CHECK_LETTERS[count % 23]
            )
        return self._permanent_upn(
            f"{la_code}{2000 + count // 1000:04d}{year % 100:02d}", count % 1000
        )

    def _permanent_upn(self, prefix: str, serial: int) -> str:
        """make_upn(), quicker: the check sum is linear in the characters, so the check letter of
        prefix + serial follows from the letters of prefix + "000" and "000000000" + serial,
        each computed once by cme's check_letter()."""
        prefix_value = self._prefix_values.get(prefix)
        if prefix_value is None:
            prefix_value = CHECK_LETTERS.index(check_letter(prefix + "000"))
            self._prefix_values[prefix] = prefix_value
        serial_value = _SERIAL_VALUES[serial]
        return f"{CHECK_LETTERS[(prefix_value + serial_value) % 23]}{prefix}{serial:03d}"

    def register_extras(self, person: Person) -> None:
        """What a school roll holds beyond the legal names: some preferred and former names."""
        rng, row = self.rng, person.row
        if rng.random() < REGISTER_PREFERRED_RATE:
            options = self.bank.variants.get(row["forename"].lower(), [])
            middles = row["middle_names"].split()
            # Preferred names are mostly short forms: Alexander goes by Alex, seldom by Sandy.
            short = [name for name in options if len(name) < len(row["forename"])] or options
            if short and rng.random() < 0.75:
                row["preferred_forename"] = short[int(rng.random() * len(short))]
            elif middles:
                row["preferred_forename"] = middles[0]  # children often go by a middle name
        if rng.random() < REGISTER_FORMER_SURNAME_RATE:
            former = self.surname(person.household.group)
            if former != row["surname"]:
                row["former_surname"] = former
        if rng.random() > REGISTER_UPN_RATE:
            row["upn"] = ""
        if rng.random() < REGISTER_SEX_BLANK_RATE:
            row["sex"] = ""
