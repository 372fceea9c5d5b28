"""Exporting the case list to CSV or XLSX: streamed, formula-escaped, audited once.

A spreadsheet treats a cell starting with =, +, -, @, a tab or a carriage return as a formula
(OWASP "CSV injection"), so every text cell starting with one of those is prefixed with a single
quote. A restricted child without a grant is exported as the restricted label only.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from cme.accounts.models import User
from cme.cases.list_forms import year_group_on
from cme.cases.models import Case
from cme.cases.selectors import CaseRow, case_row
from cme.core import audit
from cme.core.models import AuditAction

CSV, XLSX = "csv", "xlsx"
FORMATS = (CSV, XLSX)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_SIZE = 2000
# Kept in memory up to this size, then in a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024

HEADERS = [
    "Reference",
    "Child",
    "Date of birth",
    "Year group",
    "Stage",
    "Priority",
    "Owner",
    "Date notified",
    "Next follow-up",
    "Overdue",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | date | None


def escape_formula(value: Cell) -> Cell:
    """Text a spreadsheet would run as a formula, made inert with a leading single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def row_values(row: CaseRow, *, today: date) -> list[Cell]:
    """One exported line; nothing personal about a restricted child without a grant."""
    case = row.case
    return [
        case.reference,
        row.child_name,
        row.date_of_birth,
        "" if row.restricted else year_group_on(row.date_of_birth, today),
        case.get_stage_display(),
        case.get_priority_display(),
        str(case.owner) if case.owner else "Unassigned",
        case.notified_on,
        case.next_follow_up_on,
        "Yes" if row.overdue else "No",
    ]


def _rows(cases: QuerySet[Case], today: date) -> Iterator[list[Cell]]:
    for case in cases.iterator(chunk_size=CHUNK_SIZE):
        yield row_values(case_row(case, today=today), today=today)


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    text = escape_formula(value)
    return text if isinstance(text, str) else ""


def csv_lines(rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so Excel reads the file as UTF-8
    yield writer.writerow(HEADERS)
    for values in rows:
        yield writer.writerow([_csv_text(value) for value in values])


def _xlsx_value(value: Cell) -> Cell:
    if isinstance(value, str):
        # openpyxl refuses control characters, and would store text starting with = as a formula.
        return escape_formula(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def write_xlsx(rows: Iterable[Sequence[Cell]], handle: Any) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Cases")
    sheet.append(HEADERS)
    for values in rows:
        sheet.append([_xlsx_value(value) for value in values])
    workbook.save(handle)


def export_filename(la_code: str, fmt: str, today: date) -> str:
    """No personal data in the name: the authority's code and the date only."""
    return f"cases-{la_code}-{today.isoformat()}.{fmt}"


def cases_export(
    *,
    actor: User,
    cases: QuerySet[Case],
    fmt: str,
    filters: dict[str, Any],
    today: date,
) -> StreamingHttpResponse | FileResponse:
    """Record the export in the audit trail, then stream it.

    The row count comes from a COUNT query before streaming, because the audit event is written
    before the first byte leaves.
    """
    membership = actor.membership
    if membership is None or fmt not in FORMATS:
        raise ValueError("An export needs a member of an authority and a known format")
    audit.record(
        action=AuditAction.EXPORTED,
        actor=actor,
        authority_id=membership.authority_id,
        target_type="cases.case",
        payload={"format": fmt, "rows": cases.count(), "filters": filters},
    )
    filename = export_filename(membership.authority.la_code, fmt, today)
    if fmt == CSV:
        response = StreamingHttpResponse(
            csv_lines(_rows(cases, today)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    handle = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - FileResponse closes it
    write_xlsx(_rows(cases, today), handle)
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
