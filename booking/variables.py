"""``{{variable}}`` placeholders: the names a booking offers and how they are filled in.

Used by the post-booking redirect now and by workflow templates later, so both accept one list.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from urllib.parse import quote
from zoneinfo import ZoneInfo

from booking.models import Booking

PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
UTM_NAMES = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
VARIABLE_NAMES = (
    "attendee_name",
    "attendee_email",
    "attendee_phone",
    "invitee_name",
    "invitee_email",
    "host_name",
    "host_email",
    "host_phone",
    "event_type_name",
    "start_time",
    "end_time",
    "start_time_host",
    "end_time_host",
    "start_time_iso",
    "end_time_iso",
    "attendee_timezone",
    "host_timezone",
    "duration",
    "meeting_url",
    "location",
    "reschedule_url",
    "cancel_url",
    "reconfirm_url",
    "booking_page_url",
    "booking_id",
    *UTM_NAMES,
)
_ANSWER = re.compile(r"answer_a?\d{1,6}")


def is_known(name: str) -> bool:
    return name in VARIABLE_NAMES or bool(_ANSWER.fullmatch(name))


def unknown_variables(text: str) -> str:
    """An error message naming unknown placeholders in ``text`` (empty when all are known)."""
    unknown = sorted({m for m in PLACEHOLDER.findall(text) if not is_known(m)})
    if not unknown:
        return ""
    names = ", ".join(unknown)
    return (
        f"Unknown variable{'s' if len(unknown) > 1 else ''}: {names}. Valid names: "
        f"{', '.join(VARIABLE_NAMES)}, answer_<id>."
    )


def booking_variables(booking: Booking) -> dict[str, str]:
    attendee_zone = ZoneInfo(booking.timezone)
    host_zone = ZoneInfo(booking.link.timezone)
    values = {
        "attendee_name": booking.name,
        "attendee_email": booking.email,
        "attendee_phone": booking.phone,
        "invitee_name": booking.name,
        "invitee_email": booking.email,
        "host_name": booking.host.display_name,
        "host_email": booking.host.email,
        "host_phone": booking.host.phone,
        "event_type_name": booking.link.title,
        "start_time": booking.start.astimezone(attendee_zone).isoformat(),
        "end_time": booking.end.astimezone(attendee_zone).isoformat(),
        "start_time_host": booking.start.astimezone(host_zone).isoformat(),
        "end_time_host": booking.end.astimezone(host_zone).isoformat(),
        "start_time_iso": booking.start.astimezone(host_zone).isoformat(),
        "end_time_iso": booking.end.astimezone(host_zone).isoformat(),
        "attendee_timezone": booking.timezone,
        "host_timezone": booking.link.timezone,
        "duration": str(booking.duration_minutes),
        "meeting_url": booking.meeting_url,
        "location": "",
        "reschedule_url": booking.reschedule_url,
        "cancel_url": booking.cancel_url,
        "reconfirm_url": booking.reconfirm_url,
        "booking_page_url": booking.link.public_url,
        "booking_id": str(booking.pk),
    }
    values.update({name: booking.utm.get(name, "") for name in UTM_NAMES})
    for key, answer in booking.answers.items():
        values[f"answer_{key}"] = answer
        values[f"answer_{key.removeprefix('a')}"] = answer
    return values


def render(text: str, values: Mapping[str, str], *, escape: Callable[[str], str] = str) -> str:
    """Replace each placeholder; unknown or empty ones become empty strings."""
    return PLACEHOLDER.sub(lambda m: escape(values.get(m[1], "")), text)


def render_url(template: str, values: Mapping[str, str]) -> str:
    return render(template, values, escape=lambda v: quote(v, safe=""))
