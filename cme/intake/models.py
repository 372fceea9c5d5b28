"""How the authority hears about children: referrals from the public, partners, truancy sweeps and
others (§3.2), the named contacts who receive them (§3.2.1, §3.2.5.3), and partners' contacts.

A referral keeps its route and the referring organisation after triage: they are evidence for the
self-evaluation (Appendix 2, items 4 and 5).
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils import timezone

from cme.children.models import Sex


class Route(models.TextChoices):
    PUBLIC = "public", "Public referral page"
    PARTNER = "partner", "Partner agency"
    TRUANCY_SWEEP = "truancy_sweep", "Truancy sweep"
    SCHOOL = "school", "School or other provider"
    ANOTHER_LA = "another_la", "Another local authority"
    OTHER = "other", "Other"


class Status(models.TextChoices):
    """What the referrer may see: nothing more than these three."""

    RECEIVED = "received", "Received"
    BEING_LOOKED_AT = "being_looked_at", "Being looked at"
    CLOSED = "closed", "Closed"


class TriageOutcome(models.TextChoices):
    LINKED_TO_CHILD = "linked_to_child", "Linked to a child we already know"
    LINKED_TO_CASE = "linked_to_case", "Linked to an existing case"
    CASE_OPENED = "case_opened", "New case opened"
    NOT_CME = "not_cme", "Closed: not missing education"


class NotCMEReason(models.TextChoices):
    ON_ROLL = "on_roll", "On a school roll"
    NOT_RESIDENT = "not_resident", "Not resident in the authority's area"
    NOT_SCHOOL_AGE = "not_school_age", "Not of compulsory school age"
    DUPLICATE = "duplicate", "Duplicate of another referral"
    OTHER = "other", "Other reason"


class ReferrerRelationship(models.TextChoices):
    PARENT = "parent", "I am their parent or carer"
    RELATIVE = "relative", "I am a relative"
    NEIGHBOUR = "neighbour", "I am a neighbour"
    FRIEND = "friend", "I am a family friend"
    PROFESSIONAL = "professional", "I know them through my work"
    OTHER = "other", "Other"


class CMEContact(models.Model):
    """A named person the public and partners can reach about children missing education."""

    authority = models.ForeignKey(
        "accounts.Authority", on_delete=models.CASCADE, related_name="cme_contacts"
    )
    name = models.CharField(max_length=120)
    phone = models.CharField(max_length=30)
    email = models.EmailField(max_length=254)
    hours = models.CharField("When they can be reached", max_length=120)
    order = models.PositiveSmallIntegerField(
        "Order on the public page", default=1, help_text="Lower numbers are shown first"
    )

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "CME contact"

    def __str__(self) -> str:
        return self.name


class AgencyContact(models.Model):
    """A person at a partner agency the CME team deals with (§3.2.5.2)."""

    agency = models.ForeignKey(
        "accounts.PartnerAgency", on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(max_length=120)
    role = models.CharField("Job title or role", max_length=120, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(max_length=254, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TruancySweep(models.Model):
    """A truancy sweep with partners (§3.2.4.3); the children met on it become referrals."""

    authority = models.ForeignKey(
        "accounts.Authority", on_delete=models.PROTECT, related_name="truancy_sweeps"
    )
    held_on = models.DateField("Date of the sweep")
    area = models.CharField(max_length=160)
    partners = models.ManyToManyField("accounts.PartnerAgency", blank=True, related_name="+")
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["authority", "-held_on"], name="sweep_date_idx")]

    def __str__(self) -> str:
        return f"truancy sweep {self.pk}"


class Referral(models.Model):
    """Someone told the authority about a child who may be missing education."""

    authority = models.ForeignKey(
        "accounts.Authority", on_delete=models.PROTECT, related_name="referrals"
    )
    # Random, not sequential: it is given to people outside the authority.
    reference = models.CharField(max_length=12, unique=True)
    route = models.CharField(max_length=16, choices=Route.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    received_at = models.DateTimeField(default=timezone.now)
    # Who told us.
    referrer_agency = models.ForeignKey(
        "accounts.PartnerAgency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    referred_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    referrer_name = models.CharField(max_length=120, blank=True)
    referrer_phone = models.CharField(max_length=30, blank=True)
    referrer_email = models.EmailField(max_length=254, blank=True)
    referrer_relationship = models.CharField(
        max_length=12, choices=ReferrerRelationship.choices, blank=True
    )
    agency_reference = models.CharField(max_length=40, blank=True)
    sweep = models.ForeignKey(
        TruancySweep,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    # The child, as far as the referrer knows.
    child_forename = models.CharField(max_length=100, blank=True)
    child_surname = models.CharField(max_length=100, blank=True)
    child_other_names = models.CharField(max_length=200, blank=True)
    child_date_of_birth = models.DateField(null=True, blank=True)
    child_age = models.PositiveSmallIntegerField(null=True, blank=True)
    child_sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    child_upn = models.CharField("UPN", max_length=13, blank=True)
    address = models.CharField(max_length=250, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    where_seen = models.CharField(max_length=250, blank=True)
    school = models.CharField(max_length=160, blank=True)
    concern = models.TextField(max_length=2000)
    in_danger = models.BooleanField(default=False)
    carers = models.CharField("Parents or carers", max_length=250, blank=True)
    languages = models.CharField(max_length=120, blank=True)
    vulnerable_groups = models.JSONField(default=list, blank=True)
    last_seen_on = models.DateField(null=True, blank=True)
    # Triage.
    outcome = models.CharField(max_length=16, choices=TriageOutcome.choices, blank=True)
    not_cme_reason = models.CharField(max_length=16, choices=NotCMEReason.choices, blank=True)
    outcome_note = models.CharField(max_length=500, blank=True)
    # The referral outlives the records it led to: the route and outcome stay as evidence.
    child = models.ForeignKey(
        "children.Child", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    triaged_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["received_at", "pk"]
        indexes = [
            # The triage queue: untriaged referrals of an authority, oldest first.
            models.Index(fields=["authority", "outcome", "received_at"], name="referral_queue_idx"),
            models.Index(fields=["referred_by", "-received_at"], name="referral_mine_idx"),
            models.Index(fields=["sweep", "received_at"], name="referral_sweep_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_triaged(self) -> bool:
        return bool(self.outcome)

    @property
    def notified_on(self) -> date:
        """The date the authority was told: the sweep's date for a child met on a sweep."""
        if self.sweep_id is not None and self.sweep is not None:
            return self.sweep.held_on
        return timezone.localdate(self.received_at)

    @property
    def child_name(self) -> str:
        name = f"{self.child_forename} {self.child_surname}".strip()
        return name or "Name not known"

    def vulnerable_group_labels(self) -> list[str]:
        from cme.children.models import VulnerableGroup

        labels = dict(VulnerableGroup.choices)
        return [str(labels.get(code, code)) for code in self.vulnerable_groups]
