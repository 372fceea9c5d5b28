"""Checking every row of a file. A row with any problem is reported (row number, column, what is
wrong) and nothing of the file is imported until it is corrected.

Messages may quote the value that is wrong, so the person can find it: they are shown on the
import's page only, never logged or written to the audit trail.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Generic, TypeVar

from django.core.exceptions import ValidationError

from cme.children.postcodes import normalise_postcode
from cme.children.upn import normalise_upn, validate_upn
from cme.registers.imports.csvfile import ESTABLISHMENTS, ROLL, Header, Layout, Record, records
from cme.registers.models import Establishment, EstablishmentKind, Phase

MAX_STORED_ERRORS = 500
PROGRESS_EVERY = 500
# National curriculum year groups: nursery 1 and 2, reception, years 1 to 14, and X (none).
YEAR_GROUPS = frozenset(["N1", "N2", "R", "X", *(str(n) for n in range(1, 15))])
OLDEST_PUPIL_YEARS = 25

Progress = Callable[[int], None]
RowT = TypeVar("RowT")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_json(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class PupilRow:
    row: int
    upn: str
    forename: str
    middle_names: str
    surname: str
    preferred_forename: str
    date_of_birth: date
    sex: str
    address: str
    postcode: str
    year_group: str
    admission_date: date | None

    @property
    def name(self) -> str:
        return f"{self.forename} {self.surname}"


@dataclass(frozen=True)
class EstablishmentRow:
    row: int
    la_code: str
    number: str
    urn: str | None
    name: str
    kind: str
    phase: str
    is_open: bool

    @property
    def dfe_number(self) -> str:
        return f"{self.la_code}/{self.number}"


@dataclass
class Checked(Generic[RowT]):
    rows: list[RowT] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    row_count: int = 0

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_STORED_ERRORS:
            self.errors.append(error)


class _Row:
    """Reads one record's values, collecting its problems under the file's own column headings."""

    def __init__(self, record: Record, header: Header, layout: Layout) -> None:
        self.record, self.header, self.layout = record, header, layout
        self.errors: list[RowError] = []
        if record.width is not None:
            self.errors.append(
                RowError(
                    record.row,
                    "",
                    f"This row has {record.width} values but the header has {header.width} "
                    "columns: check for a missing or extra comma",
                )
            )

    def problem(self, name: str, message: str) -> None:
        heading = self.header.headings.get(name) or self.layout.column(name).name
        self.errors.append(RowError(self.record.row, heading, message))

    def text(self, name: str, *, max_length: int, required: bool = False) -> str:
        value = " ".join(self.record.values.get(name, "").split())
        label = self.layout.column(name).label
        if required and not value:
            self.problem(name, f"Enter the {label.lower()}")
        elif len(value) > max_length:
            self.problem(name, f"{label} must be {max_length} characters or fewer")
        return value

    def date(self, name: str, *, required: bool = False) -> date | None:
        value = self.record.values.get(name, "")
        label = self.layout.column(name).label
        if not value:
            if required:
                self.problem(name, f"Enter the {label.lower()}")
            return None
        try:
            return parse_date(value)
        except ValueError as problem:
            self.problem(name, f"{label}: {problem}")
            return None


def parse_date(value: str) -> date:
    """A date written YYYY-MM-DD (ISO) or DD/MM/YYYY (as UK spreadsheets show it)."""
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
    uk = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif uk:
        day, month, year = (int(part) for part in uk.groups())
    else:
        raise ValueError(
            f"write the date as YYYY-MM-DD or DD/MM/YYYY, like 2015-03-31, not ‘{value}’"
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"‘{value}’ is not a real date") from None


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def check_roll(
    text: str, header: Header, *, today: date, progress: Progress | None = None
) -> Checked[PupilRow]:
    """Every row of a pupils-on-roll file, checked; each UPN may appear once."""
    checked: Checked[PupilRow] = Checked()
    first_row_of: dict[str, int] = {}
    oldest = _years_before(today, OLDEST_PUPIL_YEARS)
    for record in records(text, header):
        checked.row_count += 1
        row = _Row(record, header, ROLL)
        upn = normalise_upn(record.values.get("upn", ""))
        if not upn:
            row.problem("upn", "Enter the UPN")
        else:
            try:
                validate_upn(upn)
            except ValidationError as problem:
                row.problem("upn", " ".join(problem.messages))
            else:
                if upn in first_row_of:
                    row.problem(
                        "upn",
                        f"This UPN is also on row {first_row_of[upn]}: each pupil must be on "
                        "the roll once",
                    )
                else:
                    first_row_of[upn] = record.row
        forename = row.text("forename", max_length=100, required=True)
        middle_names = row.text("middle_names", max_length=100)
        surname = row.text("surname", max_length=100, required=True)
        preferred = row.text("preferred_forename", max_length=100)
        born = row.date("dob", required=True)
        if born is not None and born > today:
            row.problem("dob", "Date of birth must be in the past")
        elif born is not None and born < oldest:
            row.problem(
                "dob", f"Date of birth is more than {OLDEST_PUPIL_YEARS} years ago: check it"
            )
        sex = {"M": "M", "MALE": "M", "F": "F", "FEMALE": "F"}.get(
            record.values.get("sex", "").upper()
        )
        if sex is None:
            row.problem("sex", "Enter sex as M or F")
        address = row.text("address", max_length=250)
        postcode = record.values.get("postcode", "")
        if postcode:
            try:
                postcode = normalise_postcode(postcode)
            except ValidationError as problem:
                row.problem("postcode", " ".join(problem.messages))
        year_group = record.values.get("year_group", "").upper()
        if year_group.isdigit():
            year_group = str(int(year_group))
        if year_group and year_group not in YEAR_GROUPS:
            row.problem(
                "year_group",
                f"Year group must be N1, N2, R, 1 to 14 or X, not ‘{year_group[:10]}’",
            )
        entered = row.date("entry_date")
        if entered is not None and born is not None and entered < born:
            row.problem("entry_date", "Entry date must be after the date of birth")
        if row.errors:
            for error in row.errors:
                checked.add_error(error)
        else:
            assert born is not None and sex is not None
            checked.rows.append(
                PupilRow(
                    row=record.row,
                    upn=upn,
                    forename=forename,
                    middle_names=middle_names,
                    surname=surname,
                    preferred_forename=preferred,
                    date_of_birth=born,
                    sex=sex,
                    address=address,
                    postcode=postcode,
                    year_group=year_group,
                    admission_date=entered,
                )
            )
        if progress is not None and checked.row_count % PROGRESS_EVERY == 0:
            progress(checked.row_count)
    return checked


def _choice(value: str, choices: type[EstablishmentKind] | type[Phase]) -> str | None:
    """A choice given by its value or its label, in any case ("academy", "Pupil referral unit")."""
    wanted = " ".join(value.replace("_", " ").split()).casefold()
    for choice in choices:
        if wanted in (choice.value.replace("_", " ").casefold(), str(choice.label).casefold()):
            return str(choice.value)
    return None


_OPEN = {"open": True, "yes": True, "y": True, "true": True, "1": True}
_CLOSED = {"closed": False, "no": False, "n": False, "false": False, "0": False}


def check_establishments(
    text: str, header: Header, *, la_code: str, progress: Progress | None = None
) -> Checked[EstablishmentRow]:
    """Every row of an establishments file. An authority imports only its own LA code's
    establishments; rows for other LA codes are errors. A URN may belong to one establishment."""
    checked: Checked[EstablishmentRow] = Checked()
    first_row_of: dict[tuple[str, str], int] = {}
    urn_row: dict[str, int] = {}
    pending: list[tuple[_Row, EstablishmentRow]] = []
    for record in records(text, header):
        checked.row_count += 1
        row = _Row(record, header, ESTABLISHMENTS)
        code = record.values.get("la_code", "")
        if not code:
            row.problem("la_code", "Enter the LA code")
        elif code != la_code:
            row.problem(
                "la_code",
                f"You can import only establishments with your authority's LA code, {la_code}, "
                f"not {code[:10]}",
            )
        number = record.values.get("establishment_number", "")
        if not re.fullmatch(r"\d{4}", number):
            row.problem("establishment_number", "Establishment number must be 4 digits, like 2001")
        elif (code, number) in first_row_of:
            row.problem(
                "establishment_number",
                f"{code}/{number} is also on row {first_row_of[(code, number)]}",
            )
        else:
            first_row_of[(code, number)] = record.row
        urn = record.values.get("urn", "") or None
        if urn is not None:
            if not re.fullmatch(r"\d{6,7}", urn):
                row.problem("urn", "URN must be 6 or 7 digits, like 100001")
            elif urn in urn_row:
                row.problem("urn", f"This URN is also on row {urn_row[urn]}")
            else:
                urn_row[urn] = record.row
        name = row.text("name", max_length=160, required=True)
        kind = _choice(record.values.get("type", ""), EstablishmentKind)
        if kind is None:
            row.problem(
                "type", "Type must be one of: " + ", ".join(str(c.label) for c in EstablishmentKind)
            )
        phase = _choice(record.values.get("phase", ""), Phase)
        if phase is None:
            row.problem("phase", "Phase must be one of: " + ", ".join(str(c.label) for c in Phase))
        status = record.values.get("status", "").casefold()
        is_open = {**_OPEN, **_CLOSED}.get(status)
        if is_open is None:
            row.problem("status", "Enter Open or Closed")
        if row.errors:
            for error in row.errors:
                checked.add_error(error)
        else:
            assert kind is not None and phase is not None and is_open is not None
            pending.append(
                (row, EstablishmentRow(record.row, code, number, urn, name, kind, phase, is_open))
            )
        if progress is not None and checked.row_count % PROGRESS_EVERY == 0:
            progress(checked.row_count)
    # A URN already held by a different establishment would break the register's uniqueness.
    holders = {
        urn: (la, number, name)
        for urn, la, number, name in Establishment.objects.filter(
            urn__in=list(urn_row)
        ).values_list("urn", "la_code", "number", "name")
    }
    for row, good in pending:
        holder = holders.get(good.urn or "")
        if holder is not None and (holder[0], holder[1]) != (good.la_code, good.number):
            row.problem(
                "urn", f"URN {good.urn} already belongs to {holder[2]} ({holder[0]}/{holder[1]})"
            )
            for error in row.errors:
                checked.add_error(error)
        else:
            checked.rows.append(good)
    checked.errors.sort(key=lambda error: error.row)
    return checked
