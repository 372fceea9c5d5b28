"""Getting a found child back into education (§3.6–3.8): what the child needs, every attempt to
secure a place, the attendance seen once the child starts, audits of providers' registers, and
the support asked of other services (Appendix 2 items 13–15)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from cme.children.models import SpecialNeeds


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Not known"


class ProvisionKind(models.TextChoices):
    """The forms of provision a child may be found a place in (§3.3.1.2); mainstream first, as the
    guidance prefers it for most children (§3.6.1)."""

    MAINSTREAM = "mainstream", "Mainstream school"
    SPECIAL = "special", "Special school"
    RESOURCED = "resourced", "Mainstream school with specialist support"
    PRU = "pru", "Pupil referral unit"
    ALTERNATIVE = "alternative", "Alternative provision"
    HOSPITAL = "hospital", "Hospital or medical education service"
    OTHER = "other", "Other"


class NeedsAssessment(models.Model):
    """§3.6: one per case, kept up to date; the case carries the dates and the recommendation."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="needs_assessment"
    )
    assessed_on = models.DateField("Date of assessment")
    reasons_disengaged = models.TextField("Why the child became disengaged from education")
    child_preference = models.TextField("What the child would like", blank=True)
    parent_preference = models.TextField("What the parents or carers would like", blank=True)
    special_needs = models.CharField(
        "Special educational needs",
        max_length=12,
        choices=SpecialNeeds.choices,
        default=SpecialNeeds.UNKNOWN,
    )
    # §3.6.3: a Common Assessment, and a specialist assessment when needs are complex.
    common_assessment = models.CharField(max_length=7, choices=Answer.choices)
    common_assessment_on = models.DateField(null=True, blank=True)
    specialist_referral = models.CharField(max_length=7, choices=Answer.choices)
    specialist_referral_on = models.DateField(null=True, blank=True)
    specialist_referral_to = models.CharField(max_length=160, blank=True)
    # §3.6.4: the single point of contact co-ordinating the actions.
    lead_professional = models.CharField(max_length=160, blank=True)
    lead_professional_role = models.CharField(max_length=160, blank=True)
    recommended_kind = models.CharField(
        "Provision recommended", max_length=12, choices=ProvisionKind.choices, blank=True
    )
    recommended_detail = models.CharField(max_length=150, blank=True)
    recommended_on = models.DateField("Date form of provision determined", null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return "needs assessment"

    @property
    def recommendation(self) -> str:
        """The text the case keeps as "provision recommended"."""
        if not self.recommended_kind:
            return ""
        label = ProvisionKind(self.recommended_kind).label
        return f"{label}: {self.recommended_detail}" if self.recommended_detail else label


class AttemptOutcome(models.TextChoices):
    OFFERED = "offered", "Place offered"
    REFUSED = "refused", "Refused"
    NO_PLACE = "no_place", "No place available"
    ADMITTED = "admitted", "Admitted"


# The outcomes that are a failure to secure provision (Appendix 2 item 14).
FAILED_OUTCOMES = frozenset({AttemptOutcome.REFUSED, AttemptOutcome.NO_PLACE})


class RefusedBy(models.TextChoices):
    PROVIDER = "provider", "The school or provider"
    FAMILY = "family", "The child or family"


class PlacementAttempt(models.Model):
    """One attempt to secure a place (§3.7). An admitted attempt is the child's placement: it
    carries the start date, and the attendance checks hang from it until it ends."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="placements")
    establishment = models.ForeignKey(
        "registers.Establishment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    provider_name = models.CharField("Provider not in the register", max_length=160, blank=True)
    attempted_on = models.DateField("Date")
    outcome = models.CharField(max_length=10, choices=AttemptOutcome.choices)
    refused_by = models.CharField(max_length=10, choices=RefusedBy.choices, blank=True)
    reason = models.CharField("Reason", max_length=300, blank=True)
    starts_on = models.DateField("Start date", null=True, blank=True)
    # Set when the start has been applied to the case (moved into provision).
    started = models.BooleanField(default=False)
    ended_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-attempted_on", "-pk"]
        indexes = [
            models.Index(fields=["case", "-attempted_on"], name="placement_case_idx"),
            models.Index(fields=["outcome", "attempted_on"], name="placement_outcome_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(establishment__isnull=True, provider_name=""),
                name="placement_names_a_provider",
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome="admitted", starts_on__isnull=True),
                name="admitted_has_start_date",
            ),
        ]

    def __str__(self) -> str:
        return "placement attempt"

    @property
    def provider(self) -> str:
        return self.establishment.name if self.establishment_id else self.provider_name  # type: ignore[union-attr]

    @property
    def is_failure(self) -> bool:
        return self.outcome in FAILED_OUTCOMES


class Attendance(models.TextChoices):
    ATTENDING = "attending", "Attending"
    PARTIAL = "partial", "Attending partly"
    NOT_ATTENDING = "not_attending", "Not attending"


class AttendanceCheck(models.Model):
    """A scheduled look at whether a placed child is attending (§3.8): weekly for the first month
    after the start, then monthly while the case is open."""

    placement = models.ForeignKey(PlacementAttempt, on_delete=models.CASCADE, related_name="checks")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField()
    checked_on = models.DateField(null=True, blank=True)
    attendance = models.CharField(max_length=14, choices=Attendance.choices, blank=True)
    percentage = models.PositiveSmallIntegerField(null=True, blank=True)
    checked_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notes = models.CharField(max_length=300, blank=True)
    # The task raised when the check was missed, so the daily clock raises it once.
    overdue_task = models.ForeignKey(
        "cases.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(
                fields=["due_on"],
                condition=models.Q(checked_on__isnull=True),
                name="check_open_due_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["placement", "due_on"], name="check_once_per_date"),
        ]

    def __str__(self) -> str:
        return "attendance check"

    @property
    def is_recorded(self) -> bool:
        return self.checked_on is not None


class RegisterAudit(models.Model):
    """§3.8.1: an audit of an alternative provider's attendance register."""

    authority = models.ForeignKey("accounts.Authority", on_delete=models.PROTECT, related_name="+")
    establishment = models.ForeignKey(
        "registers.Establishment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    provider_name = models.CharField("Provider not in the register", max_length=160, blank=True)
    audited_on = models.DateField("Date of the audit")
    pupils_checked = models.PositiveIntegerField()
    discrepancies = models.PositiveIntegerField()
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-audited_on", "-pk"]
        indexes = [models.Index(fields=["authority", "-audited_on"], name="register_audit_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(establishment__isnull=True, provider_name=""),
                name="register_audit_names_a_provider",
            ),
            models.CheckConstraint(
                condition=models.Q(discrepancies__lte=models.F("pupils_checked")),
                name="discrepancies_within_checked",
            ),
        ]

    def __str__(self) -> str:
        return "register audit"

    @property
    def provider(self) -> str:
        return self.establishment.name if self.establishment_id else self.provider_name  # type: ignore[union-attr]


class SupportReferral(models.Model):
    """§3.6 and Appendix 2 item 13: support asked of another service for the child's welfare."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(
        "accounts.PartnerAgency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    agency_name = models.CharField("Service not in the list", max_length=160, blank=True)
    referred_on = models.DateField("Date referred")
    reason = models.CharField(max_length=300)
    response = models.CharField(max_length=300, blank=True)
    response_on = models.DateField("Date of response", null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-referred_on", "-pk"]
        indexes = [models.Index(fields=["case", "-referred_on"], name="support_case_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(agency__isnull=True, agency_name=""),
                name="support_names_an_agency",
            ),
        ]

    def __str__(self) -> str:
        return "support referral"

    @property
    def agency_label(self) -> str:
        return self.agency.name if self.agency_id else self.agency_name  # type: ignore[union-attr]

    @property
    def awaiting_response(self) -> bool:
        return self.response_on is None
