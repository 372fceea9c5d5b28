"""The CTF clock for the demo's deletion returns: a due date on each one that owes a file, and most
of those past due recorded as sent (a few late), so the overdue lists have something to show.

Fixture loading like the rest of the demo: plain ORM, no audit events. Only returns without a due
date are touched, so a second run changes nothing.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from cme.accounts.models import Authority
from cme.returns.ctf import NO_CTF_GROUNDS, ctf_due
from cme.returns.models import CTFRoute, DeletionReturn

SENT_SHARE = 0.85
LATE_SHARE = 0.15


def build_ctf_clock(authority: Authority, *, today: date) -> int:
    """Start the clock on `authority`'s deletion returns that have none; return how many."""
    rng = random.Random(f"cme-demo:ctf:{authority.la_code}")  # noqa: S311 - fictional data
    returns = list(
        DeletionReturn.objects.filter(authority=authority, ctf_due_on__isnull=True)
        .exclude(ground__in=list(NO_CTF_GROUNDS))
        .select_related("submitted_by")
        .order_by("pk")
    )
    for ret in returns:
        ret.ctf_due_on, ret.ctf_due_basis = ctf_due(authority, ret.ground, ret.deleted_on)
        due = ret.ctf_due_on
        assert due is not None
        if due < today and rng.random() < SENT_SHARE:
            if rng.random() < LATE_SHARE:
                sent = min(today, due + timedelta(days=rng.randint(1, 20)))
            else:
                sent = ret.deleted_on + timedelta(days=rng.randint(0, (due - ret.deleted_on).days))
            ret.ctf_sent_on = sent
            ret.ctf_sent_via = CTFRoute.DESTINATION if ret.destination_known else CTFRoute.LOST
            ret.ctf_sent_by = ret.submitted_by
            ret.ctf_recorded_at = timezone.make_aware(datetime.combine(sent, time(9)))
    DeletionReturn.objects.bulk_update(
        returns,
        [
            "ctf_due_on",
            "ctf_due_basis",
            "ctf_sent_on",
            "ctf_sent_via",
            "ctf_sent_by",
            "ctf_recorded_at",
        ],
        batch_size=500,
    )
    return len(returns)
