"""`cme tick`: the daily clocks. Creates due monthly follow-ups and emails their owners.

Safe to run more than once a day (by cron, or by a task worker): it only acts on what is new.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cme.cases import services


class Command(BaseCommand):
    help = "Create due follow-up tasks and send reminders (idempotent; run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        created = services.follow_ups_create()
        people = services.reminders_send(tasks=created)
        self.stdout.write(
            f"{len(created)} follow-up task(s) created; {people} reminder email(s) sent."
        )
