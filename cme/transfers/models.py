"""Common Transfer Files received and sent by the authority.

An upload keeps the file itself (its bytes, in the database: the import reads them again, and a
file about a restricted child never sits in a folder on disk) and what its header says. The
import's outcome is kept per pupil, so the preview after import and a second import both read
what was done instead of doing it again. An export keeps who sent what, where and whether the
location was withheld, but not the file.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone

# A 2,000-pupil CTF with every block filled in is about 12 MB.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# A manager's permission to export a restricted child's CTF is for the task in hand.
GRANT_HOURS = 24


class Channel(models.TextChoices):
    PAGE = "page", "Upload page"
    API = "api", "API"
    COMMAND = "command", "Command line"


class Destination(models.TextChoices):
    KNOWN = "known", "A named school"
    UNKNOWN = "unknown", "Destination unknown"
    ABROAD = "abroad", "Moved abroad"


class UploadStatus(models.TextChoices):
    READ = "read", "Ready to import"
    IMPORTED = "imported", "Imported"


class CtfUpload(models.Model):
    authority = models.ForeignKey("accounts.Authority", on_delete=models.PROTECT, related_name="+")
    # The school that uploaded it (school users), or None for the authority's own staff.
    establishment = models.ForeignKey(
        "registers.Establishment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.PAGE)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    ctf_version = models.CharField(max_length=20, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    source_lea = models.CharField(max_length=3, blank=True)
    source_estab = models.CharField(max_length=4, blank=True)
    source_name = models.CharField(max_length=200, blank=True)
    dest_lea = models.CharField(max_length=3, blank=True)
    dest_estab = models.CharField(max_length=4, blank=True)
    destination = models.CharField(max_length=8, choices=Destination.choices)
    pupil_count = models.PositiveIntegerField(default=0)
    # Every valid UPN the file holds (current and former), so that a list can tell in one query
    # whether a file is about a restricted child without reading the file again.
    upns = models.JSONField(default=list, blank=True)
    # The reader's messages: places and field names, never values (see cme.transfers.ctf).
    errors = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=10, choices=UploadStatus.choices, default=UploadStatus.READ
    )
    imported_at = models.DateTimeField(null=True, blank=True)
    imported_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        indexes = [
            models.Index(fields=["authority", "-uploaded_at"], name="ctf_upload_newest_idx"),
            models.Index(fields=["establishment", "-uploaded_at"], name="ctf_upload_school_idx"),
        ]
        constraints = [
            # The same file sent twice by one school, or twice by one authority's own staff, is
            # the same upload. The sending school and the receiving school each have their own.
            models.UniqueConstraint(
                fields=["authority", "establishment", "sha256"],
                condition=models.Q(establishment__isnull=False),
                name="ctf_upload_once_per_school",
            ),
            models.UniqueConstraint(
                fields=["authority", "sha256"],
                condition=models.Q(establishment__isnull=True),
                name="ctf_upload_once_per_authority",
            ),
        ]

    def __str__(self) -> str:
        return f"CTF upload {self.pk}"

    @property
    def reference(self) -> str:
        return f"CTF-{self.pk:06d}"

    @property
    def is_imported(self) -> bool:
        return self.status == UploadStatus.IMPORTED


class PupilOutcome(models.TextChoices):
    MATCHED_UPN = "matched_upn", "Matched to a known child by UPN"
    MATCHED_ENGINE = "matched_engine", "Matched to a known child by name and date of birth"
    CREATED = "created", "New child record"
    SKIPPED = "skipped", "Not imported"


class CtfImportedPupil(models.Model):
    """What the import did with one pupil of a file."""

    upload = models.ForeignKey(CtfUpload, on_delete=models.CASCADE, related_name="pupils")
    position = models.PositiveIntegerField()  # 1 for the file's first pupil read
    outcome = models.CharField(max_length=16, choices=PupilOutcome.choices)
    probability = models.FloatField(null=True, blank=True)
    child = models.ForeignKey(
        "children.Child", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    case_opened = models.BooleanField(default=False)

    class Meta:
        ordering = ["upload", "position"]
        constraints = [
            models.UniqueConstraint(fields=["upload", "position"], name="ctf_pupil_once")
        ]

    def __str__(self) -> str:
        return f"CTF pupil {self.position}"


def grant_expiry() -> datetime:
    return timezone.now() + timedelta(hours=GRANT_HOURS)


class CtfExportGrant(models.Model):
    """A CME manager's permission, with a reason, to send one CTF for a restricted child's case.

    Single use and short-lived: it is spent by the export it allows, and lapses after
    GRANT_HOURS if not used, so one decision never covers a later, different transfer.
    """

    authority = models.ForeignKey("accounts.Authority", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=300)
    granted_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=grant_expiry)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at", "-pk"]
        indexes = [models.Index(fields=["case", "-granted_at"], name="ctf_grant_case_idx")]

    def __str__(self) -> str:
        return f"CTF export grant {self.pk}"

    def is_usable(self, now: datetime | None = None) -> bool:
        return self.used_at is None and self.expires_at > (now or timezone.now())


class CtfExport(models.Model):
    """One CTF sent from a case: who, when, where to, the file's digest, and what was withheld."""

    authority = models.ForeignKey("accounts.Authority", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="+")
    exported_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    exported_at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.PAGE)
    source_lea = models.CharField(max_length=3)
    source_estab = models.CharField(max_length=4)
    dest_lea = models.CharField(max_length=3)
    dest_estab = models.CharField(max_length=4)
    destination = models.CharField(max_length=8, choices=Destination.choices)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    location_withheld = models.BooleanField(default=False)
    grant = models.OneToOneField(
        CtfExportGrant, on_delete=models.PROTECT, null=True, blank=True, related_name="export"
    )

    class Meta:
        ordering = ["-exported_at", "-pk"]
        indexes = [models.Index(fields=["case", "-exported_at"], name="ctf_export_case_idx")]

    def __str__(self) -> str:
        return f"CTF export {self.pk}"
