"""What every page's layout needs: the service and authority names, navigation, and session timings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from cme.core.navigation import navigation_for


def service(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    authority = membership.authority if membership else None
    return {
        "service_name": settings.CME_SERVICE_NAME,
        "service_phase": settings.CME_PHASE,
        "authority_name": authority.name if authority else "",
        "demo_mode": settings.CME_DEMO,
        "navigation": navigation_for(request),
        "session_idle_seconds": settings.CME_SESSION_IDLE_SECONDS,
        "session_warning_seconds": settings.CME_SESSION_WARNING_SECONDS,
    }
