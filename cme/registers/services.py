"""Writes to the registers. Each records its own audit event in the same transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from cme.accounts.models import Authority, User
from cme.accounts.services import apply_changes
from cme.core import audit
from cme.core.models import AuditAction
from cme.registers import places
from cme.registers.models import Establishment, EstablishmentKind, Phase, PlaceFigure


def _authority_id(actor: User) -> int | None:
    """The authority the administrator acts for (its LA code is the establishment's)."""
    membership = actor.membership
    return membership.authority_id if membership else None


@transaction.atomic
def establishment_create(
    *,
    actor: User,
    la_code: str,
    number: str,
    urn: str | None,
    name: str,
    kind: EstablishmentKind | str,
    phase: Phase | str,
    is_open: bool = True,
) -> Establishment:
    establishment = Establishment.objects.create(
        la_code=la_code,
        number=number,
        urn=urn or None,
        name=name,
        kind=kind,
        phase=phase,
        is_open=is_open,
    )
    audit.record(
        action=AuditAction.CREATED,
        actor=actor,
        target=establishment,
        authority_id=_authority_id(actor),
        payload={
            "fields": ["la_code", "number", "urn", "name", "kind", "phase", "is_open"],
            "la_code": establishment.la_code,
            "kind": establishment.kind,
            "phase": establishment.phase,
            "is_open": establishment.is_open,
        },
    )
    return establishment


@transaction.atomic
def establishment_update(
    *,
    actor: User,
    establishment: Establishment,
    la_code: str,
    number: str,
    urn: str | None,
    name: str,
    kind: EstablishmentKind | str,
    phase: Phase | str,
    is_open: bool,
) -> Establishment:
    """Change an establishment's details, including closing or reopening it."""
    current = Establishment.objects.select_for_update().get(pk=establishment.pk)
    values = {
        "la_code": la_code,
        "number": number,
        "urn": urn or None,
        "name": name,
        "kind": kind,
        "phase": phase,
        "is_open": is_open,
    }
    changed = apply_changes(current, values)
    if changed:
        audit.record(
            action=AuditAction.UPDATED,
            actor=actor,
            target=current,
            authority_id=_authority_id(actor),
            payload={
                "fields": changed,
                "la_code": current.la_code,
                "kind": current.kind,
                "phase": current.phase,
                "is_open": current.is_open,
            },
        )
    return current


# -- The places register --------------------------------------------------------------------


class PlacesRefused(Exception):
    """Figures the register does not accept; the message says why."""


@dataclass(frozen=True)
class ProgrammePlaces:
    """One alternative provision programme's places, as given; `ended` when no longer offered."""

    name: str
    places: int
    ended: bool = False


@transaction.atomic
def place_figures_record(
    *,
    actor: Any,
    establishment: Establishment,
    year_groups: Mapping[str, int] | None = None,
    programmes: Sequence[ProgrammePlaces] = (),
    as_of: date | None = None,
) -> list[PlaceFigure]:
    """Record the places an establishment has now: a school's by year group, an alternative
    provider's by programme. Every figure given is a new row dated `as_of` (today by default),
    so giving the same number again confirms it and it is no longer stale.

    Refused: year groups the school does not take, programmes for a school or year groups for
    an alternative provider, a negative number, a future date, or nothing at all.
    """
    today = timezone.localdate()
    as_of = as_of or today
    year_groups = dict(year_groups or {})
    if as_of > today:
        raise PlacesRefused("Figures cannot be dated in the future")
    if not year_groups and not programmes:
        raise PlacesRefused("Give at least one figure")
    sector = places.sector_of(establishment)
    if sector == places.Sector.ALTERNATIVE and year_groups:
        raise PlacesRefused("Alternative provision gives its places by programme")
    if sector == places.Sector.STATUTORY and programmes:
        raise PlacesRefused("A school gives its places by year group")
    allowed = set(places.year_groups_of(establishment))
    unknown = sorted(set(year_groups) - allowed)
    if unknown:
        raise PlacesRefused(f"{establishment.name} does not take year groups {', '.join(unknown)}")
    names = [p.name.strip() for p in programmes]
    if any(not name for name in names):
        raise PlacesRefused("Give each programme a name")
    if len({name.casefold() for name in names}) != len(names):
        raise PlacesRefused("Each programme can be given only once")
    if any(n < 0 for n in year_groups.values()) or any(p.places < 0 for p in programmes):
        raise PlacesRefused("Places must be 0 or more")
    recorded_by = actor if isinstance(actor, User) else None
    rows = [
        PlaceFigure(
            establishment=establishment,
            year_group=group,
            places=count,
            as_of=as_of,
            recorded_by=recorded_by,
        )
        for group, count in year_groups.items()
    ] + [
        PlaceFigure(
            establishment=establishment,
            programme=name,
            places=p.places,
            ended=p.ended,
            as_of=as_of,
            recorded_by=recorded_by,
        )
        for name, p in zip(names, programmes, strict=True)
    ]
    created = PlaceFigure.objects.bulk_create(rows)
    audit.record(
        action=AuditAction.CREATED,
        actor=actor,
        target=establishment,
        authority=Authority.objects.filter(la_code=establishment.la_code).first(),
        payload={
            "kind": "place_figures",
            "sector": sector,
            "as_of": as_of,
            "year_groups": sorted(year_groups, key=places.YEAR_GROUPS.index),
            "programmes": len(programmes),
            "programmes_ended": sum(p.ended for p in programmes),
            "places": sum(year_groups.values()) + sum(p.places for p in programmes if not p.ended),
        },
    )
    return created
