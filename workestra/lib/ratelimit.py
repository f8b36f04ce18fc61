"""A fixed-window rate limit on the shared cache (Redis in production)."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    # Behind a proxy, configure it to overwrite REMOTE_ADDR; X-Forwarded-For is client-controlled.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def hit(scope: str, ident: str, *, limit: int, window: int = 60) -> bool:
    """Count one request; False when ``ident`` has gone over ``limit`` in this window."""
    bucket = int(time.time() // window)
    key = f"rl:{scope}:{ident}:{bucket}"
    if cache.add(key, 1, timeout=window + 5):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 5)
        return True
    return count <= limit
