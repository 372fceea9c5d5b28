"""The common transfer file clock (§3.9.4.4): when a school deletes a pupil it owes a CTF within
15 school days of the pupil ceasing to be registered, which is the deletion date.

The Education (Pupil Information) (England) Regulations make the old school send the pupil's
common transfer information within fifteen school days of the pupil ceasing to be registered. A
deletion return starts that clock (`ctf_due`), the school says when and where it sent the file
(`deletion_return_ctf_sent`), and the CTF reader can close it when a file arrives
(`ctf_sent_from`). School days are counted on the authority's term calendar and England's bank
holidays (cme.core.calendar); when term dates are missing for those days the clock falls back to
calendar days and the return says so.

Some deletions owe no CTF: there is no next school for the record to go to. The rule is the table
`NO_CTF_GROUNDS` (see docs/places.md, "The CTF clock", for the reasoning).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from cme.accounts.models import Authority, User
from cme.core import audit
from cme.core.calendar import CalendarMissing, add_school_days
from cme.core.models import AuditAction
from cme.registers.models import Establishment
from cme.returns.grounds import Ground
from cme.returns.models import CTFRoute, DeletionReturn, DueBasis

CTF_SCHOOL_DAYS = 15
# Fifteen school days are three school weeks: the calendar-day clock used when the authority has
# not recorded term dates for the days in question (it can only be later than the real one when
# a holiday falls inside it, and that is exactly what missing term dates cannot tell us).
CTF_FALLBACK_CALENDAR_DAYS = 21

# Grounds on which no CTF is owed, and why (shown on the return). Every other ground owes one:
# to the new school when it is known, otherwise to the Lost Pupil Database (destination unknown,
# moved abroad, home educated) or to the authority.
NO_CTF_GROUNDS: dict[Ground, str] = {
    Ground.DIED: "The pupil has died: there is no next school to send a record to.",
    Ground.LEAVING_AGE: (
        "The pupil is leaving compulsory education, not moving to another school."
    ),
    Ground.MEDICALLY_UNFIT: (
        "The pupil is certified unfit to attend school before the end of compulsory school age."
    ),
    Ground.NURSERY_NOT_TRANSFERRING: (
        "The pupil is leaving a nursery class, below compulsory school age."
    ),
}


class CTFRefused(Exception):
    """A CTF record the rules do not allow; the message says why."""


def ctf_owed(ground: Ground | str) -> bool:
    return Ground(ground) not in NO_CTF_GROUNDS


def no_ctf_reason(ground: Ground | str) -> str:
    return NO_CTF_GROUNDS.get(Ground(ground), "")


def ctf_due(
    authority: Authority, ground: Ground | str, deleted_on: date
) -> tuple[date | None, str]:
    """When a CTF for a pupil deleted on `deleted_on` is due, and how that was counted.

    (None, "") when the ground owes no CTF. The deletion day itself is not counted: the 15th
    school day after it is the last day the file is on time.
    """
    if not ctf_owed(ground):
        return None, ""
    try:
        return add_school_days(authority, deleted_on, CTF_SCHOOL_DAYS), DueBasis.SCHOOL_DAYS
    except CalendarMissing:
        return (
            deleted_on + timedelta(days=CTF_FALLBACK_CALENDAR_DAYS),
            DueBasis.CALENDAR_FALLBACK,
        )


def _mark_sent(ret: DeletionReturn, *, sent_on: date, via: str, actor: Any, source: str) -> None:
    ret.ctf_sent_on, ret.ctf_sent_via = sent_on, via
    ret.ctf_sent_by = actor if isinstance(actor, User) else None
    ret.ctf_recorded_at = timezone.now()
    ret.save(update_fields=["ctf_sent_on", "ctf_sent_via", "ctf_sent_by", "ctf_recorded_at"])
    audit.record(
        action=AuditAction.UPDATED,
        actor=actor,
        target=ret,
        authority_id=ret.authority_id,
        payload={
            "fields": ["ctf_sent_on", "ctf_sent_via"],
            "kind": "ctf_sent",
            "via": via,
            "source": source,
            "due_on": ret.ctf_due_on,
            "late": ret.ctf_sent_late,
        },
    )


def _check(sent_on: date, via: str) -> None:
    if via not in CTFRoute.values:
        raise CTFRefused("Choose where the common transfer file was sent")
    if sent_on > timezone.localdate():
        raise CTFRefused("The date the file was sent must be today or in the past")


@transaction.atomic
def deletion_return_ctf_sent(
    *, deletion_return: DeletionReturn, sent_on: date, via: CTFRoute | str, actor: Any
) -> DeletionReturn:
    """Record that the school sent the pupil's CTF, on which day and where.

    Refused when no CTF is owed for the return's ground, when it is already recorded as sent (the
    first record stands: it is the evidence), or for a date in the future.
    """
    _check(sent_on, via)
    locked = DeletionReturn.objects.select_for_update().get(pk=deletion_return.pk)
    if locked.ctf_due_on is None:
        raise CTFRefused("No common transfer file is due for a pupil removed on this ground")
    if locked.ctf_sent_on is not None:
        raise CTFRefused(
            f"The common transfer file is already recorded as sent on {locked.ctf_sent_on:%-d %B %Y}"
        )
    _mark_sent(locked, sent_on=sent_on, via=str(via), actor=actor, source="school")
    for name in ("ctf_sent_on", "ctf_sent_via", "ctf_sent_by_id", "ctf_recorded_at"):
        setattr(deletion_return, name, getattr(locked, name))
    return locked


@transaction.atomic
def ctf_sent_from(
    *, establishment: Establishment, upn: str, sent_on: date, via: CTFRoute | str, actor: Any
) -> DeletionReturn | None:
    """A CTF for pupil `upn` left `establishment` (for the CTF reader and writer to call).

    Closes the matching open obligation: the establishment's deletion return for that UPN whose
    CTF is owed and not yet recorded, the most recent deletion on or before `sent_on` first (a file
    sent ahead of the deletion closes the earliest one still open). Returns it, or None when there
    is nothing open to close (no deletion return yet, or already recorded).
    """
    _check(sent_on, via)
    upn = upn.strip().upper()
    if not upn:
        return None
    open_ones = DeletionReturn.objects.select_for_update().filter(
        establishment=establishment,
        upn=upn,
        ctf_due_on__isnull=False,
        ctf_sent_on__isnull=True,
    )
    ret = (
        open_ones.filter(deleted_on__lte=sent_on).order_by("-deleted_on", "-pk").first()
        or open_ones.order_by("deleted_on", "pk").first()
    )
    if ret is None:
        return None
    _mark_sent(ret, sent_on=sent_on, via=str(via), actor=actor, source="ctf_file")
    return ret
