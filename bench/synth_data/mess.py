"""The mess of spreadsheets that data officers receive, applied to a whole file's rows.

A column a sender did not fill, a date of birth that does not parse (the day and month swapped
past 12, a slashed date), a postcode that is not a UK postcode (an Irish Eircode, "NFA").
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# Columns a sender may leave empty; ids, names and dates of birth are always sent.
_OPTIONAL_COLUMNS = (
    "middle_names",
    "preferred_forename",
    "former_surname",
    "sex",
    "address",
    "upn",
)
_FOREIGN_POSTCODES = (
    "D02 X285", "T12 R2FK", "V94 T9PX", "75011", "10115", "00-950", "1012 AB", "28013",
    "NFA", "No fixed abode", "Not known", "TBC", "abroad", "N/K",
)  # fmt: skip


@dataclass(frozen=True)
class Mess:
    blank_column_file_rate: float = 0.7  # files with one or two columns left empty
    bad_dob: float = 0.005
    foreign_postcode: float = 0.005


FILES_MESS = Mess()


def _bad_dob(dob: str, rng: random.Random) -> str:
    year, month, day = dob[:4], dob[5:7], dob[8:]
    if int(day) > 12:
        return f"{year}-{day}-{month}"  # 2013-13-10: the day typed where the month goes
    if rng.random() < 0.5:
        return f"{day}/{month}/{year}"
    return f"{year}-{month}-{int(day) + 30}"  # a day no month has


def make_messy(rows: list[dict[str, str]], rng: random.Random, mess: Mess) -> dict[str, int]:
    """Mess `rows` up in place; returns what was done ("blank column X", "bad dob", ...)."""
    done: dict[str, int] = {}
    blank: list[str] = []
    if rng.random() < mess.blank_column_file_rate:
        blank = rng.sample(_OPTIONAL_COLUMNS, 1 if rng.random() < 0.6 else 2)
        done.update((f"blank column {column}", len(rows)) for column in blank)
    bad_dobs = foreign = 0
    for row in rows:
        for column in blank:
            row[column] = ""
        if row["dob"] and rng.random() < mess.bad_dob:
            row["dob"] = _bad_dob(row["dob"], rng)
            bad_dobs += 1
        if rng.random() < mess.foreign_postcode:
            row["postcode"] = _FOREIGN_POSTCODES[int(rng.random() * len(_FOREIGN_POSTCODES))]
            foreign += 1
    done.update({"unparsable dob": bad_dobs, "non-UK postcode": foreign})
    return done
