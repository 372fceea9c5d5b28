"""Changes to a child's record. Each is atomic and audited; none logs personal data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from cme.children.models import (
    Address,
    Carer,
    Child,
    ChildVulnerability,
    FormerUPN,
    OtherName,
    RestrictionGrant,
    Sibling,
)
from cme.children.upn import normalise_upn
from cme.core import audit
from cme.core.models import AuditAction
from cme.matching import hooks as matching


class ChildRefused(Exception):
    """A change the rules do not allow; the message says why."""


def _record(actor: Any, child: Child, action: AuditAction, **payload: Any) -> None:
    audit.record(
        action=action, actor=actor, target=child, authority_id=child.authority_id, payload=payload
    )


@transaction.atomic
def child_update(*, child: Child, actor: Any, changes: Mapping[str, Any]) -> Child:
    changed = {k: v for k, v in changes.items() if getattr(child, k) != v}
    if changed.get("upn"):
        changed["upn"] = normalise_upn(changed["upn"])
        if child.upn and child.upn != changed["upn"]:
            FormerUPN.objects.get_or_create(child=child, upn=child.upn)
    for name, value in changed.items():
        setattr(child, name, value)
    if changed:
        child.full_clean(exclude=["authority"])
        child.save(update_fields=list(changed))
        _record(actor, child, AuditAction.UPDATED, fields=sorted(changed))
        matching.child_changed(child)
    return child


@transaction.atomic
def child_vulnerable_groups_set(*, child: Child, actor: Any, groups: Iterable[str]) -> None:
    wanted = set(groups)
    current = set(child.vulnerabilities.values_list("group", flat=True))
    child.vulnerabilities.filter(group__in=current - wanted).delete()
    ChildVulnerability.objects.bulk_create(
        [ChildVulnerability(child=child, group=g) for g in sorted(wanted - current)]
    )
    if wanted != current:
        _record(
            actor, child, AuditAction.UPDATED, fields=["vulnerable_groups"], groups=sorted(wanted)
        )


@transaction.atomic
def child_address_add(*, child: Child, actor: Any, current: bool, **fields: Any) -> Address:
    if current:
        old = child.addresses.filter(is_current=True).first()
        if old is not None:
            old.is_current = False
            old.lived_to = old.lived_to or fields.get("lived_from") or timezone.localdate()
            old.save(update_fields=["is_current", "lived_to"])
    address = Address.objects.create(child=child, is_current=current, **fields)
    _record(actor, child, AuditAction.UPDATED, fields=["address"], current=current)
    matching.child_changed(child)
    return address


@transaction.atomic
def child_carer_add(*, child: Child, actor: Any, **fields: Any) -> Carer:
    carer = Carer.objects.create(child=child, **fields)
    _record(
        actor,
        child,
        AuditAction.UPDATED,
        fields=["carers"],
        parental_responsibility=carer.has_parental_responsibility,
    )
    matching.child_changed(child)
    return carer


@transaction.atomic
def child_other_name_add(
    *, child: Child, actor: Any, kind: str, forename: str, surname: str
) -> OtherName:
    if not (forename.strip() or surname.strip()):
        raise ChildRefused("Enter a first name or a last name")
    name = OtherName.objects.create(
        child=child, kind=kind, forename=forename.strip(), surname=surname.strip()
    )
    _record(actor, child, AuditAction.UPDATED, fields=["other_names"], kind=kind)
    matching.child_changed(child)
    return name


@transaction.atomic
def child_sibling_add(
    *, child: Child, actor: Any, full_name: str, date_of_birth: Any = None
) -> Sibling:
    sibling = Sibling.objects.create(
        child=child, full_name=full_name.strip(), date_of_birth=date_of_birth
    )
    _record(actor, child, AuditAction.UPDATED, fields=["siblings"])
    return sibling


@transaction.atomic
def child_seal_break(*, child: Child, actor: Any, reason: str) -> RestrictionGrant:
    """Give `actor` sight of a restricted child's location, for a reason managers can review."""
    if not child.is_restricted:
        raise ChildRefused("This record is not restricted")
    if len(reason.strip()) < 10:
        raise ChildRefused(
            "Explain why you need to see this child's details (at least 10 characters)"
        )
    grant = RestrictionGrant.objects.create(
        child=child, user=actor, granted_by=actor, reason=reason.strip()
    )
    audit.record(
        action=AuditAction.PERMISSION_GRANTED,
        actor=actor,
        target=child,
        authority_id=child.authority_id,
        payload={"grant": grant.pk, "restricted_record": True},
    )
    return grant


@transaction.atomic
def child_seal_restore(*, grant: RestrictionGrant, actor: Any) -> None:
    if grant.revoked_at is not None:
        return
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    audit.record(
        action=AuditAction.PERMISSION_REVOKED,
        actor=actor,
        target=grant.child,
        authority_id=grant.child.authority_id,
        payload={"grant": grant.pk},
    )
