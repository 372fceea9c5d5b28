"""The comparisons and their levels, written twice: in Python for `score` and in SQL for bulk.

Each comparison puts a pair in one level (-1 when a value is missing on either side). The Python
function and the SQL expression beside it must say the same thing; `test_engine_sql.py` checks
that a sample of pairs lands in the same levels, with the same probability, both ways.
Similarity thresholds sit a hair below the round number because DuckDB's Jaro-Winkler can differ
from rapidfuzz's in the last bit; no real name pair falls in that gap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz.distance import Hamming, JaroWinkler, Levenshtein

from cme.matching.engine.normalise import groups_of
from cme.matching.engine.records import PreparedRecord

JW_HIGH = 0.92 - 1e-9
JW_MID = 0.85 - 1e-9
_jw = JaroWinkler.similarity
_edits = Levenshtein.distance
_hamming = Hamming.distance


@dataclass(frozen=True, slots=True)
class Level:
    verdict: str  # "agrees" | "close" | "disagrees"
    detail: str


@dataclass(frozen=True, slots=True)
class Levels:
    """A comparison's levels in SQL over tables aliased q and r: when a value is missing, then one
    condition per level but the last (which is everything else). The first that holds wins."""

    missing: str
    conditions: tuple[str, ...]

    def case(self) -> str:
        whens = " ".join(f"WHEN {c} THEN {i}" for i, c in enumerate(self.conditions))
        return f"CASE WHEN {self.missing} THEN -1 {whens} ELSE {len(self.conditions)} END"


@dataclass(frozen=True, slots=True)
class Comparison:
    key: str  # machine name: JSON keys, CSV explanation column
    field: str  # what users read
    levels: tuple[Level, ...]
    level_of: Callable[[PreparedRecord, PreparedRecord], int]
    sql_levels: Levels  # the same levels in DuckDB SQL
    tf_attribute: str = ""  # level 0 is adjusted for how common this value is
    # Words for a level that name the values involved ("nickname or variant (Bill / William)");
    # None where the level's own detail says it all.
    detail_of: Callable[[int, PreparedRecord, PreparedRecord], str | None] | None = None

    @property
    def sql(self) -> str:
        return self.sql_levels.case()


def forename_level(q: PreparedRecord, c: PreparedRecord) -> int:
    if not q.f0 or not c.f0:
        return -1
    if q.f0 == c.f0:
        return 0
    if not q.fa.isdisjoint(c.fa):
        return 1
    if not q.fg.isdisjoint(c.fg):
        return 2
    similarity = _jw(q.f0, c.f0, score_cutoff=JW_MID)
    if similarity >= JW_HIGH:
        return 3
    if similarity >= JW_MID or not q.fp.isdisjoint(c.fp) or _edits(q.f0, c.f0, score_cutoff=1) <= 1:
        return 4
    if not q.fa.isdisjoint(c.mn) or not q.mn.isdisjoint(c.fa):
        return 5
    if q.f0 in c.sa or c.f0 in q.sa:
        return 6
    return 7 if q.f0[0] == c.f0[0] else 8


FORENAME_SQL = Levels(
    "q.f0 = '' OR r.f0 = ''",
    (
        "q.f0 = r.f0",
        "list_has_any(q.fa, r.fa)",
        "list_has_any(q.fg, r.fg)",
        f"jaro_winkler_similarity(q.f0, r.f0, {JW_MID!r}) >= {JW_HIGH!r}",
        f"jaro_winkler_similarity(q.f0, r.f0, {JW_MID!r}) >= {JW_MID!r}"
        " OR list_has_any(q.fp, r.fp) OR levenshtein(q.f0, r.f0) <= 1",
        "list_has_any(q.fa, r.mn) OR list_has_any(q.mn, r.fa)",
        "list_contains(r.sa, q.f0) OR list_contains(q.sa, r.f0)",
        "left(q.f0, 1) = left(r.f0, 1)",
    ),
)


def surname_level(q: PreparedRecord, c: PreparedRecord) -> int:
    if not q.s0 or not c.s0:
        return -1
    if q.s0 == c.s0:
        return 0
    if not q.sa.isdisjoint(c.sa):
        return 1
    similarity = _jw(q.s0, c.s0, score_cutoff=JW_MID)
    if similarity >= JW_HIGH:
        return 2
    if similarity >= JW_MID or not q.sp.isdisjoint(c.sp) or _edits(q.s0, c.s0, score_cutoff=1) <= 1:
        return 3
    if q.s0 in c.fa or c.s0 in q.fa:
        return 4
    return 5


SURNAME_SQL = Levels(
    "q.s0 = '' OR r.s0 = ''",
    (
        "q.s0 = r.s0",
        "list_has_any(q.sa, r.sa)",
        f"jaro_winkler_similarity(q.s0, r.s0, {JW_MID!r}) >= {JW_HIGH!r}",
        f"jaro_winkler_similarity(q.s0, r.s0, {JW_MID!r}) >= {JW_MID!r}"
        " OR list_has_any(q.sp, r.sp) OR levenshtein(q.s0, r.s0) <= 1",
        "list_contains(r.fa, q.s0) OR list_contains(q.fa, r.s0)",
    ),
)


def dob_level(q: PreparedRecord, c: PreparedRecord) -> int:
    a, b = q.dob8, c.dob8
    if a and b:
        if a == b:
            return 0
        if a[:4] == b[:4] and a[4:6] == b[6:8] and a[6:8] == b[4:6]:
            return 1
        if _hamming(a, b, score_cutoff=1) <= 1:
            return 2
        return 3 if a[:6] == b[:6] else 5
    if q.dobtxt and c.dobtxt:
        return 4 if q.dobtxt == c.dobtxt else 5
    return -1


_BOTH_DATES = "q.dob8 <> '' AND r.dob8 <> ''"
DOB_SQL = Levels(
    f"NOT ({_BOTH_DATES} OR (q.dobtxt <> '' AND r.dobtxt <> ''))",
    (
        "q.dob8 <> '' AND q.dob8 = r.dob8",
        f"{_BOTH_DATES} AND left(q.dob8, 4) = left(r.dob8, 4)"
        " AND substr(q.dob8, 5, 2) = substr(r.dob8, 7, 2)"
        " AND substr(q.dob8, 7, 2) = substr(r.dob8, 5, 2)",
        # rpad keeps both sides eight long, as hamming() needs, on rows the AND has not yet ruled out
        f"{_BOTH_DATES} AND hamming(rpad(q.dob8, 8, '#'), rpad(r.dob8, 8, '#')) <= 1",
        f"{_BOTH_DATES} AND left(q.dob8, 6) = left(r.dob8, 6)",
        "q.dobtxt <> '' AND q.dobtxt = r.dobtxt",
    ),
)


def sex_level(q: PreparedRecord, c: PreparedRecord) -> int:
    if not q.sex or not c.sex:
        return -1
    return 0 if q.sex == c.sex else 1


SEX_SQL = Levels("q.sex = '' OR r.sex = ''", ("q.sex = r.sex",))


def postcode_level(q: PreparedRecord, c: PreparedRecord) -> int:
    if not q.pc or not c.pc:
        return -1
    if q.pc == c.pc:
        return 0
    if q.sector and q.sector == c.sector:
        return 1
    return 2 if q.district and q.district == c.district else 3


POSTCODE_SQL = Levels(
    "q.pc = '' OR r.pc = ''",
    (
        "q.pc = r.pc",
        "q.sector <> '' AND q.sector = r.sector",
        "q.district <> '' AND q.district = r.district",
    ),
)


def address_level(q: PreparedRecord, c: PreparedRecord) -> int:
    if not q.addr or not c.addr:
        return -1
    if q.addr == c.addr:
        return 0
    return 1 if q.street and q.street == c.street else 2


ADDRESS_SQL = Levels(
    "q.addr = '' OR r.addr = ''", ("q.addr = r.addr", "q.street <> '' AND q.street = r.street")
)


def upn_level(q: PreparedRecord, c: PreparedRecord) -> int:
    if not q.upns or not c.upns:
        return -1
    return 1 if q.upns.isdisjoint(c.upns) else 0


UPN_SQL = Levels("len(q.upns) = 0 OR len(r.upns) = 0", ("list_has_any(q.upns, r.upns)",))


def parent_level(q: PreparedRecord, c: PreparedRecord) -> int:
    if not q.pfull or not c.pfull:
        return -1
    if not q.pfull.isdisjoint(c.pfull):
        return 0
    return 2 if q.pfn.isdisjoint(c.pfn) else 1


PARENT_SQL = Levels(
    "len(q.pfull) = 0 OR len(r.pfull) = 0",
    ("list_has_any(q.pfull, r.pfull)", "list_has_any(q.pfn, r.pfn)"),
)


def _name(word: str) -> str:
    return word.capitalize()


def forename_detail(level: int, q: PreparedRecord, c: PreparedRecord) -> str | None:
    if level == 1:
        return f"preferred name or alias agrees ({_name(min(q.fa & c.fa))})"
    if level == 2:
        for a in sorted(q.fa):
            for b in sorted(c.fa):
                if set(groups_of(a)) & set(groups_of(b)):
                    return f"nickname or variant ({_name(a)} / {_name(b)})"
    if level == 5:
        shared = (q.fa & c.mn) | (q.mn & c.fa)
        return f"agrees with a middle name ({_name(min(shared))})"
    return None


def surname_detail(level: int, q: PreparedRecord, c: PreparedRecord) -> str | None:
    if level == 1:
        return f"former surname or part of a double surname agrees ({_name(min(q.sa & c.sa))})"
    return None


AGREES, CLOSE, DISAGREES = "agrees", "close", "disagrees"

COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "forename", "Forename",
        (Level(AGREES, "same forename"), Level(AGREES, "preferred name or alias agrees"),
         Level(CLOSE, "nickname or spelling variant"), Level(CLOSE, "very similar spelling"),
         Level(CLOSE, "similar spelling or sounds alike"), Level(CLOSE, "agrees with a middle name"),
         Level(CLOSE, "forename and surname swapped"),
         Level(DISAGREES, "different forename, same initial"),
         Level(DISAGREES, "different forename")),
        forename_level, FORENAME_SQL, tf_attribute="f0", detail_of=forename_detail,
    ),
    Comparison(
        "surname", "Surname",
        (Level(AGREES, "same surname"),
         Level(AGREES, "former surname or part of a double surname agrees"),
         Level(CLOSE, "very similar spelling"), Level(CLOSE, "similar spelling or sounds alike"),
         Level(CLOSE, "forename and surname swapped"), Level(DISAGREES, "different surname")),
        surname_level, SURNAME_SQL, tf_attribute="s0", detail_of=surname_detail,
    ),
    Comparison(
        "dob", "Date of birth",
        (Level(AGREES, "same date"), Level(CLOSE, "day and month swapped"),
         Level(CLOSE, "one digit different"), Level(CLOSE, "same month and year"),
         Level(AGREES, "same text (not a valid date)"), Level(DISAGREES, "different date")),
        dob_level, DOB_SQL,
    ),
    Comparison(
        "sex", "Sex", (Level(AGREES, "same sex"), Level(DISAGREES, "different sex")),
        sex_level, SEX_SQL,
    ),
    Comparison(
        "postcode", "Postcode",
        (Level(AGREES, "same postcode"), Level(CLOSE, "same postcode sector"),
         Level(CLOSE, "same postcode district"), Level(DISAGREES, "different postcode")),
        postcode_level, POSTCODE_SQL,
    ),
    Comparison(
        "address", "Address",
        (Level(AGREES, "same address"), Level(CLOSE, "same house number and street"),
         Level(DISAGREES, "different address")),
        address_level, ADDRESS_SQL,
    ),
    Comparison(
        "upn", "UPN",
        (Level(AGREES, "UPN agrees (current or former)"), Level(DISAGREES, "different UPN")),
        upn_level, UPN_SQL,
    ),
    Comparison(
        "parent", "Parent or carer",
        (Level(AGREES, "a parent's or carer's name agrees"),
         Level(CLOSE, "a parent's or carer's forename agrees"),
         Level(DISAGREES, "different parents or carers")),
        parent_level, PARENT_SQL,
    ),
)  # fmt: skip

COMPARISON_KEYS = tuple(c.key for c in COMPARISONS)
FORENAME, UPN = COMPARISON_KEYS.index("forename"), COMPARISON_KEYS.index("upn")
# Levels that say "a different child" however much else agrees (twins share everything else).
FORENAME_DIFFERENT_LEVELS = (7, 8)
UPN_AGREES_LEVEL = 0


def levels_of(q: PreparedRecord, c: PreparedRecord) -> tuple[int, ...]:
    return tuple(comparison.level_of(q, c) for comparison in COMPARISONS)
