"""`cme audit verify`: walk the audit trail's hash chain and report any edited or removed event."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cme.core import audit


class Command(BaseCommand):
    help = "Check the audit trail has not been altered (cme audit verify)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["verify"], help="what to do with the audit trail")

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit.verify()
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(f"- {problem}")
            raise CommandError(
                f"The audit trail has been altered: {len(result.problems)} problem(s) "
                f"in {result.checked} events."
            )
        self.stdout.write(f"The audit trail is intact: {result.checked} events checked.")
