"""What the audit trail and the logs need to know about the current request, without passing it.

Services are called from views, commands and background work alike; they read the request id and
client address from here rather than taking a request argument.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RequestInfo:
    request_id: str
    ip: str | None


_current: ContextVar[RequestInfo | None] = ContextVar("cme_request", default=None)
# Outside a web request (a command, background work) one id per process keeps events traceable.
_process_info = RequestInfo(request_id=f"process-{uuid.uuid4().hex[:12]}", ip=None)


def set_current(info: RequestInfo | None) -> object:
    return _current.set(info)


def reset_current(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def current() -> RequestInfo:
    info = _current.get()
    return info if info is not None else _process_info


def client_ip(request: Any) -> str | None:
    """The person's address: the socket's, or the one the trusted proxies recorded."""
    from django.conf import settings

    proxies = int(getattr(settings, "CME_TRUSTED_PROXY_COUNT", 0))
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return str(hops[-proxies])
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None
