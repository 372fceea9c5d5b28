"""Writes about people and organisations. Each records its own audit event in the same transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpRequest

from cme.accounts.models import AgencyKind, Authority, Membership, PartnerAgency, Role, User
from cme.core import audit
from cme.core.models import AuditAction

if TYPE_CHECKING:
    from cme.registers.models import Establishment


def _authority_id(user: Any) -> int | None:
    membership = getattr(user, "membership", None)
    return membership.authority_id if membership else None


@transaction.atomic
def session_expire(*, request: HttpRequest) -> None:
    audit.record(
        action=AuditAction.SESSION_EXPIRED,
        actor=request.user,
        target=request.user,  # type: ignore[arg-type]
        authority_id=_authority_id(request.user),
    )


@transaction.atomic
def sign_in_record(*, user: Any) -> None:
    audit.record(
        action=AuditAction.SIGN_IN, actor=user, target=user, authority_id=_authority_id(user)
    )


@transaction.atomic
def sign_out_record(*, user: Any) -> None:
    audit.record(
        action=AuditAction.SIGN_OUT, actor=user, target=user, authority_id=_authority_id(user)
    )


@transaction.atomic
def sign_in_failure_record(*, user: Any | None) -> None:
    """A failed password. The address typed is not kept: it may be a mistyped personal address."""
    audit.record(
        action=AuditAction.SIGN_IN_FAILED,
        target=user,
        target_type="accounts.user",
        authority_id=_authority_id(user) if user else None,
        payload={"known_account": user is not None},
    )


@transaction.atomic
def second_factor_change_record(*, user: Any, action: AuditAction, kind: str) -> None:
    audit.record(
        action=action,
        actor=user,
        target=user,
        authority_id=_authority_id(user),
        payload={"authenticator": kind},
    )


# Administration: authorities, partner agencies, users and memberships.
# Audit payloads hold field names, ids and coded values only: never names or email addresses.


def apply_changes(instance: models.Model, values: Mapping[str, object]) -> list[str]:
    """Set the fields whose value differs and save only those; return their names."""
    changed = [field for field, value in values.items() if getattr(instance, field) != value]
    for field in changed:
        setattr(instance, field, values[field])
    if changed:
        instance.save(update_fields=changed)
    return changed


@transaction.atomic
def authority_create(*, actor: User, name: str, la_code: str) -> Authority:
    authority = Authority.objects.create(name=name, la_code=la_code)
    audit.record(
        action=AuditAction.CREATED,
        actor=actor,
        target=authority,
        authority=authority,
        payload={"fields": ["name", "la_code"], "la_code": la_code},
    )
    return authority


@transaction.atomic
def authority_update(*, actor: User, authority: Authority, name: str, la_code: str) -> Authority:
    current = Authority.objects.select_for_update().get(pk=authority.pk)
    if la_code != current.la_code and not actor.has_perm("accounts.change_authority_code"):
        raise PermissionDenied("Only the service operator can change an LA code")
    changed = apply_changes(current, {"name": name, "la_code": la_code})
    if changed:
        audit.record(
            action=AuditAction.UPDATED,
            actor=actor,
            target=current,
            authority=current,
            payload={"fields": changed, "la_code": current.la_code},
        )
    return current


@transaction.atomic
def agency_create(
    *, actor: User, authority: Authority, name: str, kind: AgencyKind | str
) -> PartnerAgency:
    agency = PartnerAgency.objects.create(authority=authority, name=name, kind=kind)
    audit.record(
        action=AuditAction.CREATED,
        actor=actor,
        target=agency,
        authority=authority,
        payload={"fields": ["name", "kind"], "kind": agency.kind},
    )
    return agency


@transaction.atomic
def agency_update(
    *, actor: User, agency: PartnerAgency, name: str, kind: AgencyKind | str, is_active: bool
) -> PartnerAgency:
    current = PartnerAgency.objects.select_for_update().get(pk=agency.pk)
    changed = apply_changes(current, {"name": name, "kind": kind, "is_active": is_active})
    if changed:
        audit.record(
            action=AuditAction.UPDATED,
            actor=actor,
            target=current,
            authority_id=current.authority_id,
            payload={"fields": changed, "kind": current.kind, "is_active": current.is_active},
        )
    return current


def _check_scope(
    *,
    authority: Authority,
    role: Role | str,
    establishment: Establishment | None,
    agency: PartnerAgency | None,
) -> None:
    """A school user belongs to one of the authority's establishments, a partner to one of its
    agencies, and nobody else to either."""
    if role == Role.SCHOOL_USER:
        if establishment is None or establishment.la_code != authority.la_code:
            raise ValidationError("Choose a school in your authority's area for a school user")
    elif establishment is not None:
        raise ValidationError("Only a school user is tied to a school")
    if role == Role.PARTNER:
        if agency is None or agency.authority_id != authority.pk:
            raise ValidationError("Choose one of your authority's partner agencies")
    elif agency is not None:
        raise ValidationError("Only a partner agency user is tied to an agency")


def _scope_payload(membership: Membership) -> dict[str, object]:
    return {
        "membership_id": membership.pk,
        "role": membership.role,
        "establishment_id": membership.establishment_id,
        "agency_id": membership.agency_id,
    }


@transaction.atomic
def user_create(
    *,
    actor: User,
    authority: Authority,
    email: str,
    full_name: str,
    role: Role | str,
    establishment: Establishment | None = None,
    agency: PartnerAgency | None = None,
) -> User:
    """A new account with no usable password: the person sets one through a password reset email,
    so no password is ever chosen, shown or sent by anyone else."""
    _check_scope(authority=authority, role=role, establishment=establishment, agency=agency)
    user = User.objects.create_user(email, None, full_name=full_name)
    membership = Membership.objects.create(
        user=user, authority=authority, role=role, establishment=establishment, agency=agency
    )
    audit.record(
        action=AuditAction.CREATED,
        actor=actor,
        target=user,
        authority=authority,
        payload={"fields": ["email", "full_name"], **_scope_payload(membership)},
    )
    return user


@transaction.atomic
def membership_create(
    *,
    actor: User,
    user: User,
    authority: Authority,
    role: Role | str,
    establishment: Establishment | None = None,
    agency: PartnerAgency | None = None,
) -> Membership:
    _check_scope(authority=authority, role=role, establishment=establishment, agency=agency)
    if Membership.objects.filter(user=user, authority=authority, role=role).exists():
        raise ValidationError("They already have this role. Reactivate it on their page instead")
    membership = Membership.objects.create(
        user=user, authority=authority, role=role, establishment=establishment, agency=agency
    )
    audit.record(
        action=AuditAction.PERMISSION_GRANTED,
        actor=actor,
        target=membership,
        authority=authority,
        payload={"user_id": user.pk, **_scope_payload(membership)},
    )
    return membership


def _membership_set_active(*, actor: User, membership: Membership, is_active: bool) -> Membership:
    current = Membership.objects.select_for_update().get(pk=membership.pk)
    if apply_changes(current, {"is_active": is_active}):
        audit.record(
            action=AuditAction.PERMISSION_GRANTED if is_active else AuditAction.PERMISSION_REVOKED,
            actor=actor,
            target=current,
            authority_id=current.authority_id,
            payload={"fields": ["is_active"], "user_id": current.user_id, "role": current.role},
        )
    return current


@transaction.atomic
def membership_deactivate(*, actor: User, membership: Membership) -> Membership:
    if membership.user_id == actor.pk and membership.role == Role.ADMINISTRATOR:
        raise ValidationError(
            "You cannot remove your own administrator role. Ask another administrator to do it"
        )
    return _membership_set_active(actor=actor, membership=membership, is_active=False)


@transaction.atomic
def membership_reactivate(*, actor: User, membership: Membership) -> Membership:
    return _membership_set_active(actor=actor, membership=membership, is_active=True)


def _user_set_active(*, actor: User, user: User, authority: Authority, is_active: bool) -> User:
    if user.pk == actor.pk:
        raise ValidationError("You cannot deactivate or reactivate your own account")
    if user.memberships.exclude(authority=authority).exists():
        raise ValidationError(
            "This person also has access through another authority, so their account cannot be "
            "changed here. Deactivate their roles in your authority instead"
        )
    current = User.objects.select_for_update().get(pk=user.pk)
    if apply_changes(current, {"is_active": is_active}):
        audit.record(
            action=AuditAction.PERMISSION_GRANTED if is_active else AuditAction.PERMISSION_REVOKED,
            actor=actor,
            target=current,
            authority=authority,
            payload={"fields": ["is_active"], "is_active": is_active},
        )
    return current


@transaction.atomic
def user_deactivate(*, actor: User, user: User, authority: Authority) -> User:
    """Signs the person out everywhere: Django refuses the sessions of an inactive account."""
    return _user_set_active(actor=actor, user=user, authority=authority, is_active=False)


@transaction.atomic
def user_reactivate(*, actor: User, user: User, authority: Authority) -> User:
    return _user_set_active(actor=actor, user=user, authority=authority, is_active=True)
