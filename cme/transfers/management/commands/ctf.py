"""`cme ctf inspect FILE`: what a Common Transfer File holds, as JSON, without importing it.

Exit status 0 when the file was read (per-pupil problems are listed under "errors"), 2 with a
one-line reason on standard error when it is refused (not XML, a DTD or entity, too large, not a
CTF).
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand

from cme.transfers.ctf import run_inspect


class Command(BaseCommand):
    help = "Common Transfer Files: cme ctf inspect FILE"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        inspect = actions.add_parser("inspect", help="print what a CTF holds, as JSON")
        inspect.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        # The JSON is written in pieces: no line ending may be added to each.
        self.stdout.ending = self.stderr.ending = ""
        # OutputWrapper is a text stream (TextIOBase) that django-stubs does not call one.
        out, err = cast(TextIO, self.stdout), cast(TextIO, self.stderr)
        status = run_inspect(options["file"], out, err)
        if status:
            raise SystemExit(status)
