"""Human-readable times in a given zone, for pages and emails."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import dateformat
from django.utils.translation import pgettext


def long_date(moment: datetime) -> str:
    """``Tuesday, 24 November 2026`` in the active language (``Dienstag, 24. November 2026``)."""
    # Translators: a date with its weekday, in Django's date format syntax ("l, j. F Y").
    return dateformat.format(moment, pgettext("date format", "l, j F Y"))


def clock_time(moment: datetime) -> str:
    # Translators: a time of day, in Django's date format syntax.
    return dateformat.format(moment, pgettext("time format", "H:i"))


def local_range(start: datetime, end: datetime, zone_name: str) -> str:
    """``Tuesday, 24 November 2026, 10:00–10:30 (Europe/Berlin)``, in the active language."""
    zone = ZoneInfo(zone_name)
    a, b = start.astimezone(zone), end.astimezone(zone)
    day = long_date(a)
    if a.date() == b.date():
        return f"{day}, {clock_time(a)}–{clock_time(b)} ({zone_name})"
    return f"{day}, {clock_time(a)} – {dateformat.format(b, 'l')} {clock_time(b)} ({zone_name})"


def mask_email(email: str) -> str:
    """``jo@acme.test`` as ``j…@acme.test``: enough for its owner to recognise, little to others."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}…@{domain}" if domain else "…"
