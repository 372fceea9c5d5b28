"""`cme tick`: the daily clocks. Creates due monthly follow-ups and emails their owners; starts
placements whose day has come, schedules attendance checks and raises tasks for missed ones;
records fair access panel decisions met and alerts the owners of those not met by their date;
escalates overdue enquiries from other authorities to managers and sends the enquiries outbox;
works out every authority's dashboard figures afresh.

Safe to run more than once a day (by cron, or by a task worker): it only acts on what is new.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from cme.cases import services
from cme.enquiries import services as enquiries
from cme.enquiries import transport as enquiry_outbox
from cme.panels import services as panels
from cme.provision.services import provision_tick
from cme.reports import snapshots


class Command(BaseCommand):
    help = (
        "Create due follow-up tasks and send reminders; start due placements, schedule attendance "
        "checks and raise tasks for missed ones; alert overdue panel decisions (idempotent; run "
        "daily)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        created = services.follow_ups_create()
        people = services.reminders_send(tasks=created)
        self.stdout.write(
            f"{len(created)} follow-up task(s) created; {people} reminder email(s) sent."
        )
        placements = provision_tick()
        self.stdout.write(
            f"{placements.started} placement(s) started; {placements.checks_added} attendance "
            f"check(s) scheduled; {placements.missed_tasks} task(s) raised for missed checks."
        )
        decisions = panels.decisions_check()
        self.stdout.write(
            f"{decisions.met} panel decision(s) recorded as met; "
            f"{len(decisions.alerted)} overdue panel decision alert(s) raised."
        )
        escalated = enquiries.overdue_escalate()
        emails = enquiries.escalations_notify(enquiries=escalated)
        sent = enquiry_outbox.outbox_drain()
        self.stdout.write(
            f"{len(escalated)} overdue enquiry(ies) escalated to managers ({emails} email(s)); "
            f"{sent['delivered']} enquiry message(s) delivered, {sent['waiting']} to retry."
        )
        boards = snapshots.refresh_all(timezone.localtime())
        self.stdout.write(f"Dashboard figures worked out for {boards} authority(ies).")
