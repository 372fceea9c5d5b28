"""How a child's record changes between the register and a query about the same child.

Each corruption fires independently at its own rate, so a query can carry several (a nickname and
a move and no UPN). The names of the corruptions are what `synth.py --check` counts.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from .population import Person, Population, feminine

LETTERS = "abcdefghijklmnopqrstuvwxyz"
# Keys next to each other on a keyboard: most real typos hit a neighbour.
_NEIGHBOURS = {
    "a": "qwsz", "b": "vghn", "c": "xdfv", "d": "serfcx", "e": "wsdr", "f": "drtgvc", "g": "ftyhbv",
    "h": "gyujnb", "i": "ujko", "j": "huikmn", "k": "jiolm", "l": "kop", "m": "njk", "n": "bhjm",
    "o": "iklp", "p": "ol", "q": "wa", "r": "edft", "s": "awedxz", "t": "rfgy", "u": "yhji",
    "v": "cfgb", "w": "qase", "x": "zsdc", "y": "tghu", "z": "asx",
}  # fmt: skip


@dataclass(frozen=True)
class Rates:
    """The rate of each corruption in a query that is a copy of a register child."""

    preferred_used: float = 0.5  # of children with a preferred forename on the register
    forename_variant: float = 0.15  # of forenames with a known variant (about 40% of them)
    compound_forename_reduced: float = 0.4  # Lily-Mae -> Lily
    middle_as_forename: float = 0.015  # the child goes by the middle name; no middle given
    forename_with_middle: float = 0.01  # "Mary Jane" typed in the forename field
    forename_typo: float = 0.06
    former_surname_used: float = 0.3  # of children with a former surname on the register
    surname_changed: float = 0.04
    former_given: float = 0.4  # of changed surnames
    changed_to_double: float = 0.25  # of changed surnames: the new one joined to the old
    double_surname_reduced: float = 0.35  # of hyphenated or double surnames
    double_surname_respaced: float = 0.15  # "Smith-Jones" <-> "Smith Jones"
    surname_variant: float = 0.25  # of surnames with a known other spelling (Hussain/Hussein)
    surname_typo: float = 0.06
    names_swapped: float = 0.01
    middle_dropped: float = 0.4  # of children with middle names
    dob_missing: float = 0.02
    dob_day_month_swapped: float = 0.03  # applied only when the day is 12 or less
    dob_digit_off: float = 0.03
    sex_missing: float = 0.10
    sex_wrong: float = 0.005
    moved: float = 0.12
    moved_other_town: float = 0.6  # of moves
    postcode_missing: float = 0.08
    postcode_typo: float = 0.03
    address_missing: float = 0.05
    address_abbreviated: float = 0.15
    flat_dropped: float = 0.4  # of addresses with a flat number
    town_dropped: float = 0.08
    postcode_unspaced: float = 0.05  # "LS123UB" or "ls12 3ub"
    upn_kept: float = 0.20
    accents_dropped: float = 0.6  # of names with letters outside ASCII (Zoë, Łukasz, Siân)
    upper_case: float = 0.10
    extra_spaces: float = 0.05
    keep_register_preferred: float = 0.3
    keep_register_former: float = 0.3


LOOKUP_RATES = Rates()
# Joiners are often in another town by definition, and new schools type names in afresh.
RECONCILE_RATES = Rates(moved=0.7, moved_other_town=0.7, postcode_missing=0.04)
_ABBREVIATIONS = {"Road": "Rd", "Street": "St", "Avenue": "Ave", "Lane": "Ln", "Close": "Cl",
                  "Drive": "Dr", "Crescent": "Cres", "Gardens": "Gdns", "Terrace": "Ter"}  # fmt: skip
_STREET_TYPE = re.compile(rf" ({'|'.join(_ABBREVIATIONS)})(?=,|$)")


_NOT_DECOMPOSED = str.maketrans({"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "ß": "ss", "Đ": "D"})


def ascii_letters(text: str) -> str:
    """Zoë -> Zoe, Łukasz -> Lukasz: what a system without accents stores."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_NOT_DECOMPOSED))
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def typo(text: str, rng: random.Random) -> str:
    """One keyboard slip: a character inserted, deleted, substituted or two transposed."""
    if len(text) < 2:
        return text
    position = 1 + int(rng.random() * (len(text) - 1))  # first letters are seldom wrong
    previous = text[position - 1].lower()
    slip = rng.random()
    if slip < 0.3:
        near = _NEIGHBOURS.get(text[position].lower(), LETTERS)
        return text[:position] + near[int(rng.random() * len(near))] + text[position + 1 :]
    if slip < 0.55:
        return text[:position] + text[position + 1 :]
    if slip < 0.8:
        near = _NEIGHBOURS.get(previous, LETTERS)
        extra = previous if rng.random() < 0.4 else near[int(rng.random() * len(near))]
        return text[:position] + extra + text[position:]
    if position + 1 < len(text):
        return text[:position] + text[position + 1] + text[position] + text[position + 2 :]
    return text[: position - 1] + text[position] + text[position - 1]


def _digit_off(iso: str, rng: random.Random) -> str:
    """The date with one digit of the year's last two, the month or the day changed (valid)."""
    positions = [2, 3, 5, 6, 8, 9]
    for _ in range(20):
        position = positions[int(rng.random() * len(positions))]
        digit = str(int(rng.random() * 10))
        candidate = iso[:position] + digit + iso[position + 1 :]
        if candidate == iso:
            continue
        try:
            date.fromisoformat(candidate)
        except ValueError:
            continue
        return candidate
    return iso


def _postcode_typo(postcode: str, rng: random.Random) -> str:
    outward, _, inward = postcode.partition(" ")
    if len(inward) != 3:
        return postcode
    if rng.random() < 0.5:  # the unit letters transposed
        return f"{outward} {inward[0]}{inward[2]}{inward[1]}"
    return f"{outward} {(int(inward[0]) + 1) % 10}{inward[1:]}"  # the sector mistyped


def _spaces(text: str, rng: random.Random) -> str:
    if not text:
        return text
    if rng.random() < 0.5:
        return f" {text}  "
    position = text.find(" ")
    return text.replace(" ", "  ", 1) if position > 0 else text + " "


class Corrupter:
    """Makes the query copy of a register child, counting what was done."""

    def __init__(self, population: Population, rates: Rates) -> None:
        self.population = population
        self.rng = population.rng
        self.rates = rates
        self.counts: dict[str, int] = {}
        # Families move together: twins and siblings queried after a move share the new address.
        self._moves: dict[int, tuple[str, str] | None] = {}

    def _did(self, name: str) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1

    def _chance(self, name: str, rate: float) -> bool:
        if self.rng.random() < rate:
            self._did(name)
            return True
        return False

    def copy(self, person: Person) -> dict[str, str]:
        row = dict(person.row)
        self._forename(row)
        self._surname(row, person)
        self._dob(row)
        self._sex_and_place(row, person)
        self._format(row)
        return row

    def _forename(self, row: dict[str, str]) -> None:
        rng, rates = self.rng, self.rates
        preferred = row["preferred_forename"]
        options = self.population.bank.variants.get(row["forename"].lower(), [])
        middles = row["middle_names"].split()
        if preferred and self._chance("preferred_used", rates.preferred_used):
            row["forename"] = preferred
        elif options and self._chance("forename_variant", rates.forename_variant):
            row["forename"] = options[int(rng.random() * len(options))]
        elif "-" in row["forename"] and self._chance(
            "compound_forename_reduced", rates.compound_forename_reduced
        ):
            row["forename"] = row["forename"].split("-")[0]
        elif middles and self._chance("middle_as_forename", rates.middle_as_forename):
            row["forename"], row["middle_names"] = middles[0], ""
        elif middles and self._chance("forename_with_middle", rates.forename_with_middle):
            row["forename"] = f"{row['forename']} {middles[0]}"
            row["middle_names"] = " ".join(middles[1:])
        if self._chance("forename_typo", rates.forename_typo):
            row["forename"] = typo(row["forename"], rng)
        if row["middle_names"] and self._chance("middle_dropped", rates.middle_dropped):
            row["middle_names"] = ""
        if row["preferred_forename"] and rng.random() > rates.keep_register_preferred:
            row["preferred_forename"] = ""

    def _surname(self, row: dict[str, str], person: Person) -> None:
        rng, rates = self.rng, self.rates
        former = row["former_surname"]
        row["former_surname"] = former if rng.random() < rates.keep_register_former else ""
        surname = row["surname"]
        parts = surname.replace("-", " ").split()
        if former and self._chance("former_surname_used", rates.former_surname_used):
            row["surname"], row["former_surname"] = former, ""
        elif self._chance("surname_changed", rates.surname_changed):
            group = person.household.group
            new = self.population.surname(group)
            new = feminine(new, group, rng) if row["sex"] == "F" else new
            if self._chance("surname_changed_to_double", rates.changed_to_double):
                new = f"{surname}-{new}" if rng.random() < 0.5 else f"{new}-{surname}"
            row["surname"] = new
            given = self._chance("surname_changed_former_given", rates.former_given)
            row["former_surname"] = surname if given else ""
        elif len(parts) > 1 and self._chance(
            "double_surname_reduced", rates.double_surname_reduced
        ):
            row["surname"] = parts[0] if rng.random() < 0.5 else parts[-1]
        elif len(parts) > 1 and self._chance(
            "double_surname_respaced", rates.double_surname_respaced
        ):
            row["surname"] = " ".join(parts) if "-" in surname else "-".join(parts)
        else:
            spellings = self.population.bank.surname_variants.get(surname.lower(), [])
            if spellings and self._chance("surname_variant", rates.surname_variant):
                row["surname"] = spellings[int(rng.random() * len(spellings))]
        if self._chance("surname_typo", rates.surname_typo):
            row["surname"] = typo(row["surname"], rng)
        if self._chance("names_swapped", rates.names_swapped):
            row["forename"], row["surname"] = row["surname"], row["forename"]

    def _dob(self, row: dict[str, str]) -> None:
        rates, dob = self.rates, row["dob"]
        if self._chance("dob_missing", rates.dob_missing):
            row["dob"] = ""
            return
        day, month = int(dob[8:]), int(dob[5:7])
        if day <= 12 and day != month and self.rng.random() < rates.dob_day_month_swapped:
            self._did("dob_day_month_swapped")
            row["dob"] = f"{dob[:4]}-{day:02d}-{month:02d}"
        elif self._chance("dob_digit_off", rates.dob_digit_off):
            row["dob"] = _digit_off(dob, self.rng)

    def _sex_and_place(self, row: dict[str, str], person: Person) -> None:
        rng, rates = self.rng, self.rates
        if self._chance("sex_missing", rates.sex_missing):
            row["sex"] = ""
        elif row["sex"] and self._chance("sex_wrong", rates.sex_wrong):
            row["sex"] = "F" if row["sex"] == "M" else "M"
        if person.household.number not in self._moves:
            moved = None
            if rng.random() < rates.moved:
                town = self.population.move_town(person.household.town, rates.moved_other_town)
                moved = self.population.address(town)
            self._moves[person.household.number] = moved
        new_home = self._moves[person.household.number]
        if new_home is not None:
            self._did("moved")
            row["address"], row["postcode"] = new_home
        if self._chance("postcode_missing", rates.postcode_missing):
            row["postcode"] = ""
        elif self._chance("postcode_typo", rates.postcode_typo):
            row["postcode"] = _postcode_typo(row["postcode"], rng)
        if row["address"].startswith("Flat ") and self._chance("flat_dropped", rates.flat_dropped):
            row["address"] = row["address"].split(", ", 1)[1]
        if self._chance("town_dropped", rates.town_dropped):
            row["address"] = row["address"].rsplit(", ", 1)[0]
        if row["postcode"] and self._chance("postcode_unspaced", rates.postcode_unspaced):
            row["postcode"] = (
                row["postcode"].replace(" ", "") if rng.random() < 0.6 else row["postcode"].lower()
            )
        if self._chance("address_missing", rates.address_missing):
            row["address"] = ""
        elif self._chance("address_abbreviated", rates.address_abbreviated):
            row["address"] = _STREET_TYPE.sub(
                lambda match: " " + _ABBREVIATIONS[match.group(1)], row["address"]
            )
            row["address"] = row["address"].lower() if rng.random() < 0.3 else row["address"]
        if row["upn"] and rng.random() < rates.upn_kept:
            self._did("upn_kept")
        else:
            row["upn"] = ""

    def _format(self, row: dict[str, str]) -> None:
        rng = self.rng
        names = ("forename", "middle_names", "surname", "preferred_forename", "former_surname")
        if any(not row[column].isascii() for column in names) and self._chance(
            "accents_dropped", self.rates.accents_dropped
        ):
            for column in names:
                row[column] = ascii_letters(row[column])
        if self._chance("upper_case", self.rates.upper_case):
            for column in ("forename", "middle_names", "surname", "preferred_forename"):
                row[column] = row[column].upper()
        if self._chance("extra_spaces", self.rates.extra_spaces):
            column = ("forename", "surname", "middle_names")[int(rng.random() * 3)]
            row[column] = _spaces(row[column], rng)
