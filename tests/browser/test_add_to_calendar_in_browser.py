"""The add-to-calendar buttons as an attendee in New York meets them after booking and after
moving a meeting: each address carries the meeting's instant and their zone, and the .ics
download is that meeting."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from django.urls import reverse
from icalendar import Calendar

from booking import services
from booking.views.after import after_booking_url
from tests.booking.helpers import utc
from tests.browser.helpers import BROWSER_MARKS
from tests.conftest import NOW

pytestmark = BROWSER_MARKS


def button_query(page, name: str) -> dict[str, str]:
    href = page.get_by_role("link", name=name).get_attribute("href")
    return {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}


def downloaded_start(page):
    with page.expect_download() as download:
        page.get_by_role("link", name="Apple Calendar and others (.ics)").click()
    ics = Path(download.value.path()).read_bytes()
    return Calendar.from_ical(ics).walk("VEVENT")[0].decoded("dtstart")


def test_the_calendar_buttons_carry_the_booked_and_the_moved_time(
    live_server, page, link, frozen, booked
):
    # Wednesday 10:00 in Berlin, 04:00 in New York, booked from New York.
    booking = booked(link, utc(2026, 11, 25, 9, 0), now=NOW, timezone="America/New_York")

    page.goto(live_server.url + after_booking_url(booking))

    page.get_by_text("Wednesday, 25 November 2026, 04:00–04:30 (America/New_York)").wait_for()
    google = button_query(page, "Google Calendar")
    assert (google["dates"], google["ctz"]) == (
        "20261125T090000Z/20261125T093000Z",
        "America/New_York",
    )
    outlook = button_query(page, "Outlook.com")
    assert (outlook["startdt"], outlook["enddt"]) == (
        "2026-11-25T09:00:00Z",
        "2026-11-25T09:30:00Z",
    )
    assert downloaded_start(page) == utc(2026, 11, 25, 9, 0)

    moved = services.booking_reschedule(booking=booking, start=utc(2026, 11, 26, 14, 0))
    page.goto(live_server.url + reverse("booking:rescheduled", args=[moved.reschedule_token]))

    page.get_by_text("Your meeting has moved").wait_for()
    assert button_query(page, "Office 365")["startdt"] == "2026-11-26T14:00:00Z"
    assert button_query(page, "Google Calendar")["dates"].startswith("20261126T140000Z/")
    assert downloaded_start(page) == utc(2026, 11, 26, 14, 0)
