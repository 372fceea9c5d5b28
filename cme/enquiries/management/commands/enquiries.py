"""`cme enquiries`: the outbox, the daily escalation clock, and the directory's remote entries.

cme enquiries send                      deliver due outbox messages (retries with backoff)
cme enquiries escalate                  flag overdue incoming enquiries to managers (idempotent)
cme enquiries key 990                   print a hosted authority's directory entry and public key
cme enquiries add-remote 993 "Farshire Council" https://cme.farshire.example <public key>
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cme.accounts.models import Authority
from cme.enquiries import services, transport


class Command(BaseCommand):
    help = "Enquiries between authorities: send the outbox, escalate, keys and remote entries."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("send", help="Deliver due outbox messages")
        sub.add_parser("escalate", help="Escalate overdue incoming enquiries to managers")
        key = sub.add_parser("key", help="Print a hosted authority's public key")
        key.add_argument("la_code")
        remote = sub.add_parser(
            "add-remote", help="Add or change an authority on another deployment"
        )
        remote.add_argument("la_code")
        remote.add_argument("name")
        remote.add_argument("base_url")
        remote.add_argument("public_key")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "send":
            counts = transport.outbox_drain()
            self.stdout.write(
                f"{counts['delivered']} message(s) delivered; {counts['waiting']} to retry later."
            )
        elif action == "escalate":
            escalated = services.overdue_escalate()
            emails = services.escalations_notify(enquiries=escalated)
            self.stdout.write(f"{len(escalated)} enquiry(ies) escalated; {emails} email(s) sent.")
        elif action == "key":
            authority = Authority.objects.filter(la_code=options["la_code"]).first()
            if authority is None:
                raise CommandError("No authority with that LA code is hosted here")
            entry = services.directory_entry_for(authority)
            self.stdout.write(f"{entry.la_code}\t{entry.name}\t{entry.public_key}")
        else:
            try:
                entry = services.directory_remote_save(
                    actor=None,
                    la_code=options["la_code"],
                    name=options["name"],
                    base_url=options["base_url"],
                    public_key=options["public_key"],
                )
            except services.EnquiryRefused as refused:
                raise CommandError(str(refused)) from None
            self.stdout.write(f"{entry.la_code} {entry.name}: saved")
