"""Connects sign-in events from Django and allauth to the audit trail. No logic lives here."""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals

from cme.accounts import services
from cme.core.middleware import SIGNED_IN_AT
from cme.core.models import AuditAction


def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = time.time()
    services.sign_in_record(user=user)


def _signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        services.sign_out_record(user=user)


def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    from cme.accounts.models import User

    email = str(credentials.get("email") or credentials.get("username") or "").strip().lower()
    services.sign_in_failure_record(
        user=User.objects.filter(email=email).first() if email else None
    )


def _factor_added(sender: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    services.second_factor_change_record(
        user=user, action=AuditAction.MFA_ADDED, kind=authenticator.type
    )


def _factor_removed(sender: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    services.second_factor_change_record(
        user=user, action=AuditAction.MFA_REMOVED, kind=authenticator.type
    )


def _factor_reset(sender: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    services.second_factor_change_record(
        user=user, action=AuditAction.MFA_RESET, kind=authenticator.type
    )


def _factor_failed(sender: Any, user: Any, authenticator: Any = None, **kwargs: Any) -> None:
    kind = authenticator.type if authenticator is not None else "unknown"
    services.second_factor_change_record(user=user, action=AuditAction.MFA_FAILED, kind=kind)


def connect() -> None:
    auth_signals.user_logged_in.connect(_signed_in, dispatch_uid="cme_signed_in")
    auth_signals.user_logged_out.connect(_signed_out, dispatch_uid="cme_signed_out")
    auth_signals.user_login_failed.connect(_sign_in_failed, dispatch_uid="cme_sign_in_failed")
    mfa_signals.authenticator_added.connect(_factor_added, dispatch_uid="cme_factor_added")
    mfa_signals.authenticator_removed.connect(_factor_removed, dispatch_uid="cme_factor_removed")
    mfa_signals.authenticator_reset.connect(_factor_reset, dispatch_uid="cme_factor_reset")
    mfa_signals.authentication_failed.connect(_factor_failed, dispatch_uid="cme_factor_failed")
