"""What schools tell the authority (deletion and new pupil returns) and the register of children
known to be electively home educated (§3.3.5.5).

A return keeps what the school sent, as sent: it is the record of the notification. The child's
record and any case are separate, linked by `child` and `case`.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

from django.db import models
from django.utils import timezone

from cme.children.models import Relationship, Sex
from cme.returns.grounds import Ground

# Reg 13 wants the return no later than the deletion itself. The service gives schools five
# calendar days' grace before a deletion return is flagged late (a choice of this service, to
# be confirmed by the service owner): DELETION_GRACE_DAYS after the deletion date.
DELETION_GRACE_DAYS = 5
# A new pupil return is due within five school days of admission; when the authority's term
# dates do not cover the admission, five calendar days are used instead and the return says so.
NEW_PUPIL_SCHOOL_DAYS = 5


class Channel(models.TextChoices):
    FORM = "form", "Online form"
    CSV = "csv", "CSV upload"
    API = "api", "API"


class CTFRoute(models.TextChoices):
    """Where the school sent a leaving pupil's common transfer file (§3.9.4)."""

    DESTINATION = "destination", "To the pupil's new school"
    LOST = "lost", "To the Lost Pupil Database, as a lost pupil (destination not known)"
    AUTHORITY = "authority", "To the local authority"


class DueBasis(models.TextChoices):
    CALENDAR_DAYS = "calendar_days", "Calendar days"
    SCHOOL_DAYS = "school_days", "School days"
    CALENDAR_FALLBACK = (
        "calendar_fallback",
        "Calendar days (no term dates were recorded for those days)",
    )


def dedupe_key(
    *, upn: str, forename: str, surname: str, date_of_birth: date, on: date, ground: str = ""
) -> str:
    """A digest identifying one return of one school: the pupil (UPN, or name and date of birth),
    the deletion or admission date and the ground. Sending the same return twice finds it."""
    pupil = upn or f"{surname.strip().casefold()}|{forename.strip().casefold()}|{date_of_birth}"
    return hashlib.sha256(f"{pupil}|{on}|{ground}".encode()).hexdigest()


class PupilReturn(models.Model):
    """What both kinds of return share: who sent it, when, the pupil and the lateness."""

    authority = models.ForeignKey("accounts.Authority", on_delete=models.PROTECT, related_name="+")
    establishment = models.ForeignKey(
        "registers.Establishment", on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=4, choices=Channel.choices, default=Channel.FORM)
    forename = models.CharField("Legal first name", max_length=100)
    middle_names = models.CharField(max_length=150, blank=True)
    surname = models.CharField("Legal last name", max_length=100)
    preferred_forename = models.CharField(max_length=100, blank=True)
    preferred_surname = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    upn = models.CharField("UPN", max_length=13, blank=True, db_index=True)
    address_line1 = models.CharField("Address line 1", max_length=120)
    address_line2 = models.CharField("Address line 2", max_length=120, blank=True)
    town = models.CharField("Town or city", max_length=80, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    due_on = models.DateField()
    due_basis = models.CharField(max_length=20, choices=DueBasis.choices)
    is_late = models.BooleanField(default=False)
    dedupe_key = models.CharField(max_length=64)
    child = models.ForeignKey(
        "children.Child", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.set_lateness()
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        forename = self.preferred_forename or self.forename
        return f"{forename} {self.preferred_surname or self.surname}".strip()

    @property
    def legal_name(self) -> str:
        return " ".join(p for p in [self.forename, self.middle_names, self.surname] if p)

    def address_one_line(self) -> str:
        parts = [self.address_line1, self.address_line2, self.town, self.postcode]
        return ", ".join(p for p in parts if p)

    def set_lateness(self) -> None:
        """`is_late` from `due_on` and the day it was submitted (computed on every save)."""
        self.is_late = timezone.localdate(self.submitted_at) > self.due_on


class DeletionReturn(PupilReturn):
    """Regs 9 and 13: a school has deleted, or is deleting, a pupil from its admission register."""

    parents = models.JSONField(
        default=list, blank=True, help_text="[{name, relationship, address}] as the school sent"
    )
    emergency_contacts = models.JSONField(default=list, blank=True, help_text="[{name, phone}]")
    ground = models.CharField(max_length=32, choices=Ground.choices)
    destination = models.ForeignKey(
        "registers.Establishment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    destination_other = models.CharField(
        "Destination, if not a school here", max_length=200, blank=True
    )
    destination_starts_on = models.DateField("Start date at the destination", null=True, blank=True)
    last_attended_on = models.DateField("Date of last attendance")
    deleted_on = models.DateField("Date the name was removed")
    welfare_concerns = models.BooleanField(default=False)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The common transfer file (§3.9.4.4): due within 15 school days of the deletion, unless the
    # ground needs none (cme/returns/ctf.py). No due date means no CTF is owed.
    ctf_due_on = models.DateField("CTF due by", null=True, blank=True)
    ctf_due_basis = models.CharField(max_length=20, choices=DueBasis.choices, blank=True)
    ctf_sent_on = models.DateField("CTF sent on", null=True, blank=True)
    ctf_sent_via = models.CharField(max_length=12, choices=CTFRoute.choices, blank=True)
    ctf_sent_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ctf_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["authority", "-submitted_at"], name="deletion_return_newest_idx"),
            models.Index(
                fields=["establishment", "-submitted_at"], name="deletion_return_school_idx"
            ),
            # The open CTF obligations, oldest due first: the overdue lists read only these.
            models.Index(
                fields=["authority", "ctf_due_on"],
                condition=models.Q(ctf_due_on__isnull=False, ctf_sent_on__isnull=True),
                name="deletion_return_ctf_open_idx",
            ),
            models.Index(
                fields=["establishment", "upn"],
                condition=models.Q(ctf_due_on__isnull=False, ctf_sent_on__isnull=True),
                name="deletion_return_ctf_upn_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "dedupe_key"], name="deletion_return_once"
            )
        ]

    def __str__(self) -> str:
        return f"deletion return {self.pk}"

    @property
    def reference(self) -> str:
        return f"DR-{self.pk:06d}"

    def parent_rows(self) -> list[dict[str, str]]:
        """The parents as sent, with the relationship as people read it."""
        labels = dict(Relationship.choices)
        return [
            {**parent, "relationship": str(labels.get(parent.get("relationship", ""), ""))}
            for parent in self.parents
        ]

    @property
    def destination_known(self) -> bool:
        return self.destination_id is not None or bool(self.destination_other.strip())

    @staticmethod
    def due_for(deleted_on: date) -> date:
        return deleted_on + timedelta(days=DELETION_GRACE_DAYS)

    @property
    def ctf_is_due(self) -> bool:
        """Whether the school owes a CTF for this pupil at all."""
        return self.ctf_due_on is not None

    @property
    def ctf_is_sent(self) -> bool:
        return self.ctf_sent_on is not None

    @property
    def ctf_sent_late(self) -> bool:
        return (
            self.ctf_due_on is not None
            and self.ctf_sent_on is not None
            and self.ctf_sent_on > self.ctf_due_on
        )

    def ctf_overdue_on(self, today: date) -> bool:
        """Owed, not yet sent, and past its due date on `today`."""
        return self.ctf_due_on is not None and self.ctf_sent_on is None and today > self.ctf_due_on


class NewPupilReturn(PupilReturn):
    """A school has admitted a pupil: due within five school days of admission."""

    previous_school = models.ForeignKey(
        "registers.Establishment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    previous_school_other = models.CharField(
        "Previous school, if not one here", max_length=200, blank=True
    )
    admitted_on = models.DateField("Admission date")
    # The open case this pupil matched when the return arrived: a flag for the case team.
    matched_case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["authority", "-submitted_at"], name="new_pupil_return_newest_idx"),
            models.Index(
                fields=["establishment", "-submitted_at"], name="new_pupil_return_school_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "dedupe_key"], name="new_pupil_return_once"
            )
        ]

    def __str__(self) -> str:
        return f"new pupil return {self.pk}"

    @property
    def reference(self) -> str:
        return f"NP-{self.pk:06d}"


class EHESource(models.TextChoices):
    DELETION_RETURN = "deletion_return", "School deletion return"
    PARENT = "parent", "Parent told the authority"
    OTHER = "other", "Other"


class EHEStatus(models.TextChoices):
    ACTIVE = "active", "Home educated"
    ENDED = "ended", "Ended"


class EHEEndReason(models.TextChoices):
    SCHOOL = "school", "Registered at a school"
    MOVED_AWAY = "moved_away", "Moved out of the area"
    AGE = "age", "No longer of compulsory school age"
    SCHOOL_ATTENDANCE_ORDER = "sao", "School attendance order made"
    DIED = "died", "Died"
    OTHER = "other", "Other"


class EHERegistration(models.Model):
    """A child known to be electively home educated (§3.3.5.5). Recording EHE ends CME action
    unless there are welfare concerns (§3.3.5.6)."""

    authority = models.ForeignKey("accounts.Authority", on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField("Home education started")
    source = models.CharField(max_length=20, choices=EHESource.choices)
    educator = models.CharField("Who educates the child", max_length=200, blank=True)
    hours_per_week = models.DecimalField(
        "Hours a week", max_digits=4, decimal_places=1, null=True, blank=True
    )
    status = models.CharField(max_length=8, choices=EHEStatus.choices, default=EHEStatus.ACTIVE)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=12, choices=EHEEndReason.choices, blank=True)
    deletion_return = models.ForeignKey(
        DeletionReturn, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-started_on", "-pk"]
        verbose_name = "EHE registration"
        indexes = [
            models.Index(fields=["authority", "status", "-started_on"], name="ehe_status_idx"),
        ]
        constraints = [
            # One current registration per child.
            models.UniqueConstraint(
                fields=["child"],
                condition=models.Q(status="active"),
                name="ehe_one_active_per_child",
            )
        ]

    def __str__(self) -> str:
        return f"EHE registration {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status == EHEStatus.ACTIVE
