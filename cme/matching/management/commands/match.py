"""`cme match`: match a spreadsheet of queries against a register spreadsheet.

cme match --register R.csv --queries Q.csv --out OUT.csv [--threshold P] [--top N] [--explain]
          [--model VERSION]

Both files are CSV with a header row (columns: id, forename, middle_names, surname,
preferred_forename, former_surname, dob, sex, postcode, address, upn). Unless --model names a
stored model, the engine trains on the two files given. Warnings go to stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cme.matching.engine import MatchModel
from cme.matching.engine.files import MatchFilesError, MatchFilesReport, match_files
from cme.matching.models import StoredModel


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError as problem:
        raise CommandError("--threshold must be a number between 0 and 1, like 0.9") from problem
    if not 0 <= value <= 1:
        raise CommandError("--threshold must be a number between 0 and 1, like 0.9")
    return value


class Command(BaseCommand):
    help = "Match the rows of a queries CSV against a register CSV; write the matches as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--register", required=True, type=Path, help="the register CSV")
        parser.add_argument("--queries", required=True, type=Path, help="the queries CSV")
        parser.add_argument("--out", required=True, type=Path, help="where to write the matches")
        parser.add_argument(
            "--threshold",
            help="lowest match probability to report (default: the model's own threshold)",
        )
        parser.add_argument(
            "--top", type=int, default=1, help="most candidates per query (default 1)"
        )
        parser.add_argument(
            "--explain", action="store_true", help="add a column per field saying why"
        )
        parser.add_argument("--model", help="use this stored model version instead of training")

    def handle(self, *args: Any, **options: Any) -> None:
        register: Path = options["register"]
        queries: Path = options["queries"]
        out: Path = options["out"]
        for label, path in (("register", register), ("queries", queries)):
            if not path.is_file():
                raise CommandError(f"The {label} file {path} does not exist")
        if not out.parent.is_dir():
            raise CommandError(f"The folder for --out ({out.parent}) does not exist")
        top = options["top"]
        if top < 1:
            raise CommandError("--top must be 1 or more")
        threshold = _probability(options["threshold"]) if options["threshold"] else None
        model = None
        if options["model"]:
            stored = StoredModel.objects.filter(version=options["model"]).first()
            if stored is None:
                raise CommandError(f"There is no stored model with version {options['model']}")
            model = MatchModel.from_dict(stored.parameters)

        def warn(message: str) -> None:
            self.stderr.write(f"warning: {message}")

        try:
            report = match_files(
                register,
                queries,
                out,
                threshold=threshold,
                top=top,
                explain=options["explain"],
                model=model,
                warn=warn,
            )
        except MatchFilesError as problem:
            raise CommandError(str(problem)) from problem
        self.stdout.write(_summary(report))


def _summary(report: MatchFilesReport) -> str:
    trained = "trained on the two files" if report.trained else f"model {report.model_version}"
    seconds = sum(report.seconds.values())
    return (
        f"{report.query_rows} queries against {report.register_rows} register rows "
        f"({trained}, threshold {report.threshold:g}): {report.matched_queries} matched, "
        f"{report.output_rows} rows written, {report.warnings} warnings, {seconds:.1f} s."
    )
