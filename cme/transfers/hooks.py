"""The one place the transfers app tells the rest of the service that a CTF moved.

The 15-school-day clock (§3.9.4.4, in `cme.returns.ctf`) wants to know, for each pupil, that a
CTF for UPN X left establishment E on date D. `ctf_left_school` is called by the import (for a
file whose source is a school) and by the export (for a case whose last placement is a school),
inside their transactions, once per pupil with a valid UPN. The import calls it only for a
file uploaded by the source school itself or by that school's own authority (its CME team or
authority token): a receiving school or another authority cannot close the sender's clock.
`establishment` is the registered school (None when the codes are not in the register),
`sent_on` is never after today nor before the deletion it closes, and `destination` is
"known", "unknown" or "abroad". A CTF whose source school is not in the register closes no
obligation: the clock counts registered schools' deletions only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from cme.returns.ctf import ctf_sent_from
from cme.returns.models import CTFRoute, DeletionReturn


def ctf_left_school(
    *,
    authority: Any,
    upn: str,
    source_lea: str,
    source_estab: str,
    establishment: Any,
    sent_on: date,
    destination: str,
    actor: Any,
) -> None:
    """A CTF for `upn` left the school `source_lea`/`source_estab` on `sent_on`."""
    if establishment is None:
        return
    # A CTF cannot have left before the pupil was taken off the roll: a date before the open
    # deletion it closes (a file made ahead, or a sender's wrong clock) counts from the deletion,
    # so it is never recorded as sent sooner than it could have been. Never after today.
    open_ones = DeletionReturn.objects.filter(
        establishment=establishment,
        upn=upn.strip().upper(),
        ctf_due_on__isnull=False,
        ctf_sent_on__isnull=True,
    )
    if not open_ones.filter(deleted_on__lte=sent_on).exists():
        earliest = (
            open_ones.order_by("deleted_on", "pk").values_list("deleted_on", flat=True).first()
        )
        if earliest is not None and earliest > sent_on:
            sent_on = earliest
    sent_on = min(sent_on, timezone.localdate())
    ctf_sent_from(
        establishment=establishment,
        upn=upn,
        sent_on=sent_on,
        via=CTFRoute.DESTINATION if destination == "known" else CTFRoute.LOST,
        actor=actor,
    )
