"""Reads of the registers, always scoped to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from cme.accounts.models import User
from cme.registers.models import Establishment


@dataclass(frozen=True)
class EstablishmentFilter:
    name: str = ""
    la_code: str = ""
    kind: str = ""
    phase: str = ""
    is_open: bool | None = None


def establishments_visible_to(user: User) -> QuerySet[Establishment]:
    """Establishments are national reference data (like the DfE register): anyone acting for an
    authority may see all of them, since children move between areas. Only those with the
    authority's own LA code may be changed (the `registers.change_establishment` rule)."""
    if user.membership is None:
        return Establishment.objects.none()
    return Establishment.objects.all()


def establishments_in_area_of(user: User) -> QuerySet[Establishment]:
    """Establishments with the user's authority's LA code: those its school users may belong to."""
    membership = user.membership
    if membership is None:
        return Establishment.objects.none()
    return Establishment.objects.filter(la_code=membership.authority.la_code)


def establishments_matching(user: User, filters: EstablishmentFilter) -> QuerySet[Establishment]:
    establishments = establishments_visible_to(user)
    if filters.name:
        establishments = establishments.filter(name__icontains=filters.name)
    if filters.la_code:
        establishments = establishments.filter(la_code=filters.la_code)
    if filters.kind:
        establishments = establishments.filter(kind=filters.kind)
    if filters.phase:
        establishments = establishments.filter(phase=filters.phase)
    if filters.is_open is not None:
        establishments = establishments.filter(is_open=filters.is_open)
    return establishments.order_by("name", "la_code", "number")
