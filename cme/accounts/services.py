"""Writes about people and organisations. Each records its own audit event in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from cme.core import audit
from cme.core.models import AuditAction


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
