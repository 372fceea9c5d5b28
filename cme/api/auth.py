"""Bearer tokens for the API. Only the `Authorization: Bearer <token>` header is read: a session
cookie gives no access here, so the API needs no CSRF protection and a signed-in person's browser
cannot be used to submit through it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.security import HttpBearer

from cme.api import selectors, services
from cme.api.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = selectors.token_for(token.strip())
        if found is not None:
            services.api_token_mark_used(token=found)
        return found


def token_of(request: HttpRequest) -> ApiToken:
    token = getattr(request, "auth", None)
    assert isinstance(token, ApiToken)
    return token


def authority_token(request: HttpRequest) -> ApiToken:
    """The caller's token if it is an authority's own system's; otherwise refused (403)."""
    token = token_of(request)
    if token.establishment_id is not None or token.agency_id is not None:
        raise PermissionDenied("Only the authority's own system's token may use this.")
    return token
