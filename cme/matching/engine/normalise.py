"""Turning raw values into comparable ones: names, nickname groups, postcodes, dates, addresses.

Everything here is memoised: registers repeat the same names and postcodes thousands of times,
so each distinct value is worked out once per process.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import cache, lru_cache
from importlib import resources

import jellyfish

# Letters that Unicode does not decompose into an ASCII base letter plus an accent.
_SPECIAL_LETTERS = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "AE", "đ": "d",
     "Đ": "D", "ı": "i", "œ": "oe", "Œ": "OE", "þ": "th", "ð": "d"}
)  # fmt: skip
# Names written in Cyrillic or Greek (new arrivals' documents, a parent's own spelling) would
# otherwise fold to nothing and never match their Latin spelling on a school roll. Close to the
# passport (ICAO 9303) transliteration; Й, Ё and Ї arrive here already decomposed by NFKD.
_OTHER_SCRIPTS = str.maketrans(
    {"А": "A", "Б": "B", "В": "V", "Г": "G", "Ґ": "G", "Д": "D", "Е": "E", "Є": "IE", "Ж": "ZH",
     "З": "Z", "И": "I", "І": "I", "К": "K", "Л": "L", "М": "M", "Н": "N", "О": "O", "П": "P",
     "Р": "R", "С": "S", "Т": "T", "У": "U", "Ф": "F", "Х": "KH", "Ц": "TS", "Ч": "CH", "Ш": "SH",
     "Щ": "SHCH", "Ъ": "IE", "Ы": "Y", "Ь": "", "Э": "E", "Ю": "IU", "Я": "IA",
     "Α": "A", "Β": "V", "Γ": "G", "Δ": "D", "Ε": "E", "Ζ": "Z", "Η": "I", "Θ": "TH", "Ι": "I",
     "Κ": "K", "Λ": "L", "Μ": "M", "Ν": "N", "Ξ": "X", "Ο": "O", "Π": "P", "Ρ": "R", "Σ": "S",
     "Τ": "T", "Υ": "Y", "Φ": "F", "Χ": "CH", "Ψ": "PS", "Ω": "O"}
)  # fmt: skip
_NOT_LETTERS = re.compile(r"[^A-Z]+")
_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")
_APOSTROPHES = re.compile(r"['’`]")
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_ISO_DATE = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\s*$")
_UK_DATE = re.compile(r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\s*$")
_DIGIT = re.compile(r"\d")
_ALNUM_WORD = re.compile(r"[A-Z0-9]+")
# A word with a digit in it, then a word of letters only (words are separated by one space).
_HOUSE_AND_STREET = re.compile(r"\b([A-Z0-9]*[0-9][A-Z0-9]*) ([A-Z]+)\b")

# Address words written in more than one way.
_ADDRESS_WORDS = {
    "ROAD": "RD", "STREET": "ST", "AVENUE": "AVE", "AV": "AVE", "LANE": "LN", "DRIVE": "DR",
    "CLOSE": "CL", "COURT": "CT", "CRESCENT": "CRES", "GARDENS": "GDNS", "PLACE": "PL",
    "TERRACE": "TER", "TERR": "TER", "SQUARE": "SQ", "GROVE": "GR", "HOUSE": "HO",
    "APARTMENT": "FLAT", "APT": "FLAT", "NORTH": "N", "SOUTH": "S", "EAST": "E", "WEST": "W",
}  # fmt: skip


def fold(text: str) -> str:
    """Upper case ASCII with accents removed ('Zoë Łukasz' -> 'ZOE LUKASZ'), Cyrillic and Greek
    transliterated ('Олена' -> 'OLENA'). Other scripts fold to nothing and compare as missing."""
    if text.isascii():
        return text.upper()
    text = unicodedata.normalize("NFKD", text.translate(_SPECIAL_LETTERS)).upper()
    text = text.replace("ΟΥ", "OU")  # Greek's one digraph that names need: Παπαδόπουλος
    return text.translate(_OTHER_SCRIPTS).encode("ascii", "ignore").decode()


@lru_cache(maxsize=200_000)
def name_tokens(text: str) -> tuple[str, ...]:
    """Words of a name: "O'Brien-Smith" -> ('OBRIEN', 'SMITH')."""
    return tuple(t for t in _NOT_LETTERS.split(_APOSTROPHES.sub("", fold(text))) if t)


@lru_cache(maxsize=200_000)
def phonetic(token: str) -> str:
    """A sound-alike key for one name word (metaphone; the word itself if that is empty)."""
    return jellyfish.metaphone(token) or token


@cache
def nickname_groups() -> dict[str, tuple[str, ...]]:
    """Each name in the curated table -> the ids (first name of the line) of its groups."""
    groups: dict[str, list[str]] = {}
    text = resources.files(__package__).joinpath("nicknames.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        names = ["".join(name_tokens(n)) for n in line.split(",")]
        names = [n for n in names if n]
        for name in names:
            ids = groups.setdefault(name, [])
            if names[0] not in ids:
                ids.append(names[0])
    return {name: tuple(ids) for name, ids in groups.items()}


def groups_of(token: str) -> tuple[str, ...]:
    return nickname_groups().get(token, ())


@lru_cache(maxsize=2**19)
def postcode_parts(text: str) -> tuple[str, str, str]:
    """(full, sector, district) of a UK postcode; a value that is not one -> (text, '', '')."""
    compact = _NOT_ALNUM.sub("", fold(text))
    found = _POSTCODE.match(compact)
    if found is None:
        return compact, "", ""
    outward, inward = found.groups()
    return outward + inward, f"{outward} {inward[0]}", outward


@lru_cache(maxsize=100_000)
def dob_parts(dob: date | None, dob_text: str) -> tuple[str, str]:
    """(eight digits YYYYMMDD, leftover text) for a date of birth.

    A text date in YYYY-MM-DD or DD/MM/YYYY shape keeps its digits even when it is not a real
    date (1965-13-10), so that swapped day and month or a one-digit slip can still be seen.
    Other text with digits in it is kept as text and can only agree exactly.
    """
    if dob is not None:
        return f"{dob.year:04d}{dob.month:02d}{dob.day:02d}", ""
    found = _ISO_DATE.match(dob_text)
    if found is not None:
        year, month, day = found.groups()
        return f"{year}{int(month):02d}{int(day):02d}", ""
    found = _UK_DATE.match(dob_text)
    if found is not None:
        day, month, year = found.groups()
        return f"{year}{int(month):02d}{int(day):02d}", ""
    if not _DIGIT.search(dob_text):
        return "", ""
    return "", _NOT_ALNUM.sub("", fold(dob_text))


@lru_cache(maxsize=100_000)
def parse_iso_date(text: str) -> date | None:
    """A YYYY-MM-DD date, or None when the text is not one."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def address_tokens(text: str, postcode_words: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Distinct address words in order, spelling of common words unified, postcode removed.

    Not memoised: nearly every household's address is different."""
    words = _ALNUM_WORD.findall(_APOSTROPHES.sub("", fold(text)))
    unified = [_ADDRESS_WORDS.get(w, w) for w in words if w not in postcode_words]
    return tuple(dict.fromkeys(unified))


def house_and_street(address: str) -> str:
    """The first house number followed by a word: "FLAT 2 18 MONTAGUE AVE" -> "18 MONTAGUE"."""
    found = _HOUSE_AND_STREET.search(address)
    return f"{found.group(1)} {found.group(2)}" if found else ""
