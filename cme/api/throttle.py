"""A ceiling on requests per API token, so one organisation's system cannot crowd out the rest.

Counts live in the shared cache (Redis in production), like the sign-in throttles. A request over
the limit gets a 429 problem with Retry-After. Tokens are long random secrets, so guessing one is
not what this guards against; a runaway or misconfigured system is.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import AuthRateThrottle

from cme.api.models import ApiToken


class PerTokenThrottle(AuthRateThrottle):
    scope = "api-token"

    def __init__(self) -> None:
        super().__init__(settings.CME_API_RATE)

    def allow_request(self, request: HttpRequest) -> bool:
        # Read the rate per request, so a change of setting applies without a restart of the
        # API's operations (which hold this object from import time).
        self.rate = settings.CME_API_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str:
        token = getattr(request, "auth", None)
        ident = f"token-{token.pk}" if isinstance(token, ApiToken) else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
