"""The single-use list as CSV, for outreach attribution: which contact booked from which link."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from booking import single_use
from booking.bookings_csv import CHUNK, safe
from booking.models import SingleUseLink

HEADER = [
    "Contact",
    "Email",
    "Template link",
    "Status",
    "Expires",
    "Strict email match",
    "Consumed at",
    "Booking id",
    "Created at",
    "URL",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _row(single: SingleUseLink, zone: ZoneInfo, now: datetime) -> list[str]:
    def local(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""

    return [
        single.contact.name,
        single.contact.email,
        single.link.title,
        single_use.status_label(single_use.status_of(single, now)),
        local(single.expires_at),
        "no" if single.allow_forwarding else "yes",
        local(single.consumed_at),
        str(single.consumed_by_booking_id or ""),
        local(single.created_at),
        single.url,
    ]


def lines(rows: QuerySet[SingleUseLink], *, zone: str, now: datetime) -> Iterator[str]:
    """The header, then one CSV line per single-use link, times in ``zone``."""
    writer = csv.writer(_Echo())
    tz = ZoneInfo(zone)
    yield writer.writerow(HEADER)
    for single in rows.select_related("link", "contact").iterator(chunk_size=CHUNK):
        yield writer.writerow([safe(cell) for cell in _row(single, tz, now)])
