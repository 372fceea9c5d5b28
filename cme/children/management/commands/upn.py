"""`cme upn validate`: check Unique Pupil Numbers from the command line or a file, one per line."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cme.children.upn import normalise_upn, validate_upn


def _problem(upn: str) -> str | None:
    """Why the normalised `upn` is not valid, in the words validation uses; None if it is."""
    try:
        validate_upn(normalise_upn(upn))
    except ValidationError as error:
        return " ".join(error.messages)
    return None


def _lines(stream: TextIO) -> Iterator[str]:
    """The non-blank lines of `stream`, without their line endings."""
    for line in stream:
        text = line.rstrip("\r\n")
        if text.strip():
            yield text


class Command(BaseCommand):
    help = (
        "Check UPNs: cme upn validate [UPN ...] [--file F]. Each UPN is checked after removing "
        "spaces and uppercasing, and printed as given, followed by 'valid' or 'invalid: <reason>'. "
        "Exits 1 if any is invalid."
    )
    # Checking UPNs needs no database and no configuration checks.
    requires_system_checks: list[str] = []
    # Tests pass a stream in place of standard input.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["validate"], help="what to do with the UPNs")
        parser.add_argument("upns", nargs="*", metavar="UPN", help="UPNs to check")
        parser.add_argument(
            "--file",
            metavar="F",
            help="a file with one UPN per line (blank lines are skipped); '-' reads standard input",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        upns: list[str] = list(options["upns"])
        if options["file"] is not None:
            upns.extend(self._read(options["file"], options.get("stdin") or sys.stdin))
        if not upns:
            raise CommandError("Give at least one UPN, or --file with one UPN per line.")
        invalid = self._report(upns)
        if invalid:
            raise CommandError(f"{invalid} of {len(upns)} UPNs are not valid.", returncode=1)

    def _read(self, name: str, stdin: TextIO) -> list[str]:
        """The UPNs in file `name`, or standard input for '-'. A BOM (from Excel) is ignored."""
        if name == "-":
            return [line.lstrip("\ufeff") for line in _lines(stdin)]
        try:
            with Path(name).open(encoding="utf-8-sig") as stream:
                return list(_lines(stream))
        except OSError as error:
            raise CommandError(f"Cannot read {name}: {error.strerror or error}") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"Cannot read {name}: it is not UTF-8 text") from error

    def _report(self, upns: Iterable[str]) -> int:
        """Print one line per UPN and return how many are invalid."""
        invalid = 0
        for upn in upns:
            problem = _problem(upn)
            if problem is None:
                self.stdout.write(f"{upn} valid")
            else:
                invalid += 1
                self.stdout.write(f"{upn} invalid: {problem}")
        return invalid
