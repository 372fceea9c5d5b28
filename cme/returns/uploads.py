"""Reading a CSV file of returns: every row checked, every problem listed with its row number.

Row numbers are as a spreadsheet shows them: the header is row 1, the first return row 2.
Nothing here writes; `services.returns_upload` saves the rows once every one of them is valid.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from cme.returns.validation import (
    DELETION_COLUMNS,
    NEW_PUPIL_COLUMNS,
    Column,
    DeletionDetails,
    NewPupilDetails,
    Validated,
    validate_deletion_return,
    validate_new_pupil_return,
)

MAX_BYTES = 1024 * 1024
MAX_ROWS = 2000

T = TypeVar("T")

DELETION, NEW_PUPIL = "deletion", "new_pupil"


@dataclass(frozen=True)
class Problem:
    row: int | None  # None: the file as a whole
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" if self.row is not None else "The file"
        column = f", column {self.column}" if self.column else ""
        return f"{where}{column}: {self.message}"


@dataclass
class Parsed(Generic[T]):
    rows: list[tuple[int, T]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Layout:
    columns: list[Column]
    validate: Callable[[Mapping[str, Any]], Validated[Any]]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


LAYOUTS: dict[str, Layout] = {
    DELETION: Layout(DELETION_COLUMNS, validate_deletion_return),
    NEW_PUPIL: Layout(NEW_PUPIL_COLUMNS, validate_new_pupil_return),
}


def template_csv(kind: str) -> str:
    """The header row of a blank file, for schools to fill in."""
    out = io.StringIO()
    csv.writer(out).writerow(LAYOUTS[kind].names)
    return out.getvalue()


def _decode(raw: bytes) -> str | None:
    if b"\x00" in raw:
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Excel's plain "CSV" on Windows.
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return None


def _file_problem(message: str) -> Parsed[Any]:
    return Parsed(problems=[Problem(None, "", message)])


def parse_returns(raw: bytes, kind: str) -> Parsed[Any]:
    """Read and check every row of a CSV file of deletion or new pupil returns."""
    layout = LAYOUTS[kind]
    if not raw.strip():
        return _file_problem("The selected file is empty")
    if len(raw) > MAX_BYTES:
        return _file_problem("The selected file must be smaller than 1MB")
    text = _decode(raw)
    if text is None:
        return _file_problem("The selected file must be a CSV file saved as UTF-8")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except (StopIteration, csv.Error):
        return _file_problem("The selected file must be a CSV file")
    unknown = [name for name in header if name and name not in layout.names]
    missing = [c.name for c in layout.columns if c.required and c.name not in header]
    parsed: Parsed[Any] = Parsed()
    for name in unknown:
        parsed.problems.append(Problem(1, name, "This is not one of the columns listed"))
    for name in missing:
        parsed.problems.append(Problem(1, name, "This column is missing from the header row"))
    if len(set(header)) != len(header):
        parsed.problems.append(Problem(1, "", "A column name appears more than once"))
    if parsed.problems:
        return parsed
    count = 0
    try:
        for row_number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            count += 1
            if count > MAX_ROWS:
                return _file_problem(f"The file must have no more than {MAX_ROWS:,} returns")
            if len(cells) > len(header):
                parsed.problems.append(
                    Problem(row_number, "", "This row has more cells than the header row")
                )
                continue
            data = dict(zip(header, cells, strict=False))
            checked = layout.validate(data)
            if checked.details is not None:
                parsed.rows.append((row_number, checked.details))
            for column, messages in checked.errors.items():
                for message in messages:
                    parsed.problems.append(
                        Problem(row_number, "" if column == "__all__" else column, message)
                    )
    except csv.Error:
        return _file_problem("The selected file must be a CSV file")
    if count == 0:
        return _file_problem("The selected file has a header row but no returns")
    return parsed


def as_deletions(parsed: Parsed[Any]) -> list[tuple[int, DeletionDetails]]:
    return [(n, d) for n, d in parsed.rows if isinstance(d, DeletionDetails)]


def as_new_pupils(parsed: Parsed[Any]) -> list[tuple[int, NewPupilDetails]]:
    return [(n, d) for n, d in parsed.rows if isinstance(d, NewPupilDetails)]
