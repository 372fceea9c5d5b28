"""`cme report dfe-return --authority LA_CODE --census-date YYYY-MM-DD --out FILE.csv` writes the
DfE return; `cme report dashboard [--authority LA_CODE]` works the dashboard's figures out again
(every authority's without `--authority`), for cron to run as often as they should be fresh."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cme.accounts.models import Authority
from cme.reports import dfe_return, snapshots


class Command(BaseCommand):
    help = (
        "Write the DfE return to a file (cme report dfe-return --authority 990 --census-date ... "
        "--out ...), or work the dashboard figures out again (cme report dashboard)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("report", choices=["dfe-return", "dashboard"], help="which report")
        parser.add_argument("--authority", help="the authority's 3-digit LA code")
        parser.add_argument("--census-date", help="the census date, YYYY-MM-DD (dfe-return)")
        parser.add_argument("--out", help="the CSV file to write (dfe-return)")

    def handle(self, *args: Any, **options: Any) -> None:
        authority = _authority(options["authority"])
        if options["report"] == "dashboard":
            self._dashboard(authority)
            return
        if authority is None:
            raise CommandError("The DfE return needs --authority.")
        for option in ("census_date", "out"):
            if not options[option]:
                raise CommandError(f"The DfE return needs --{option.replace('_', '-')}.")
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

    def _dashboard(self, authority: Authority | None) -> None:
        now = timezone.localtime()
        if authority is None:
            count = snapshots.refresh_all(now)
            self.stdout.write(f"Dashboard figures worked out for {count} authority(ies).")
            return
        snapshots.dashboard_refresh(authority, now)
        self.stdout.write(f"Dashboard figures worked out for {authority.la_code}.")


def _authority(code: str | None) -> Authority | None:
    if code is None:
        return None
    authority = Authority.objects.filter(la_code=code.strip()).first()
    if authority is None:
        raise CommandError(f"No authority has the LA code {code.strip()!r}.")
    return authority
