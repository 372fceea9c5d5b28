"""Writes to the registers. Each records its own audit event in the same transaction."""

from __future__ import annotations

from django.db import transaction

from cme.accounts.models import User
from cme.accounts.services import apply_changes
from cme.core import audit
from cme.core.models import AuditAction
from cme.registers.models import Establishment, EstablishmentKind, Phase


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
