"""`cme school-age --dob YYYY-MM-DD [--on YYYY-MM-DD]`: a child's school age as JSON.

Django names a command after its module, and `school-age` is not an importable module name for
tools such as mypy, so the command lives here and `school-age.py` only re-exports it.
"""

from __future__ import annotations

import json
import re
from argparse import ArgumentParser
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError

from cme.children.school_age import school_age

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LONDON = ZoneInfo("Europe/London")


def _parse_date(option: str, value: str) -> date:
    """`value` as a date, or a CommandError that names the option and the bad value."""
    if not _ISO_DATE.fullmatch(value):
        raise CommandError(f"{option} must be a date written YYYY-MM-DD, not {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{option} {value!r} is not a real date: {error}") from error


class Command(BaseCommand):
    help = (
        "Show a child's compulsory school age and year group as JSON: "
        "cme school-age --dob YYYY-MM-DD [--on YYYY-MM-DD] (--on defaults to today in London)."
    )
    # Pure date arithmetic: no database and no configuration checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dob", required=True, help="date of birth, YYYY-MM-DD")
        parser.add_argument("--on", help="the day to answer for, YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        dob = _parse_date("--dob", options["dob"])
        on = (
            datetime.now(_LONDON).date()
            if options["on"] is None
            else _parse_date("--on", options["on"])
        )
        answer = school_age(dob, on)
        self.stdout.write(
            json.dumps(
                {
                    "compulsory_school_age": answer.compulsory_school_age,
                    "starts": answer.starts.isoformat(),
                    "ends": answer.ends.isoformat(),
                    "year_group": answer.year_group,
                }
            )
        )
