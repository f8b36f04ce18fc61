"""The host's filtered booking list as CSV, one line per booking, streamed row by row.

Attendees type their own names, so every cell a spreadsheet could read as a formula (``=``,
``+``, ``-``, ``@``, or a tab or carriage return that some programs skip first) is prefixed
with an apostrophe, which makes it text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from booking.answers import booking_answer_rows
from booking.models import Booking
from booking.payments import payment_summary

HEADER = [
    "Start",
    "End",
    "Time zone",
    "Meeting",
    "Host",
    "Attendee",
    "Email",
    "Phone",
    "Status",
    "Attendee's time zone",
    "Cancellation reason",
    "Booked at",
    "Payment",
    "Answers",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 500


def safe(cell: str) -> str:
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


class _Echo:
    """A file that hands back what is written to it, so each row streams as it is made."""

    def write(self, value: str) -> str:
        return value


def _row(booking: Booking, zone: ZoneInfo, zone_name: str) -> list[str]:
    def local(moment: datetime) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    return [
        local(booking.start),
        local(booking.end),
        zone_name,
        booking.link.title,
        booking.host.display_name,
        booking.name,
        booking.email,
        booking.phone,
        booking.get_status_display(),
        booking.timezone,
        booking.cancel_reason,
        local(booking.created_at),
        payment_summary(booking),
        # One line per answer, under the label it was asked with: links differ in questions,
        # so they share one column rather than one each.
        "\n".join(f"{row.label}: {row.text}" for row in booking_answer_rows(booking)),
    ]


def lines(bookings: QuerySet[Booking], *, zone: str) -> Iterator[str]:
    """The header, then one CSV line per booking, times in ``zone``."""
    writer = csv.writer(_Echo())
    tz = ZoneInfo(zone)
    yield writer.writerow(HEADER)
    rows: Iterable[Booking] = (
        bookings.select_related("link", "host")
        .prefetch_related("payments")
        .iterator(chunk_size=CHUNK)
    )
    for booking in rows:
        yield writer.writerow([safe(cell) for cell in _row(booking, tz, zone)])
