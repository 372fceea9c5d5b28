"""`cme report dfe-return --authority LA_CODE --census-date YYYY-MM-DD --out FILE.csv`."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cme.accounts.models import Authority
from cme.reports import dfe_return


class Command(BaseCommand):
    help = "Write a report to a file (cme report dfe-return --authority 990 --census-date ...)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("report", choices=["dfe-return"], help="which report to write")
        parser.add_argument("--authority", required=True, help="the authority's 3-digit LA code")
        parser.add_argument("--census-date", required=True, help="the census date, YYYY-MM-DD")
        parser.add_argument("--out", required=True, help="the CSV file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        code = str(options["authority"]).strip()
        authority = Authority.objects.filter(la_code=code).first()
        if authority is None:
            raise CommandError(f"No authority has the LA code {code!r}.")
        try:
            census_date = date.fromisoformat(str(options["census_date"]))
        except ValueError:
            raise CommandError(
                f"The census date must be a real date written YYYY-MM-DD, not "
                f"{options['census_date']!r}."
            ) from None
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(f"The folder {str(out.parent)!r} does not exist.")
        rows = dfe_return.return_rows(authority, census_date)
        try:
            dfe_return.write_atomically(
                dfe_return.csv_text(rows),
                out,
                commit=lambda: dfe_return.record_export(
                    authority=authority, census_date=census_date, via="command_line"
                ),
            )
        except OSError as problem:
            raise CommandError(f"Could not write {str(out)!r}: {problem.strerror}.") from None
        total = next(r.count for r in rows if r.measure == "cme_at_census")
        self.stdout.write(
            f"Wrote the DfE CME return for {authority.la_code} at {census_date.isoformat()} "
            f"to {out} ({total} children missing education on the census date)."
        )
