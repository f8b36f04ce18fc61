"""What the picker on /book/<slug> tells an attendee: the clock they read, spoken day names,
today, the booking horizon, the zone list and the booking being moved."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from django.contrib.staticfiles import finders

from booking.display import clock_for
from tests.booking.helpers import utc

HX = {"HTTP_HX_REQUEST": "true"}


def test_the_clock_follows_the_attendees_language_and_the_toggle_wins(client, link, frozen):
    path = f"{link.public_path}?tz=America/New_York"
    us = client.get(path, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    german = client.get(path, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5").content.decode()
    toggled = client.get(f"{path}&clock=24h", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()

    assert ">3:00 AM<" in us and ">03:00<" not in us
    assert ">03:00<" in german and "AM<" not in german
    assert ">03:00<" in toggled
    # The chosen clock travels with every link of the picker, so it survives without scripts.
    days = re.findall(r'<a href="([^"]+)" hx-get="[^"]+" data-then="#slot-heading"', toggled)
    assert days and all("clock=24h" in d for d in days)
    assert '<input type="hidden" name="clock" value="24h">' in toggled  # the zone form too


def test_clock_defaults_by_region_before_language():
    assert clock_for(None, "en-GB,en;q=0.8") == "24h"
    assert clock_for(None, "fr;q=0.4, en-US;q=0.9") == "12h"
    assert clock_for(None, "") == "24h"
    assert clock_for("12h", "de-DE") == "12h"
    assert clock_for("bogus", "en") == "12h"


def test_days_are_named_in_full_with_whether_they_have_times(client, link, frozen):
    body = client.get(f"{link.public_path}?tz=Europe/Berlin").content.decode()

    assert 'aria-label="Monday 23 November 2026, 16 times available"' in body
    assert 'aria-label="Saturday 28 November 2026, no times"' in body
    assert 'role="grid"' in body and 'aria-label="Wednesday"' in body
    today = re.search(r"<a [^>]*aria-current=\"date\"[^>]*>(\d+)</a>", body)
    assert today and today.group(1) == "23"
    assert 'data-announce="16 times on Monday 23 November"' in body


def test_months_past_the_booking_horizon_are_not_offered(client, link, frozen):
    link.max_days_ahead = 30  # to 23 December
    link.save()
    december = client.get(f"{link.public_path}?tz=Europe/Berlin&month=2026-12").content.decode()
    assert "December 2026" in december and 'id="month-next"' not in december
    november = client.get(f"{link.public_path}?tz=Europe/Berlin").content.decode()
    assert 'id="month-next"' in november

    far = client.get(f"{link.public_path}?tz=Europe/Berlin&month=2027-06")
    assert far.status_code == 200
    assert "December 2026" in far.content.decode()


def test_the_zone_list_comes_once_with_offsets_and_the_shown_zone_first(client, link, frozen):
    body = client.get(f"{link.public_path}?tz=Asia/Tokyo&clock=24h").content.decode()
    # The zones, not the language menu's options (those carry their own lang).
    options = re.findall(r'<option value="([^"]+)"(?! lang=)[^>]*>([^<]+)</option>', body)

    assert options[0] == ("Asia/Tokyo", "(UTC+09:00) Asia/Tokyo · 16:00")
    assert ("America/New_York", "(UTC−05:00) America/New York · 02:00") in options
    # A day click swaps the picker only, without the ~550 zones.
    swapped = client.get(f"{link.public_path}?tz=Asia/Tokyo&date=2026-11-24", **HX)
    assert "<option" not in swapped.content.decode()
    assert len(swapped.content) < 15_000


def test_picking_a_slot_links_straight_to_the_form(client, link, frozen):
    body = client.get(f"{link.public_path}?tz=Europe/Berlin").content.decode()
    assert re.search(r'class="slot" href="[^"]+#booking-form"', body)


def test_the_reschedule_page_says_which_booking_moves_from_the_first_view(
    client, link, frozen, booked
):
    booking = booked(link, utc(2026, 11, 24, 9, 0))
    body = client.get(booking.reschedule_url).content.decode()
    assert "Moving from Tuesday, 24 November 2026, 10:00–10:30 (Europe/Berlin)" in body
    body = client.get(
        f"{booking.reschedule_url}?tz=America/New_York", HTTP_ACCEPT_LANGUAGE="en-US"
    ).content.decode()
    assert "Moving from Tuesday, 24 November 2026, 4:00 AM–4:30 AM (America/New_York)" in body


def test_the_pages_scripts_and_styles_stay_under_60_kb_compressed(client, link, frozen):
    """Static files are served compressed (WhiteNoise in production); this bounds what the
    attendee's browser downloads for the picker's behaviour and looks."""
    body = client.get(link.public_path).content.decode()
    assets = re.findall(r'(?:src|href)="/static/([^"]+\.(?:js|css))"', body)
    assert len(assets) >= 3  # htmx, the app's script and its styles
    sizes = [len(gzip.compress(Path(finders.find(a)).read_bytes())) for a in assets]
    assert sum(sizes) < 60_000
