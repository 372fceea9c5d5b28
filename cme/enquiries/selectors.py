"""Reads of enquiries and the directory, scoped to the signed-in user's authority."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from cme.enquiries.models import (
    OPEN_INCOMING,
    Delivery,
    Direction,
    DirectoryContact,
    DirectoryEntry,
    Enquiry,
    OutboxMessage,
    Status,
)


def _authority_id(user: Any, perm: str) -> int | None:
    membership = getattr(user, "membership", None)
    if membership is None or not user.has_perm(perm):
        return None
    return int(membership.authority_id)


def directory_for(user: Any) -> QuerySet[DirectoryEntry]:
    if _authority_id(user, "enquiries.view_directory") is None:
        return DirectoryEntry.objects.none()
    return DirectoryEntry.objects.prefetch_related(
        Prefetch("contacts", queryset=DirectoryContact.objects.order_by("name"))
    ).order_by("name")


def enquiries_visible_to(user: Any) -> QuerySet[Enquiry]:
    authority_id = _authority_id(user, "enquiries.view_enquiries")
    if authority_id is None:
        return Enquiry.objects.none()
    return Enquiry.objects.filter(authority_id=authority_id).select_related(
        "counterpart", "case", "case__child"
    )


def incoming_queue(user: Any, *, show: str) -> QuerySet[Enquiry]:
    enquiries = enquiries_visible_to(user).filter(direction=Direction.INCOMING)
    if show == "answered":
        return enquiries.filter(status=Status.ANSWERED).order_by("-answered_at")
    return enquiries.filter(status__in=OPEN_INCOMING).order_by("priority", "due_on", "pk")


def outgoing_list(user: Any) -> QuerySet[Enquiry]:
    return (
        enquiries_visible_to(user)
        .filter(direction=Direction.OUTGOING)
        .exclude(status=Status.DRAFT)
        .order_by("-sent_at", "-created_at")
    )


def awaiting_approval(user: Any) -> QuerySet[Enquiry]:
    return enquiries_visible_to(user).filter(status=Status.AWAITING_APPROVAL)


def for_case(case: Any) -> list[Enquiry]:
    """The case's enquiries (both directions), for the case page: one query."""
    return list(
        Enquiry.objects.filter(case=case)
        .exclude(status=Status.DRAFT)
        .select_related("counterpart")
        .order_by("-created_at")
    )


def pending_messages(enquiry: Enquiry) -> int:
    return OutboxMessage.objects.filter(enquiry=enquiry, status=Delivery.PENDING).count()
