"""Tokens that let a school's or a partner agency's own system use the HTTP API.

A token belongs to exactly one organisation: a school (it may send that school's returns), a
partner agency (it may refer children for that agency), or the authority itself (its own case
management or MIS systems: CTF upload, Lost Pupil Database search). Only a SHA-256 digest of the secret is
kept; the secret itself is shown once, when the token is created.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OrganisationKind(models.TextChoices):
    SCHOOL = "school", "School"
    AGENCY = "agency", "Partner agency"
    AUTHORITY = "authority", "The authority's own system"


class ApiToken(models.Model):
    authority = models.ForeignKey(
        "accounts.Authority", on_delete=models.PROTECT, related_name="api_tokens"
    )
    establishment = models.ForeignKey(
        "registers.Establishment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_tokens",
    )
    agency = models.ForeignKey(
        "accounts.PartnerAgency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_tokens",
    )
    name = models.CharField(max_length=80)
    # Shown to people so they can tell tokens apart; not secret, not enough to use the token.
    prefix = models.CharField(max_length=8, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"
        constraints = [
            models.CheckConstraint(
                # A school's, an agency's, or (neither) the authority's own: never both.
                condition=Q(establishment__isnull=True) | Q(agency__isnull=True),
                name="api_token_one_organisation",
            )
        ]
        indexes = [models.Index(fields=["authority", "-created_at"], name="api_token_newest_idx")]

    def __str__(self) -> str:
        return f"API token {self.prefix}"

    @property
    def organisation_kind(self) -> OrganisationKind:
        if self.establishment_id:
            return OrganisationKind.SCHOOL
        if self.agency_id:
            return OrganisationKind.AGENCY
        return OrganisationKind.AUTHORITY

    @property
    def organisation_name(self) -> str:
        organisation = self.establishment or self.agency or self.authority
        return str(organisation)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
