"""Human-readable times in a given zone, for pages and emails."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def local_range(start: datetime, end: datetime, zone_name: str) -> str:
    """``Tuesday, 24 November 2026, 10:00–10:30 (Europe/Berlin)``."""
    zone = ZoneInfo(zone_name)
    a, b = start.astimezone(zone), end.astimezone(zone)
    day = f"{a:%A}, {a.day} {a:%B %Y}"
    if a.date() == b.date():
        return f"{day}, {a:%H:%M}–{b:%H:%M} ({zone_name})"
    return f"{day}, {a:%H:%M} – {b:%A} {b:%H:%M} ({zone_name})"


def mask_email(email: str) -> str:
    """``jo@acme.test`` as ``j…@acme.test``: enough for its owner to recognise, little to others."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}…@{domain}" if domain else "…"
