"""`cme provision_tick`: the daily clock of provision monitoring (also called by `cme tick`).

Starts placements whose start date has come, keeps every placed child's attendance checks
scheduled, and raises one task for each missed check. Safe to run more than once a day.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cme.provision.services import provision_tick


class Command(BaseCommand):
    help = "Start due placements, schedule attendance checks, raise tasks for missed checks."

    def handle(self, *args: Any, **options: Any) -> None:
        result = provision_tick()
        self.stdout.write(
            f"{result.started} placement(s) started; {result.checks_added} attendance check(s) "
            f"scheduled; {result.missed_tasks} task(s) raised for missed checks."
        )
