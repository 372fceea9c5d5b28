"""`cme audit verify` walks the audit trail's hash chain and reports any edited or removed event;
`cme audit head` prints the last event's number and hash, to keep outside the database (ADR 0003)."""

from __future__ import annotations

import re
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cme.core import audit

ANCHOR = re.compile(r"^\s*(\d+)\s+([0-9a-f]{64})\s*$")


def _anchors(path: str) -> list[tuple[int, str]]:
    """Lines as `cme audit head` prints them ("SEQ HASH"); blank lines and # comments skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"Cannot read the anchors file {path}: {error}") from error
    anchors = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = ANCHOR.match(line)
        if match is None:
            raise CommandError(
                f"{path}, line {number}: expected an event number and a 64-character hash, "
                "as `cme audit head` prints them"
            )
        anchors.append((int(match[1]), match[2]))
    return anchors


class Command(BaseCommand):
    help = "Check the audit trail has not been altered (verify), or print its head (head)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["verify", "head"], help="what to do")
        parser.add_argument(
            "--anchors",
            metavar="FILE",
            help="heads printed earlier by `cme audit head`, one per line: each must still be "
            "in the trail unchanged",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "head":
            seq, digest = audit.head()
            self.stdout.write(f"{seq} {digest}")
            return
        anchors = _anchors(options["anchors"]) if options["anchors"] else []
        result = audit.verify(anchors)
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(f"- {problem}")
            raise CommandError(
                f"The audit trail has been altered: {len(result.problems)} problem(s) "
                f"in {result.checked} events."
            )
        checked_against = f", {len(anchors)} earlier head(s) matched" if anchors else ""
        self.stdout.write(
            f"The audit trail is intact: {result.checked} events checked{checked_against}."
        )
