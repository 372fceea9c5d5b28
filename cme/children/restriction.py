"""Restricted children (§3.9.3.2): who may see where a restricted child is.

A restricted child's address, school and contacts are withheld from everyone without an active
grant; in lists and search results the child appears only as "restricted record — contact the
owner". Every page that shows a child asks here.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from cme.children.models import Child, RestrictionGrant

RESTRICTED_LABEL = "Restricted record — contact the owner"
WITHHELD = "Withheld: restricted record"


def active_grants(user: Any) -> QuerySet[RestrictionGrant]:
    return RestrictionGrant.objects.filter(
        user_id=user.pk, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )


def can_see_details(user: Any, child: Child) -> bool:
    """True when the child is not restricted, or the user holds an active grant for them."""
    if not child.is_restricted:
        return True
    return active_grants(user).filter(child_id=child.pk).exists()


def with_detail_access(children: QuerySet[Child], user: Any) -> QuerySet[Child]:
    """Annotate `details_visible` on each child in one query, for lists."""
    granted = active_grants(user).filter(child_id=OuterRef("pk"))
    return children.annotate(has_grant=Exists(granted))


def details_visible(child: Any) -> bool:
    """For a child annotated by `with_detail_access` (or a case's child annotated the same way)."""
    return not child.is_restricted or bool(getattr(child, "has_grant", False))
