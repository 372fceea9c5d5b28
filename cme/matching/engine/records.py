"""A person as given (`PersonRecord`) and as compared (`PreparedRecord`, every feature precomputed)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from cme.matching.engine.normalise import (
    address_tokens,
    dob_parts,
    fold,
    groups_of,
    house_and_street,
    name_tokens,
    phonetic,
    postcode_parts,
)

# Bump when the stored JSON layout changes; records stored in another layout must be re-prepared.
FEATURES_VERSION = 1
_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")
Features = tuple[Any, ...]  # one record's features in the stored layout
# The stored layout; the SET_FEATURES hold tuples of strings, the others one string.
FEATURE_NAMES = (
    "id", "f0", "fa", "fg", "fp", "mn", "s0", "sa", "sp", "dob8", "dobtxt", "sex", "pc",
    "sector", "district", "addr", "street", "upns", "pfull", "pfn",
)  # fmt: skip
SET_FEATURES = frozenset({"fa", "fg", "fp", "mn", "sa", "sp", "upns", "pfull", "pfn"})


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """Raw input, as a register row or a query."""

    id: str
    forenames: tuple[str, ...] = ()  # legal forename first, then preferred forenames and aliases
    middle_names: str = ""
    surnames: tuple[str, ...] = ()  # legal surname first, then former surnames and aliases
    dob: date | None = None
    dob_text: str = ""  # a date of birth that did not parse, kept as text
    sex: str = ""  # "M", "F" or ""
    postcode: str = ""
    address: str = ""
    upns: tuple[str, ...] = ()  # current UPN first, then former UPNs
    parent_names: tuple[str, ...] = ()  # full names of parents/carers


class PreparedRecord:
    """What the comparisons read. Sets are frozensets so that overlap tests are single calls."""

    __slots__ = (
        "addr",
        "district",
        "dob8",
        "dobtxt",
        "f0",
        "fa",
        "fg",
        "fp",
        "id",
        "mn",
        "pc",
        "pfn",
        "pfull",
        "s0",
        "sa",
        "sector",
        "sex",
        "sp",
        "street",
        "upns",
    )

    id: str
    f0: str  # legal forename (its first word)
    fa: frozenset[str]  # every forename word: legal, preferred, aliases
    fg: frozenset[str]  # nickname/transliteration groups of those words
    fp: frozenset[str]  # their sound-alike keys
    mn: frozenset[str]  # middle names, and further words of the legal forename
    s0: str  # legal surname, words joined ("SMITHJONES")
    sa: frozenset[str]  # every surname joined, and each word of a double surname
    sp: frozenset[str]  # their sound-alike keys
    dob8: str  # YYYYMMDD digits, even of an impossible date; "" when unknown
    dobtxt: str  # a date of birth that is only text ("" when dob8 is set)
    sex: str
    pc: str  # full postcode without a space, or the text of one that is not a postcode
    sector: str  # "AB1 2"
    district: str  # "AB1"
    addr: str  # normalised address words joined by spaces
    street: str  # house number and street name ("18 MONTAGUE"), or ""
    upns: frozenset[str]
    pfull: frozenset[str]  # parents' full names, normalised
    pfn: frozenset[str]  # parents' forenames

    def to_json(self) -> list[Any]:
        """Compact JSON-ready form, stored with each register entry."""
        return [FEATURES_VERSION, *self.features()]

    def features(self) -> Features:
        """The record in the stored layout (see `FEATURE_NAMES`), sets as sorted tuples."""
        return tuple(
            tuple(sorted(v)) if isinstance(v, frozenset) else v
            for v in (getattr(self, name) for name in FEATURE_NAMES)
        )

    @classmethod
    def from_json(cls, value: Any) -> PreparedRecord:
        """Rebuild from `to_json` output; a few microseconds, as it runs for every candidate."""
        if value[0] != FEATURES_VERSION:
            raise ValueError(f"prepared record layout {value[0]} is not {FEATURES_VERSION}")
        return cls.from_features(value[1:])

    @classmethod
    def from_features(cls, value: Sequence[Any]) -> PreparedRecord:
        self = object.__new__(cls)
        (self.id, self.f0, fa, fg, fp, mn, self.s0, sa, sp, self.dob8, self.dobtxt, self.sex,
         self.pc, self.sector, self.district, self.addr, self.street, upns, pfull, pfn) = value  # fmt: skip
        self.fa, self.fg, self.fp, self.mn = (
            frozenset(fa),
            frozenset(fg),
            frozenset(fp),
            frozenset(mn),
        )
        self.sa, self.sp = frozenset(sa), frozenset(sp)
        self.upns, self.pfull, self.pfn = frozenset(upns), frozenset(pfull), frozenset(pfn)
        return self

    def __repr__(self) -> str:
        return f"PreparedRecord(id={self.id!r})"


# Words that start many different names, so agreeing on them alone says nothing.
SURNAME_PARTICLES = frozenset(
    [
        "AL",
        "EL",
        "UL",
        "VAN",
        "VON",
        "DER",
        "DEN",
        "DE",
        "DA",
        "DI",
        "DO",
        "DOS",
        "DAS",
        "DEL",
        "DELLA",
        "LA",
        "LE",
        "DU",
        "BIN",
        "BINT",
        "BEN",
        "ABU",
    ]
)
FORENAME_PREFIXES = frozenset(["ABDUL", "ABDEL", "ABD", "ABDUR", "ABDOUL"])


def _forename_words(text: str) -> tuple[str, ...]:
    """Words of a forename; "Abdul Rahman" is one name, ABDULRAHMAN, not ABDUL and RAHMAN."""
    words = name_tokens(text)
    if len(words) > 1 and words[0] in FORENAME_PREFIXES:
        return (words[0] + words[1], *words[2:])
    return words


@lru_cache(maxsize=2**18)
def _forename_features(forenames: tuple[str, ...], middle_names: str) -> Features:
    legal = _forename_words(forenames[0]) if forenames else ()
    words = set(legal[:1])
    for alias in forenames[1:]:
        words.update(_forename_words(alias))
    middle = (set(legal[1:]) | set(name_tokens(middle_names))) - words
    groups = {g for w in words for g in groups_of(w)}
    sounds = {phonetic(w) for w in words}
    first = legal[0] if legal else ""
    return first, *(tuple(sorted(x)) for x in (words, groups, sounds, middle))


@lru_cache(maxsize=100_000)
def _surname_features(surnames: tuple[str, ...]) -> Features:
    legal = "".join(name_tokens(surnames[0])) if surnames else ""
    names: set[str] = set()
    for surname in surnames:
        words = name_tokens(surname)
        if words:
            names.add("".join(words))
            names.update(w for w in words if len(w) > 1 and w not in SURNAME_PARTICLES)
    return legal, tuple(sorted(names)), tuple(sorted({phonetic(n) for n in names}))


def _address_features(address: str, postcode: str, district: str) -> tuple[str, str]:
    if not address:
        return "", ""
    inward = postcode[len(district) :] if district else ""
    joined = " ".join(address_tokens(address, (district, inward, postcode) if district else ()))
    return joined, house_and_street(joined)


_SEXES = {"": "", "M": "M", "F": "F", "m": "M", "f": "F"}


def _sex(text: str) -> str:
    found = _SEXES.get(text)
    if found is not None:
        return found
    first = fold(text.strip())[:1]
    return first if first in ("M", "F") else ""


def _parents(names: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if not names:
        return (), ()
    full_names = [name_tokens(n) for n in names]
    full = tuple(sorted({" ".join(n) for n in full_names if n}))
    return full, tuple(sorted({n[0] for n in full_names if len(n) > 1}))


def _upns(upns: tuple[str, ...]) -> tuple[str, ...]:
    if len(upns) == 1 and upns[0].isalnum() and upns[0].isascii():
        return (upns[0].upper(),)
    return tuple(sorted({u for u in map(identifier, upns) if u}))


def features(record: PersonRecord) -> Features:
    """Everything the comparisons need, in the stored layout (`FEATURE_NAMES`)."""
    pc, sector, district = postcode_parts(record.postcode)
    return (
        record.id,
        *_forename_features(record.forenames, record.middle_names),
        *_surname_features(record.surnames),
        *dob_parts(record.dob, record.dob_text),
        _sex(record.sex),
        pc, sector, district,
        *_address_features(record.address, pc, district),
        _upns(record.upns),
        *_parents(record.parent_names),
    )  # fmt: skip


def prepare(record: PersonRecord) -> PreparedRecord:
    """Normalise a record once; everything the comparisons need is worked out here."""
    return PreparedRecord.from_features(features(record))


def identifier(text: str) -> str:
    """Letters and digits of an identifier such as a UPN, upper case."""
    return _NOT_ALNUM.sub("", fold(text))
