"""Fair access / hard-to-place panels (§3.7.2–3.7.3): meetings, their agendas, who attended, and
what the panel decided for each child, tracked until the child is admitted."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils import timezone


class MeetingFormat(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"
    HYBRID = "hybrid", "In person and online"


class PanelMeeting(models.Model):
    authority = models.ForeignKey("accounts.Authority", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField("Date")
    starts_at = models.TimeField("Start time")
    format = models.CharField(max_length=10, choices=MeetingFormat.choices)
    place = models.CharField("Place or joining details", max_length=200)
    chair = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["held_on", "starts_at", "pk"]
        indexes = [models.Index(fields=["authority", "held_on"], name="panel_meeting_date_idx")]

    def __str__(self) -> str:
        return f"Panel meeting {self.held_on:%-d %B %Y}"

    def is_past(self, today: date) -> bool:
        return self.held_on < today


class HardToPlaceReason(models.TextChoices):
    """Why ordinary admission has not worked: the kinds of children local protocols cover."""

    OUT_LONG = "out_long", "Out of education for four weeks or more"
    EXCLUDED = "excluded", "Permanently excluded and ready for a new school"
    YOUTH_JUSTICE = "youth_justice", "Leaving custody or involved with youth justice"
    NEEDS = "needs", "Special needs, disability or medical needs without a plan naming a school"
    TRAVELLER = "traveller", "Gypsy, Roma or Traveller family"
    REFUGEE = "refugee", "Refugee or asylum-seeking family"
    HOMELESS = "homeless", "Homeless or in temporary accommodation"
    YOUNG_CARER = "young_carer", "Young carer"
    REFUSED = "refused", "Schools approached have refused or have no place"
    REINTEGRATION = "reintegration", "Returning from alternative provision"
    OTHER = "other", "Another reason"


class AgendaItem(models.Model):
    """A case put before a panel, with the reason it is hard to place."""

    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="panel_items")
    reason = models.CharField(max_length=16, choices=HardToPlaceReason.choices)
    details = models.TextField("Why the child is hard to place")
    added_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "case"], name="panel_case_once_per_meeting")
        ]

    def __str__(self) -> str:
        return "agenda item"


class Attendee(models.Model):
    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(max_length=120)
    organisation = models.CharField("Organisation or school", max_length=160)
    role = models.CharField(max_length=120)
    added_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return "attendee"


class DecisionOutcome(models.TextChoices):
    SCHOOL_NAMED = "school_named", "School named"
    DEFERRED = "deferred", "Deferred to a later meeting"
    OTHER = "other", "Another decision"


class DecisionStatus(models.TextChoices):
    """Where a decision stands on a given day; worked out, not stored."""

    DUE = "due", "Due"
    OVERDUE = "overdue", "Overdue"
    MET = "met", "Met"
    MET_LATE = "met_late", "Met late"
    SUPERSEDED = "superseded", "Replaced by a later decision"
    CASE_CLOSED = "case_closed", "Case closed"
    NO_DATE = "no_date", "No admission date"


class Decision(models.Model):
    """What the panel decided for one agenda item. A school named comes with a date by which the
    child is to be admitted; until the child is, the decision is tracked (§3.7.3.1)."""

    item = models.OneToOneField(AgendaItem, on_delete=models.CASCADE, related_name="decision")
    outcome = models.CharField(max_length=14, choices=DecisionOutcome.choices)
    establishment = models.ForeignKey(
        "registers.Establishment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="School named",
    )
    school_other = models.CharField("School named (not in the list)", max_length=160, blank=True)
    admit_by = models.DateField("Admit by", null=True, blank=True)
    notes = models.TextField(blank=True)
    decided_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    # The day the child was admitted under this decision: recorded by hand, or by `cme tick`
    # from the case's "date moved into provision".
    met_on = models.DateField("Date admitted", null=True, blank=True)
    met_recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A later panel's decision for the same case replaces this one from the later meeting's date.
    superseded_on = models.DateField(null=True, blank=True)
    # Set once, when the overdue alert is raised: the claim that keeps it to one alert.
    alerted_at = models.DateTimeField(null=True, blank=True)
    alert_task = models.ForeignKey(
        "cases.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [
            # The overdue check reads only the outstanding decisions that name a school.
            models.Index(
                fields=["admit_by"],
                condition=models.Q(
                    outcome="school_named", met_on__isnull=True, superseded_on__isnull=True
                ),
                name="panel_decision_open_idx",
            )
        ]

    def __str__(self) -> str:
        return "panel decision"

    @property
    def school_name(self) -> str:
        return self.establishment.name if self.establishment else self.school_other

    def status_on(
        self, on: date, *, held_on: date, admitted_on: date | None, closed_on: date | None
    ) -> DecisionStatus:
        """Where the decision stands on `on`. `admitted_on` is the case's date moved into
        provision, `closed_on` its closing date. Mirrors `selectors.overdue_filter`."""
        if self.outcome != DecisionOutcome.SCHOOL_NAMED or self.admit_by is None:
            return DecisionStatus.NO_DATE
        admitted = self.met_on
        if admitted is None and admitted_on is not None and admitted_on >= held_on:
            admitted = admitted_on  # `cme tick` will record it; the page need not wait
        if admitted is not None and admitted <= on:
            return DecisionStatus.MET if admitted <= self.admit_by else DecisionStatus.MET_LATE
        if self.superseded_on is not None and self.superseded_on <= on:
            return DecisionStatus.SUPERSEDED
        if closed_on is not None and closed_on <= on:
            return DecisionStatus.CASE_CLOSED
        return DecisionStatus.OVERDUE if self.admit_by < on else DecisionStatus.DUE
