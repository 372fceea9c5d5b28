"""Request-wide behaviour: request ids, session time limits and caching rules."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from cme.core import request_context

Handler = Callable[[HttpRequest], HttpResponse]
SIGNED_IN_AT = "cme_signed_in_at"


class RequestIdMiddleware:
    """Gives every request an id, shared by its log lines, its audit events and the error page."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_context.set_current(
            request_context.RequestInfo(
                request_id=request_id, ip=request_context.client_ip(request)
            )
        )
        try:
            response = self.get_response(request)
        finally:
            request_context.reset_current(token)
        response["X-Request-Id"] = request_id
        return response


class SessionLimitMiddleware:
    """Ends a session 12 hours after sign-in, however active. The 30-minute idle limit is the cookie's."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            signed_in_at = request.session.get(SIGNED_IN_AT)
            now = time.time()
            if signed_in_at is None:
                request.session[SIGNED_IN_AT] = now
            elif now - float(signed_in_at) > settings.CME_SESSION_ABSOLUTE_SECONDS:
                from cme.accounts.services import session_expire

                session_expire(request=request)
                logout(request)
                messages.info(
                    request, "You were signed out because you had been signed in for 12 hours."
                )
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages can show children's records: no browser or proxy may keep a copy of any of them."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        return response
