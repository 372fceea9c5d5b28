"""Who the signed-in user is acting as, and the rule that every person has a second factor."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

Handler = Callable[[HttpRequest], HttpResponse]

# Pages a user without a second factor may still reach: setting one up, signing out, public pages.
_OPEN_PREFIXES = (
    "/account/",
    "/static/",
    "/session/",
    "/accessibility",
    "/privacy",
    "/health",
    "/api/",  # token-authenticated; a browser session grants nothing there
    "/tell-us/",
)


class MembershipMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        request.membership = user.membership if user.is_authenticated else None  # type: ignore[attr-defined]
        return self.get_response(request)


def second_factor_required(user: object) -> bool:
    if settings.CME_DEMO and getattr(user, "is_demo", False):
        return False
    return not is_mfa_enabled(user)


class RequireSecondFactorMiddleware:
    """Sends a signed-in user without TOTP or a security key to set one up before anything else."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and second_factor_required(request.user)
        ):
            return redirect(reverse("mfa_index"))
        return self.get_response(request)
