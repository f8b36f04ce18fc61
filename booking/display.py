"""How the public picker shows days, times and zones to an attendee: 12- or 24-hour clock,
spoken labels for the calendar, and the time-zone list with each zone's offset right now."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from workestra.timezones import timezone_names

CLOCKS = ("12h", "24h")
# Where a 12-hour clock is what people read day to day; elsewhere 24-hour is the default.
TWELVE_HOUR_REGIONS = frozenset({"US", "CA", "AU", "NZ", "IN", "PH", "PK", "BD", "EG", "SA", "MY"})
TWELVE_HOUR_LANGUAGES = frozenset({"en", "hi", "bn", "ur"})


def clock_for(chosen: str | None, accept_language: str) -> str:
    """The clock asked for in the query, else the one the attendee's first language implies."""
    if chosen in CLOCKS:
        return chosen
    tag = _first_language(accept_language)
    language, _sep, region = tag.replace("_", "-").partition("-")
    region = region.split("-")[-1].upper() if region else ""
    if region:
        return "12h" if region in TWELVE_HOUR_REGIONS else "24h"
    return "12h" if language.lower() in TWELVE_HOUR_LANGUAGES else "24h"


def _first_language(header: str) -> str:
    """The tag with the highest weight in an Accept-Language header ("" when there is none)."""
    best, best_q = "", -1.0
    for part in header[:500].split(","):
        tag, _sep, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and tag != "*" and q > best_q:
            best, best_q = tag, q
    return best


def time_range(start: datetime, end: datetime, zone_name: str, clock: str) -> str:
    """``Tuesday, 24 November 2026, 10:00–10:30 (Europe/Berlin)`` on the attendee's clock."""
    zone = ZoneInfo(zone_name)
    a, b = start.astimezone(zone), end.astimezone(zone)
    day = formats.date_format(a, "l, j F Y")
    if a.date() == b.date():
        return f"{day}, {time_label(a, clock)}–{time_label(b, clock)} ({zone_name})"
    later = formats.date_format(b, "l")
    return f"{day}, {time_label(a, clock)} – {later} {time_label(b, clock)} ({zone_name})"


def time_label(moment: datetime, clock: str) -> str:
    """``15:00`` or ``3:00 PM``: the moment must already be in the zone it is shown in."""
    if clock == "12h":
        return formats.date_format(moment, "g:i A")
    return f"{moment:%H:%M}"


def day_name(day: date) -> str:
    """``Monday 7 December``, in the page's language."""
    return formats.date_format(day, "l j F")


def day_label(day: date, count: int) -> str:
    """What a screen reader says for a calendar day: its full date and whether it has times."""
    full = formats.date_format(day, "l j F Y")
    if not count:
        return _("%(day)s, no times") % {"day": full}
    return ngettext(
        "%(day)s, %(count)s time available", "%(day)s, %(count)s times available", count
    ) % {"day": full, "count": count}


def times_on(day: date, count: int) -> str:
    """The live announcement after a day is picked: ``5 times on Monday 7 December``."""
    if not count:
        return _("No times on %(day)s") % {"day": day_name(day)}
    return ngettext("%(count)s time on %(day)s", "%(count)s times on %(day)s", count) % {
        "count": count,
        "day": day_name(day),
    }


def _offset_text(moment: datetime) -> str:
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "−"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


@functools.lru_cache(maxsize=4)
def _zones_at(minute: datetime) -> tuple[tuple[str, int, datetime], ...]:
    """Every zone with its offset in minutes and its local time at ``minute``, west to east."""
    rows = []
    for name in timezone_names():
        local = minute.astimezone(ZoneInfo(name))
        offset = local.utcoffset()
        rows.append((name, int(offset.total_seconds() // 60) if offset else 0, local))
    return tuple(sorted(rows, key=lambda row: (row[1], row[0])))


def zone_choices(now: datetime, *, first: str, clock: str) -> list[tuple[str, str]]:
    """``(name, "(UTC+01:00) Europe/Berlin · 08:00")`` for every zone, ``first`` at the top."""
    minute = now.astimezone(UTC).replace(second=0, microsecond=0)
    choices = []
    for name, _minutes, local in _zones_at(minute):
        text = f"({_offset_text(local)}) {name.replace('_', ' ')} · {time_label(local, clock)}"
        choices.append((name, text))
    choices.sort(key=lambda choice: choice[0] != first)  # stable: the rest keep their order
    return choices


def zone_options(now: datetime, *, selected: str, clock: str) -> SafeString:
    """The ``<option>`` list of :func:`zone_choices`, ``selected`` first and selected: built here
    once a minute, as rendering ~400 options through the template cost most of a page."""
    minute = now.astimezone(UTC).replace(second=0, microsecond=0)
    # The language is part of the key: a 12-hour clock's AM/PM is spelled in it.
    return _zone_options(minute, selected, clock, get_language())


@functools.lru_cache(maxsize=64)
def _zone_options(minute: datetime, selected: str, clock: str, language: str) -> SafeString:
    choices = zone_choices(minute, first=selected, clock=clock)
    chosen = mark_safe(" selected")
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((name, chosen if name == selected else "", text) for name, text in choices),
    )
