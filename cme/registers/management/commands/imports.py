"""`cme imports run`: do the waiting import work (checking uploaded files, applying confirmed ones).

Safe to run from cron every minute alongside the web service, and as many at once as you like:
each batch is claimed with a conditional update, so it is worked once. It also recovers batches
abandoned part-way by a stopped worker (see cme.registers.imports.runner).
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from cme.registers.imports import runner


class Command(BaseCommand):
    help = "Run waiting imports (cme imports run [--loop])."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["run"], help="what to do with imports")
        parser.add_argument(
            "--loop",
            action="store_true",
            help="keep running, looking for work every few seconds (for a worker process)",
        )
        parser.add_argument("--every", type=float, default=5.0, help="seconds between looks")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            worked = runner.run_pending()
            if worked or not options["loop"]:
                self.stdout.write(f"{worked} import(s) worked.")
            if not options["loop"]:
                return
            time.sleep(options["every"])
