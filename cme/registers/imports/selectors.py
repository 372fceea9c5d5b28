"""Reads of imports, scoped to the user's own authority."""

from __future__ import annotations

from django.db.models import QuerySet

from cme.accounts.models import User
from cme.registers.models import Establishment, ImportBatch


def import_batches_visible_to(user: User) -> QuerySet[ImportBatch]:
    membership = user.membership
    if membership is None:
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(authority_id=membership.authority_id).select_related(
        "establishment", "uploaded_by", "confirmed_by"
    )


def roll_establishments_for(user: User) -> QuerySet[Establishment]:
    """The establishments whose rolls the user's authority imports: those with its LA code."""
    membership = user.membership
    if membership is None:
        return Establishment.objects.none()
    return Establishment.objects.filter(la_code=membership.authority.la_code).order_by("name")
