"""A fixed-window limit on public submissions per client address, kept in the shared cache.

The cache is shared between processes (file or Redis in production), so every worker counts the
same submissions. The client address is used only as a hashed cache key and is never logged.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest

from cme.core.request_context import client_ip

PUBLIC_LIMIT = 5
PUBLIC_WINDOW_SECONDS = 10 * 60


def _key(request: HttpRequest) -> str:
    address = client_ip(request) or "unknown"
    return "intake:public:" + hashlib.sha256(address.encode()).hexdigest()[:32]


def take_public_slot(request: HttpRequest) -> bool:
    """Count one submission from this address; False once the window's limit is used up."""
    key = _key(request)
    # add() starts the window only if none is running; incr() then counts within it.
    cache.add(key, 0, timeout=PUBLIC_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add() and incr()
        cache.set(key, 1, timeout=PUBLIC_WINDOW_SECONDS)
        count = 1
    return int(count) <= PUBLIC_LIMIT
