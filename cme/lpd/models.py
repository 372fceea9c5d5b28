"""The Lost Pupil Database (§3.9.4): lost CTFs uploaded by schools and authorities, shared by every
authority on the deployment.

`LpdFile` keeps the uploaded file itself (small: a lost CTF usually holds one pupil) and what its
header says; `LpdPupil` is one pupil of a file, with the fields a search shows and the prepared
features the matching engine scores; `LpdKey` holds each pupil's blocking keys, indexed for the
key lookup as `MatchKey` is. `LpdEvent` counts uploads, searches, openings and downloads per
authority, for the activity page and the self-evaluation (App.2 items 21-22).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class FileStatus(models.TextChoices):
    AVAILABLE = "available", "Available"
    WITHDRAWN = "withdrawn", "Withdrawn"


class LpdFile(models.Model):
    """One uploaded lost CTF."""

    # The authority of the person who uploaded it: whose upload list it is on.
    authority = models.ForeignKey("accounts.Authority", on_delete=models.PROTECT, related_name="+")
    # The uploader's school, for a school user's upload.
    establishment = models.ForeignKey(
        "registers.Establishment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # None for an upload by the authority's own system through the API.
    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    via_api = models.BooleanField(default=False)
    # "unknown" (XXX/XXXX) or "abroad" (MMM/MMMM, §3.9.4.2): never a known school.
    destination = models.CharField(max_length=10, default="unknown")
    uploaded_at = models.DateTimeField(default=timezone.now)
    # The same file twice from the same uploader (the authority's team, or one school) is the
    # same upload (SHA-256 of the bytes); another uploader's copy is their own upload, and a
    # withdrawn one stays for the record beside a later upload of the same bytes.
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField()
    content = models.BinaryField()
    ctf_version = models.CharField(max_length=20, blank=True)
    source_lea = models.CharField(max_length=3, blank=True)
    source_estab = models.CharField(max_length=4, blank=True)
    source_name = models.CharField(max_length=200, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    pupil_count = models.PositiveIntegerField(default=0)
    # The reader's per-pupil problems: positions, lines and field names, never values.
    errors = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=10, choices=FileStatus.choices, default=FileStatus.AVAILABLE
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        indexes = [
            models.Index(fields=["authority", "-uploaded_at"], name="lpd_file_authority_idx"),
            models.Index(fields=["establishment", "-uploaded_at"], name="lpd_file_school_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "sha256"],
                condition=Q(status="available", establishment__isnull=True),
                name="lpd_file_once_by_team",
            ),
            models.UniqueConstraint(
                fields=["authority", "establishment", "sha256"],
                condition=Q(status="available", establishment__isnull=False),
                name="lpd_file_once_by_school",
            ),
        ]

    def __str__(self) -> str:
        return f"lost CTF {self.pk}"

    @property
    def source_school(self) -> str:
        codes = f"{self.source_lea}/{self.source_estab}"
        return f"{self.source_name} ({codes})" if self.source_name else codes

    @property
    def is_available(self) -> bool:
        return self.status == FileStatus.AVAILABLE


class LpdPupil(models.Model):
    """One pupil of a lost CTF, as a search finds and shows it."""

    file = models.ForeignKey(LpdFile, on_delete=models.CASCADE, related_name="pupils")
    # The pupil's place among those the reader returned (0-based): how the file is read again.
    position = models.PositiveIntegerField()
    upn = models.CharField(max_length=13, blank=True, db_index=True)
    former_upns = models.JSONField(default=list, blank=True)
    forename = models.CharField(max_length=100, blank=True)
    surname = models.CharField(max_length=100, blank=True)
    dob = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    # The last school in the pupil's history, else the file's source school.
    last_school = models.CharField(max_length=200, blank=True)
    leaving_date = models.DateField(null=True, blank=True)
    # Every school of the history and the source school, names and codes in capitals, for the
    # "previous school" of a search.
    schools = models.TextField(blank=True)
    # engine.PreparedRecord.to_json(): what the scorer reads, computed once at upload.
    features = models.JSONField()

    class Meta:
        ordering = ["file", "position"]
        constraints = [models.UniqueConstraint(fields=["file", "position"], name="lpd_pupil_once")]

    def __str__(self) -> str:
        return f"lost pupil {self.pk}"


class LpdKey(models.Model):
    """A blocking key of a lost pupil (engine.index_keys). The LPD is one shared area, so the key
    alone is the lookup; withdrawn files lose their keys."""

    key = models.CharField(max_length=40)
    pupil = models.ForeignKey(LpdPupil, on_delete=models.CASCADE, related_name="keys")

    class Meta:
        indexes = [
            # Covering: a search reads key -> pupil ids from the index alone.
            models.Index(fields=["key", "pupil"], name="lpd_key_lookup_idx")
        ]

    def __str__(self) -> str:
        return "lost pupil key"


class EventKind(models.TextChoices):
    UPLOAD = "upload", "Upload"
    SEARCH = "search", "Search"
    OPEN = "open", "Record opened"
    DOWNLOAD = "download", "Download"
    WITHDRAW = "withdraw", "Withdrawal"


class LpdEvent(models.Model):
    """One use of the LPD by an authority's people or system, counted by month.

    A counter only: the audit trail holds who did what to which file or pupil (and where a
    download was forwarded). Kept so that the activity page counts one small indexed table
    instead of filtering the whole trail."""

    authority = models.ForeignKey("accounts.Authority", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=EventKind.choices)
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["authority", "occurred_at"], name="lpd_event_month_idx"),
        ]

    def __str__(self) -> str:
        return f"LPD {self.kind} {self.pk}"
