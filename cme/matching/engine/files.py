"""`cme match`: link a queries CSV to a register CSV and write the matches as CSV."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cme.matching.engine.comparisons import COMPARISONS
from cme.matching.engine.linkage import feature_rows, gc_paused, link_features
from cme.matching.engine.model import MatchModel
from cme.matching.engine.normalise import parse_iso_date, postcode_parts
from cme.matching.engine.records import PersonRecord, PreparedRecord
from cme.matching.engine.training import train_features

COLUMNS = (
    "id", "forename", "middle_names", "surname", "preferred_forename", "former_surname", "dob",
    "sex", "postcode", "address", "upn",
)  # fmt: skip
OUTPUT_HEADER = ("query_id", "register_id", "match_probability")


class MatchFilesError(Exception):
    """A file cannot be used; the message says why in words a data officer understands."""


@dataclass
class MatchFilesReport:
    register_rows: int
    query_rows: int
    matched_queries: int
    output_rows: int
    threshold: float
    model_version: str
    warnings: int = 0
    trained: bool = False
    seconds: dict[str, float] = field(default_factory=dict)


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as error:
        raise MatchFilesError(f"{path}: no such file") from error
    except UnicodeDecodeError as error:
        raise MatchFilesError(f"{path}: not UTF-8 text (save it as CSV UTF-8)") from error
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    if not any(header):
        raise MatchFilesError(f"{path}: the file is empty")
    if "id" not in header:
        raise MatchFilesError(f"{path}: there is no id column")
    rows = [row for row in reader if any(row)]
    if not rows:
        raise MatchFilesError(f"{path}: there are no rows under the header")
    return header, rows


def read_records(path: Path, warn: Callable[[str], None]) -> list[PersonRecord]:
    """Rows of a CSV in the `cme match` format as records; problems with values are warnings."""
    header, rows = _rows(path)
    where = {name: header.index(name) for name in COLUMNS if name in header}
    width = len(header)
    seen: set[str] = set()
    records = []
    for number, row in enumerate(rows, start=2):  # the header is row 1
        if len(row) < width:
            row = row + [""] * (width - len(row))
        (record_id, forename, middle, surname, preferred, former, dob_text, sex, postcode,
         address, upn) = (row[where[c]].strip() if c in where else "" for c in COLUMNS)  # fmt: skip
        if not record_id:
            raise MatchFilesError(f"{path}: row {number}: id is blank")
        if record_id in seen:
            raise MatchFilesError(f"{path}: row {number}: id is used by an earlier row too")
        seen.add(record_id)
        dob = parse_iso_date(dob_text) if dob_text else None
        if dob_text and dob is None:
            warn(f"{path}: row {number}: dob is not a date (YYYY-MM-DD); compared as text")
        sex = sex.upper()
        if sex not in ("", "M", "F"):
            warn(f"{path}: row {number}: sex is not M, F or blank; ignored")
            sex = ""
        if postcode and not postcode_parts(postcode)[2]:
            warn(f"{path}: row {number}: postcode is not a UK postcode; compared as text")
        records.append(
            PersonRecord(
                record_id,
                (forename, preferred) if preferred else (forename,) if forename else (),
                middle,
                (surname, former) if former else (surname,) if surname else (),
                dob,
                "" if dob else dob_text,
                sex,
                postcode,
                address,
                (upn,) if upn else (),
            )
        )
    return records


def _explanation(model: MatchModel, query: PreparedRecord, candidate: PreparedRecord) -> list[str]:
    evidence = model.score(query, candidate).evidence
    return [f"{e.verdict}: {e.detail}" if e.verdict != "missing" else "missing" for e in evidence]


def match_files(
    register_csv: Path,
    queries_csv: Path,
    out_csv: Path,
    *,
    threshold: float | None,
    top: int,
    explain: bool,
    model: MatchModel | None,
    warn: Callable[[str], None],
) -> MatchFilesReport:
    """Link the queries file to the register file and write OUT as the issue's CSV contract."""
    if top < 1:
        raise MatchFilesError("--top must be 1 or more")
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise MatchFilesError("--threshold must be a probability between 0 and 1")
    clock = time.perf_counter()
    counts = {"warnings": 0}

    def counted_warn(message: str) -> None:
        counts["warnings"] += 1
        warn(message)

    with gc_paused():
        register = feature_rows(read_records(register_csv, counted_warn))
        queries = feature_rows(read_records(queries_csv, counted_warn))
    seconds = {"read": time.perf_counter() - clock}
    trained = model is None
    if model is None:
        clock = time.perf_counter()
        model = train_features(
            register,
            queries,
            description={"register": register_csv.name, "queries": queries_csv.name},
        )
        seconds["train"] = time.perf_counter() - clock
    cutoff = model.threshold if threshold is None else threshold
    clock = time.perf_counter()
    results = list(link_features(register, queries, model, threshold=cutoff, top=top))
    seconds["link"] = time.perf_counter() - clock
    by_id = {row[0]: row for row in register}
    query_by_id = {row[0]: row for row in queries}
    with out_csv.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(OUTPUT_HEADER + (tuple(c.key for c in COMPARISONS) if explain else ()))
        for result in results:
            row = [result.query_id, result.register_id, f"{result.probability:.6f}"]
            if explain:
                query = PreparedRecord.from_features(query_by_id[result.query_id])
                candidate = PreparedRecord.from_features(by_id[result.register_id])
                row += _explanation(model, query, candidate)
            writer.writerow(row)
    return MatchFilesReport(
        register_rows=len(register),
        query_rows=len(queries),
        matched_queries=len({r.query_id for r in results}),
        output_rows=len(results),
        threshold=cutoff,
        model_version=model.version,
        warnings=counts["warnings"],
        trained=trained,
        seconds=seconds,
    )
