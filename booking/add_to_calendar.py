"""Add-to-calendar links for a meeting: Google Calendar, Outlook.com and Office 365.

Pure functions of the event: no ORM, no clock. Each service takes UTC times (with a ``Z``), so the
event lands at the same instant whatever zone the attendee's calendar is set to; Google is also
told the attendee's zone (``ctz``) so its form shows the times as they saw them on our page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

GOOGLE = "https://calendar.google.com/calendar/render"
OUTLOOK_COM = "https://outlook.live.com/calendar/0/action/compose"
OFFICE_365 = "https://outlook.office.com/calendar/0/action/compose"
# Calendar services cut or refuse very long addresses; the .ics carries the full text.
MAX_DETAILS = 1000


@dataclass(frozen=True)
class CalendarEvent:
    title: str
    start: datetime  # aware
    end: datetime  # aware
    zone: str  # the attendee's IANA zone
    details: str = ""
    location: str = ""


def _details(event: CalendarEvent) -> str:
    text = event.details
    return text if len(text) <= MAX_DETAILS else text[: MAX_DETAILS - 1].rstrip() + "…"


def _query(params: dict[str, str]) -> str:
    # %20 rather than "+": Outlook shows a "+" literally in the subject and body.
    return urlencode({k: v for k, v in params.items() if v}, quote_via=quote, safe="/")


def google_url(event: CalendarEvent) -> str:
    stamp = "%Y%m%dT%H%M%SZ"
    dates = f"{event.start.astimezone(UTC):{stamp}}/{event.end.astimezone(UTC):{stamp}}"
    params = {
        "action": "TEMPLATE",
        "text": event.title,
        "dates": dates,
        "details": _details(event),
        "location": event.location,
        "ctz": event.zone,
    }
    return f"{GOOGLE}?{_query(params)}"


def outlook_url(event: CalendarEvent, *, base: str = OUTLOOK_COM) -> str:
    """The compose deeplink of Outlook on the web: ``OUTLOOK_COM`` for personal accounts,
    ``OFFICE_365`` for work and school ones."""
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    params = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "startdt": f"{event.start.astimezone(UTC):{stamp}}",
        "enddt": f"{event.end.astimezone(UTC):{stamp}}",
        "subject": event.title,
        "body": _details(event),
        "location": event.location,
    }
    return f"{base}?{_query(params)}"


def office365_url(event: CalendarEvent) -> str:
    return outlook_url(event, base=OFFICE_365)
