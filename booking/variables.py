"""``{{variable}}`` placeholders: the names a booking offers and their values.

The post-booking redirect and workflow templates accept this one list; ``workflows.render``
fills them in.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from booking.models import Booking

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
#: The names as a person reads them: every answer to a booking question is ``answer_<id>``.
VALID_NAMES = (*VARIABLE_NAMES, "answer_<id>")
_ANSWER = re.compile(r"answer_a?\d{1,6}")


def is_known(name: str) -> bool:
    return name in VARIABLE_NAMES or bool(_ANSWER.fullmatch(name))


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
        "location": booking.location or booking.meeting_url,
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
