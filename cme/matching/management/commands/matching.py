"""`cme matching index|reconcile|train`: keep the matching index, run reconciliation, train a model.

cme matching index [--authority CODE]       rebuild the index from the registers
cme matching reconcile --authority CODE     propose matches for the review queue
cme matching train [--authority CODE]       train on the registers and make it the active model
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cme.accounts.models import Authority
from cme.matching import indexing, services


def _authority(code: str | None, *, required: bool = False) -> Authority | None:
    if not code:
        if required:
            raise CommandError("Say which authority with --authority CODE (its 3-digit LA code)")
        return None
    authority = Authority.objects.filter(la_code=code).first()
    if authority is None:
        raise CommandError(f"No authority has the LA code {code}")
    return authority


class Command(BaseCommand):
    help = "Matching: rebuild the index, run reconciliation, or train and activate a model."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["index", "reconcile", "train"])
        parser.add_argument("--authority", help="the authority's 3-digit LA code")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        code = options.get("authority")
        if action == "index":
            counts = indexing.index_everything(_authority(code))
            summary = ", ".join(f"{kind}: {n}" for kind, n in counts.items())
            self.stdout.write(f"Indexed {sum(counts.values())} record(s) ({summary}).")
        elif action == "reconcile":
            authority = _authority(code, required=True)
            assert authority is not None
            report = services.reconcile_run(authority=authority)
            summary = ", ".join(f"{kind}: {n}" for kind, n in report.proposed.items())
            self.stdout.write(f"{report.total} new match(es) proposed ({summary}).")
        else:
            stored = services.model_train(authority=_authority(code))
            self.stdout.write(
                f"Trained model {stored.version} on {stored.trained_on.get('records', '?')} "
                "record(s); it is now the active model."
            )
