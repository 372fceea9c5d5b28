"""The matching index, the proposals reconciliation makes, the decisions officers take on them,
and the trained models.

Every register row a person may be found in (a pupil on roll, an EHE registration, a child with a
case, a referral, a school return) has one `MatchEntry` holding its prepared features, and one
`MatchKey` row per blocking key. An interactive lookup reads candidates by key, never by scanning.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now
from django.utils import timezone

from cme.matching.display import percent


class SourceKind(models.TextChoices):
    ROLL = "roll", "Pupil on roll"
    EHE = "ehe", "Elective home education register"
    CHILD = "child", "Child with a case"
    REFERRAL = "referral", "Referral"
    NEW_PUPIL = "new_pupil", "New pupil return"
    DELETION = "deletion", "Deletion return"


class MatchEntry(models.Model):
    """One source record, as the matching engine sees it."""

    authority = models.ForeignKey("accounts.Authority", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=SourceKind.choices)
    source_pk = models.PositiveBigIntegerField()
    child = models.ForeignKey(
        "children.Child", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The case a child-with-a-case entry links to (their latest); a tracking case for reconcile.
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    establishment = models.ForeignKey(
        "registers.Establishment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Database defaults too, so bulk loaders (bench/, COPY) may leave these columns out.
    year_group = models.CharField(max_length=3, blank=True, default="", db_default="")
    is_restricted = models.BooleanField(default=False, db_default=False)
    # False for a Year 6 pupil who has left a roll: kept for the Key Stage 2 to 3 transfer check.
    is_current = models.BooleanField(default=True, db_default=True)
    left_on = models.DateField(null=True, blank=True)
    # PreparedRecord.to_json(): everything the scorer needs, computed once.
    features = models.JSONField()
    # Where the record comes from, without personal data ("On roll at Hillside Primary").
    label = models.CharField(max_length=200)
    indexed_at = models.DateTimeField(default=timezone.now, db_default=Now())

    class Meta:
        verbose_name_plural = "match entries"
        constraints = [
            models.UniqueConstraint(fields=["kind", "source_pk"], name="match_entry_once")
        ]
        indexes = [
            models.Index(fields=["authority", "kind", "is_current"], name="match_entry_kind_idx"),
            models.Index(fields=["establishment", "kind"], name="match_entry_school_idx"),
            models.Index(fields=["child"], name="match_entry_child_idx"),
        ]

    def __str__(self) -> str:
        return f"match entry {self.pk}"


class MatchKey(models.Model):
    """A blocking key of an entry. The authority is repeated here so one index answers a lookup."""

    key = models.CharField(max_length=40)
    entry = models.ForeignKey(MatchEntry, on_delete=models.CASCADE, related_name="keys")
    authority_id = models.IntegerField()

    class Meta:
        indexes = [
            # Covering: a lookup reads (authority, key) -> entry ids from the index alone.
            models.Index(fields=["authority_id", "key", "entry"], name="match_key_lookup_idx")
        ]

    def __str__(self) -> str:
        return "match key"


class ProposalKind(models.TextChoices):
    TRACKING = "tracking", "Child being tracked found on a roll or return"
    TRANSFER = "transfer", "Year 6 leaver found on a Year 7 roll"
    DUPLICATE = "duplicate", "Possible duplicate child"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", "To review"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class MatchProposal(models.Model):
    """A pair reconciliation found at or above the model's threshold, for an officer to decide."""

    authority = models.ForeignKey("accounts.Authority", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ProposalKind.choices)
    left = models.ForeignKey(MatchEntry, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(MatchEntry, on_delete=models.CASCADE, related_name="+")
    # The tracking case accepting would close.
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    probability = models.FloatField()
    evidence = models.JSONField(default=list)
    decisive = models.BooleanField(default=False)
    model_version = models.CharField(max_length=40, blank=True)
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-probability", "created_at"]
        constraints = [
            # Re-running reconciliation finds the pair again and leaves it (and its decision) be.
            models.UniqueConstraint(fields=["left", "right"], name="match_proposal_once")
        ]
        indexes = [
            models.Index(
                fields=["authority", "status", "-probability"], name="match_proposal_queue_idx"
            )
        ]

    def __str__(self) -> str:
        return f"match proposal {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == ProposalStatus.PROPOSED

    @property
    def percent(self) -> str:
        return percent(self.probability)


class MatchDecision(models.Model):
    """A labelled pair for training: both records as they were when an officer decided."""

    authority = models.ForeignKey("accounts.Authority", on_delete=models.CASCADE, related_name="+")
    proposal = models.ForeignKey(
        MatchProposal, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    left_record = models.JSONField()
    right_record = models.JSONField()
    is_match = models.BooleanField()
    decided_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"match decision {self.pk}"


class StoredModel(models.Model):
    """A trained comparison model. One is active; older versions stay for the record."""

    version = models.CharField(max_length=40, unique=True)
    trained_at = models.DateTimeField(null=True, blank=True)
    trained_on = models.JSONField(default=dict)
    parameters = models.JSONField()
    is_active = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="one_active_model"
            )
        ]

    def __str__(self) -> str:
        return f"model {self.version}"
