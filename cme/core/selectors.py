"""Reads of the audit trail, scoped to the authority of the manager reading it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from cme.core.models import AuditEvent


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor_id: int | None = None
    target_type: str = ""
    target_id: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_events_visible_to(user: Any, filters: AuditFilter | None = None) -> QuerySet[AuditEvent]:
    membership = getattr(user, "membership", None)
    if membership is None:
        return AuditEvent.objects.none()
    events = AuditEvent.objects.filter(authority_id=membership.authority_id)
    f = filters or AuditFilter()
    if f.action:
        events = events.filter(action=f.action)
    if f.actor_id:
        events = events.filter(actor_id=f.actor_id)
    if f.target_type:
        events = events.filter(target_type=f.target_type)
    if f.target_id:
        events = events.filter(target_id=f.target_id)
    if f.date_from:
        events = events.filter(occurred_at__gte=_start_of(f.date_from))
    if f.date_to:
        events = events.filter(occurred_at__lt=_start_of(f.date_to + timedelta(days=1)))
    return events.order_by("-seq")


def payloads_for(*, target_type: str, target_id: str) -> list[dict[str, Any]]:
    """The payloads recorded against one record, oldest first: used to say what changed."""
    return list(
        AuditEvent.objects.filter(target_type=target_type, target_id=target_id)
        .order_by("seq")
        .values_list("payload", flat=True)
    )


def events_about(*, target_type: str, target_id: str, authority_id: int) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        target_type=target_type, target_id=target_id, authority_id=authority_id
    ).order_by("-seq")
