"""Registers the authority keeps: establishments, and the pupils on each one's roll."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from cme.accounts.models import la_code_validator

establishment_number_validator = RegexValidator(
    r"^\d{4}$", "Enter a 4-digit establishment number, like 2001"
)
urn_validator = RegexValidator(r"^\d{6,7}$", "Enter a URN of 6 or 7 digits, like 100001")


class EstablishmentKind(models.TextChoices):
    MAINTAINED = "maintained", "Maintained school"
    ACADEMY = "academy", "Academy"
    FREE = "free", "Free school"
    INDEPENDENT = "independent", "Independent school"
    SPECIAL = "special", "Special school"
    PRU = "pru", "Pupil referral unit"
    ALTERNATIVE = "alternative", "Alternative provision"
    CUSTODIAL = "custodial", "Custodial institution"


class Phase(models.TextChoices):
    NURSERY = "nursery", "Nursery"
    PRIMARY = "primary", "Primary"
    MIDDLE = "middle", "Middle"
    SECONDARY = "secondary", "Secondary"
    ALL_THROUGH = "all_through", "All-through"
    SIXTEEN_PLUS = "16_plus", "16 plus"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class Establishment(models.Model):
    """A provider (§3.3.1.2), identified by LA code and establishment number, and nationally by URN."""

    la_code = models.CharField("LA code", max_length=3, validators=[la_code_validator])
    number = models.CharField(
        "Establishment number", max_length=4, validators=[establishment_number_validator]
    )
    urn = models.CharField(
        "URN", max_length=7, unique=True, null=True, blank=True, validators=[urn_validator]
    )
    name = models.CharField(max_length=160)
    kind = models.CharField("Type", max_length=20, choices=EstablishmentKind.choices)
    phase = models.CharField(max_length=20, choices=Phase.choices)
    is_open = models.BooleanField("Open", default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["la_code", "number"], name="establishment_dfe_number")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.dfe_number})"

    @property
    def dfe_number(self) -> str:
        return f"{self.la_code}/{self.number}"


class Sex(models.TextChoices):
    MALE = "M", "Male"
    FEMALE = "F", "Female"


class RollEntry(models.Model):
    """A pupil on an establishment's roll, as the latest roll extract showed them."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="roll")
    upn = models.CharField("UPN", max_length=13, db_index=True)
    forename = models.CharField(max_length=100)
    middle_names = models.CharField(max_length=100, blank=True)
    surname = models.CharField(max_length=100, db_index=True)
    preferred_forename = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(db_index=True)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    year_group = models.CharField(max_length=3, blank=True)
    address = models.CharField(max_length=250, blank=True)
    postcode = models.CharField(max_length=8, blank=True, db_index=True)
    admission_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["surname", "forename"]
        verbose_name_plural = "roll entries"
        constraints = [
            models.UniqueConstraint(fields=["establishment", "upn"], name="roll_entry_unique_upn")
        ]

    def __str__(self) -> str:
        return f"roll entry {self.pk}"


class ImportKind(models.TextChoices):
    ESTABLISHMENTS = "establishments", "Establishments"
    ROLL = "roll", "Pupils on roll"


class ImportStatus(models.TextChoices):
    """Where an import is. Background work claims a batch by moving it on with a conditional
    update, so two workers never take the same one."""

    UPLOADED = "uploaded", "Waiting to be checked"
    VALIDATING = "validating", "Checking"
    READY = "ready", "Ready to confirm"
    INVALID = "invalid", "Has errors"
    CONFIRMED = "confirmed", "Waiting to be applied"
    APPLYING = "applying", "Applying"
    APPLIED = "applied", "Applied"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class ImportBatch(models.Model):
    """One uploaded CSV file: checked row by row, previewed, then applied all at once or not at all.

    The file's text is kept only until the batch is finished (applied, failed, invalid or
    cancelled); the summary, the first rows of the preview and the errors stay."""

    authority = models.ForeignKey(
        "accounts.Authority", on_delete=models.PROTECT, related_name="import_batches"
    )
    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    # The establishment whose roll a pupils-on-roll file is (the whole roll).
    establishment = models.ForeignKey(
        Establishment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    content = models.TextField(blank=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    total_rows = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # Counts (rows, new, changed, left, unchanged, alerts, errors) and ignored columns.
    summary = models.JSONField(default=dict, blank=True)
    # The first rows of each part of the preview, for the page: new, changed, left.
    preview = models.JSONField(default=dict, blank=True)
    # [{"row": 7, "column": "dob", "message": "..."}], the first few hundred.
    errors = models.JSONField(default=list, blank=True)
    # What the preview showed, as a digest: applying refuses if the database moved on since.
    plan_digest = models.CharField(max_length=64, blank=True)
    failure = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When a worker last claimed or reported on the batch; a stale one has been abandoned.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "import batches"
        indexes = [
            models.Index(fields=["authority", "-created_at"], name="import_batch_newest_idx"),
            models.Index(fields=["status", "heartbeat_at"], name="import_batch_status_idx"),
        ]

    def __str__(self) -> str:
        return f"import {self.pk}"

    @property
    def is_working(self) -> bool:
        return self.status in (
            ImportStatus.UPLOADED,
            ImportStatus.VALIDATING,
            ImportStatus.CONFIRMED,
            ImportStatus.APPLYING,
        )

    @property
    def percent_done(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, self.rows_done * 100 // self.total_rows)


class ImportAlert(models.Model):
    """A child with an open case found on a roll: raised once per case and establishment."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="alerts")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey(
        "cases.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "establishment"], name="import_alert_once_per_roll"
            )
        ]

    def __str__(self) -> str:
        return f"import alert {self.pk}"


class PlaceFigure(models.Model):
    """How many places an establishment has free in one year group (a school) or on one named
    programme (alternative provision), as given on one day by one person (§3.7.1, App.2 item 16).

    Figures are never changed: each update adds rows, and the newest row for an establishment's
    year group or programme is its current figure, so the history is the table itself. A
    programme that is no longer offered gets a last row with `ended` set.
    """

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="place_figures"
    )
    year_group = models.CharField(max_length=3, blank=True)
    programme = models.CharField(max_length=120, blank=True)
    places = models.PositiveIntegerField()
    ended = models.BooleanField(default=False)
    as_of = models.DateField("Figure given on")
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-as_of", "-pk"]
        indexes = [
            models.Index(
                fields=["establishment", "year_group", "programme", "-as_of"],
                name="place_figure_latest_idx",
            )
        ]
        constraints = [
            # A figure is for a year group or for a programme, never both or neither.
            models.CheckConstraint(
                condition=(models.Q(year_group="") & ~models.Q(programme=""))
                | (~models.Q(year_group="") & models.Q(programme="")),
                name="place_figure_year_group_or_programme",
            )
        ]

    def __str__(self) -> str:
        return f"place figure {self.pk}"
