"""Reading an uploaded CSV file: size and row limits, UTF-8 (with or without a byte order mark),
and a header naming the columns the import needs. Row numbers count the header as row 1, as a
spreadsheet shows them."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from cme.registers.models import ImportKind

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000


class FileRefused(Exception):
    """The file cannot be imported at all; the message says why, for the person uploading it."""


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Layout:
    kind: ImportKind
    columns: tuple[Column, ...]

    @property
    def header(self) -> str:
        return ",".join(column.name for column in self.columns)

    @property
    def names(self) -> str:
        """The column names for people to read (with spaces, so long lines can wrap)."""
        return ", ".join(column.name for column in self.columns)

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)

    def find(self, heading: str) -> Column | None:
        key = _key(heading)
        for column in self.columns:
            if key == column.name or key in column.aliases:
                return column
        return None


ROLL = Layout(
    ImportKind.ROLL,
    (
        Column("upn", "UPN", required=True, aliases=("unique_pupil_number",)),
        Column("forename", "First name", required=True, aliases=("first_name", "legal_forename")),
        Column("middle_names", "Middle names", aliases=("middle_name",)),
        Column("surname", "Last name", required=True, aliases=("last_name", "legal_surname")),
        Column("preferred_forename", "Preferred first name", aliases=("preferred_first_name",)),
        Column("dob", "Date of birth", required=True, aliases=("date_of_birth", "birth_date")),
        Column("sex", "Sex", required=True, aliases=("gender",)),
        Column("address", "Address"),
        Column("postcode", "Postcode", aliases=("post_code",)),
        Column("year_group", "Year group", aliases=("ncy", "year")),
        Column("entry_date", "Entry date", aliases=("admission_date", "date_of_entry")),
    ),
)

ESTABLISHMENTS = Layout(
    ImportKind.ESTABLISHMENTS,
    (
        Column("la_code", "LA code", required=True, aliases=("la", "lea")),
        Column(
            "establishment_number",
            "Establishment number",
            required=True,
            aliases=("number", "estab", "estab_number"),
        ),
        Column("urn", "URN"),
        Column("name", "Name", required=True, aliases=("establishment_name", "school_name")),
        Column("type", "Type", required=True, aliases=("kind", "establishment_type")),
        Column("phase", "Phase", required=True, aliases=("phase_of_education",)),
        Column("status", "Open or closed", required=True, aliases=("open", "open_closed")),
    ),
)

LAYOUTS = {ImportKind.ROLL: ROLL, ImportKind.ESTABLISHMENTS: ESTABLISHMENTS}


def _key(heading: str) -> str:
    return re.sub(r"[\s\-/]+", "_", heading.strip().lower()).strip("_")


def decode(raw: bytes) -> str:
    """The file's text, refusing what is too big, empty or not UTF-8 text."""
    if len(raw) > MAX_BYTES:
        raise FileRefused("The selected file must be smaller than 5MB")
    if not raw.strip():
        raise FileRefused("The selected file is empty")
    if b"\x00" in raw:
        raise FileRefused("The selected file must be a CSV file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(
            "The selected file must be saved as ‘CSV UTF-8’: in Excel, choose Save As and "
            "the type ‘CSV UTF-8 (Comma delimited)’"
        ) from None


@dataclass(frozen=True)
class Header:
    """Where each column the import uses is, under the heading the file gave it."""

    positions: dict[str, int]
    headings: dict[str, str]
    width: int
    ignored: tuple[str, ...]


def _reader(text: str) -> Iterator[list[str]]:
    try:
        yield from csv.reader(io.StringIO(text, newline=""), strict=True)
    except csv.Error as problem:
        raise FileRefused(
            "The selected file could not be read as CSV. Check it was saved as CSV and that "
            "quotation marks in it are paired"
        ) from problem


def read_header(text: str, layout: Layout) -> Header:
    first = next(_reader(text), None)
    if not first or not any(cell.strip() for cell in first):
        raise FileRefused("The first row of the file must name the columns: " + layout.names)
    positions: dict[str, int] = {}
    headings: dict[str, str] = {}
    ignored: list[str] = []
    for index, heading in enumerate(first):
        column = layout.find(heading)
        if column is None:
            if heading.strip():
                ignored.append(heading.strip()[:40])
            continue
        if column.name in positions:
            raise FileRefused(
                f"The file has the column ‘{column.name}’ more than once "
                f"(‘{headings[column.name]}’ and ‘{heading.strip()}’)"
            )
        positions[column.name] = index
        headings[column.name] = heading.strip()
    missing = [column.name for column in layout.columns if column.name not in positions]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        # Optional columns must be there too, even empty: a missing column would otherwise
        # blank out what the register holds.
        optional_only = not any(layout.column(name).required for name in missing)
        note = " (the values may be blank, but the column must be there)" if optional_only else ""
        raise FileRefused(
            f"The file is missing the column{plural} {', '.join(missing)}{note}. "
            f"The first row must name the columns {layout.names}"
        )
    return Header(positions, headings, len(first), tuple(ignored))


def _blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def count_rows(text: str) -> int:
    """The number of rows after the header (blank rows are skipped), refusing too many."""
    rows = 0
    for cells in _reader(text):
        if not _blank(cells):
            rows += 1
            if rows > MAX_ROWS + 1:
                break
    rows = max(rows - 1, 0)
    if rows > MAX_ROWS:
        raise FileRefused(f"The file must have at most {MAX_ROWS:,} rows; split it into parts")
    if rows == 0:
        raise FileRefused("The file has a header but no rows")
    return rows


@dataclass(frozen=True)
class Record:
    row: int
    values: dict[str, str]
    # When the row has a different number of cells than the header: the count, else None.
    width: int | None


def records(text: str, header: Header) -> Iterator[Record]:
    """Each non-blank row after the header, with values by column name, stripped of spaces."""
    for number, cells in enumerate(_reader(text), start=1):
        if number == 1 or _blank(cells):
            continue
        while len(cells) > header.width and not cells[-1].strip():
            cells = cells[:-1]
        values = {
            name: (cells[index].strip() if index < len(cells) else "")
            for name, index in header.positions.items()
        }
        yield Record(number, values, None if len(cells) == header.width else len(cells))
