"""The audit trail: an append-only, hash-chained record of who did what to which record, and when."""

from __future__ import annotations

from typing import Any

from django.db import models


class AuditAction(models.TextChoices):
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
    SIGN_OUT = "sign_out", "Signed out"
    SESSION_EXPIRED = "session_expired", "Session ended by time limit"
    MFA_ADDED = "mfa_added", "Added a second factor"
    MFA_REMOVED = "mfa_removed", "Removed a second factor"
    MFA_RESET = "mfa_reset", "Reset recovery codes"
    MFA_FAILED = "mfa_failed", "Failed second-factor check"
    PASSWORD_CHANGED = "password_changed", "Changed password"
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    DELETED = "deleted", "Deleted"
    PERMISSION_GRANTED = "permission_granted", "Granted access"
    PERMISSION_REVOKED = "permission_revoked", "Removed access"
    PERMISSION_CHANGED = "permission_changed", "Changed access"
    VIEWED = "viewed", "Viewed"
    EXPORTED = "exported", "Exported"
    IMPORTED = "imported", "Imported"
    AUDIT_VERIFIED = "audit_verified", "Checked the audit trail"


class AppendOnlyQuerySet(models.QuerySet["AuditEvent"]):
    """Audit events are added one at a time by audit.record() and never changed or removed."""

    def update(self, **kwargs: object) -> int:
        raise PermissionError("audit events cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events cannot be deleted")

    def bulk_create(self, *args: object, **kwargs: object) -> list[AuditEvent]:
        raise PermissionError("audit events are written one at a time by audit.record()")


class AuditEvent(models.Model):
    """One audited action. Rows are never changed: on PostgreSQL a trigger refuses UPDATE and DELETE.

    `seq` numbers events without gaps and `hash` covers every field plus the previous event's hash,
    so an edited, removed or inserted row breaks the chain that `cme audit verify` walks.
    Actor, target and authority are plain ids, not foreign keys: the trail outlives what it describes.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    occurred_at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=40, choices=AuditAction.choices, db_index=True)
    target_type = models.CharField(max_length=60, blank=True, db_index=True)
    target_id = models.CharField(max_length=64, blank=True)
    authority_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    payload = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events cannot be deleted")


class AuditChainHead(models.Model):
    """The last event's number and hash: locked to append in order, and it shows a removed tail."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"


class Term(models.Model):
    """A stretch of school days in an authority's term calendar, usually one half term.

    School-day clocks (a CTF within 15 school days) count only days inside a term; the gaps
    between terms are holidays. See cme/core/calendar.py.
    """

    authority = models.ForeignKey(
        "accounts.Authority", on_delete=models.CASCADE, related_name="terms"
    )
    name = models.CharField(max_length=60, help_text="For example, Autumn 1 2026")
    starts = models.DateField(help_text="The first day of the term")
    ends = models.DateField(help_text="The last day of the term")

    class Meta:
        ordering = ["starts"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gte=models.F("starts")), name="term_ends_on_or_after_start"
            ),
        ]
        indexes = [models.Index(fields=["authority", "starts", "ends"], name="term_authority_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts:%d %b %Y} to {self.ends:%d %b %Y})"


class SchoolClosure(models.Model):
    """A day inside a term when the authority's schools are shut (an INSET day or a one-off)."""

    authority = models.ForeignKey(
        "accounts.Authority", on_delete=models.CASCADE, related_name="school_closures"
    )
    day = models.DateField()
    reason = models.CharField(max_length=120, blank=True, help_text="For example, INSET day")

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "day"], name="one_closure_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day:%d %b %Y} closed" + (f": {self.reason}" if self.reason else "")
