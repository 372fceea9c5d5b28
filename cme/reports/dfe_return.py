"""The DfE termly CME return: its rows, its CSV, its census dates, and the audit of each export.

The CSV goes to DfE, so no small-number suppression is applied; it holds counts only.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction

from cme.accounts.models import Authority
from cme.core import audit
from cme.core.models import AuditAction
from cme.reports.selectors import (
    BREAKDOWNS,
    CATEGORIES,
    Figures,
    cme_at_census,
    cme_in_previous_year,
)

HEADER = ("measure", "breakdown", "value", "count")
MEASURES = ("cme_at_census", "cme_in_previous_year")
_THURSDAY = 3  # date.weekday()


@dataclass(frozen=True)
class ReturnRow:
    measure: str
    breakdown: str
    value: str
    count: int


def return_rows(authority: Authority, census_date: date) -> list[ReturnRow]:
    """Every row of the return, in a fixed order; two queries."""
    measures: dict[str, Figures] = {
        "cme_at_census": cme_at_census(authority, census_date),
        "cme_in_previous_year": cme_in_previous_year(authority, census_date),
    }
    return [
        ReturnRow(measure, breakdown, value, figures.counts[breakdown][value])
        for measure, figures in measures.items()
        for breakdown in BREAKDOWNS
        for value in CATEGORIES[breakdown]
    ]


def csv_text(rows: list[ReturnRow]) -> str:
    """The return as CSV text: the header, then one line per row. Values are fixed codes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows((row.measure, row.breakdown, row.value, row.count) for row in rows)
    return buffer.getvalue()


def filename(authority: Authority, census_date: date) -> str:
    return f"dfe-cme-return-{authority.la_code}-{census_date.isoformat()}.csv"


def record_export(
    *, authority: Authority, census_date: date, actor: Any = None, via: str = "web"
) -> None:
    """One audit event per export; `actor` is None from the command line."""
    audit.record(
        action=AuditAction.EXPORTED,
        actor=actor,
        authority=authority,
        target_type="reports.dfe_return",
        payload={"report": "dfe_return", "census_date": census_date.isoformat(), "via": via},
    )


def write_atomically(text: str, out: Path, commit: Any = None) -> None:
    """Write to a temporary file beside `out`, then rename it over `out`.

    `commit` runs just before the rename, inside a transaction: if it fails, no file appears, and
    if the rename fails, what it wrote to the database rolls back.
    """
    handle, temp_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as temp:
            temp.write(text)
        with transaction.atomic():
            if commit is not None:
                commit()
            os.replace(temp_name, out)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _nth_thursday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(_THURSDAY - first.weekday()) % 7 + 7 * (n - 1))


def census_dates(year: int) -> list[date]:
    """The census days of a calendar year: third Thursday of January and of May, first of October."""
    return [_nth_thursday(year, 1, 3), _nth_thursday(year, 5, 3), _nth_thursday(year, 10, 1)]


def next_census_date(today: date) -> date:
    """The first census day on or after `today`."""
    candidates = census_dates(today.year) + census_dates(today.year + 1)
    return next(day for day in candidates if day >= today)


def preview_rows(rows: list[ReturnRow]) -> Iterator[tuple[str, list[ReturnRow]]]:
    """Rows grouped by measure, for the page's tables."""
    for measure in MEASURES:
        yield measure, [row for row in rows if row.measure == measure]
