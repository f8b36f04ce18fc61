"""The add-to-calendar addresses: each service gets the meeting's instant in UTC, and Google the
attendee's zone, whatever zone the meeting was booked in."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from booking.add_to_calendar import (
    MAX_DETAILS,
    CalendarEvent,
    google_url,
    office365_url,
    outlook_url,
)

# 10:00-10:30 in Berlin on Monday 23 November 2026 is 09:00-09:30 UTC.
EVENT = CalendarEvent(
    title="Intro call with Olga Owner",
    start=datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")),
    end=datetime(2026, 11, 23, 10, 30, tzinfo=ZoneInfo("Europe/Berlin")),
    zone="America/New_York",
    details="Join: https://meet.example/olga\n\nReschedule: https://x.test/r",
    location="Acme HQ, Alexanderplatz 1",
)


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_google_gets_utc_times_and_the_attendees_zone():
    url = google_url(EVENT)
    assert url.startswith("https://calendar.google.com/calendar/render?")
    assert query(url) == {
        "action": "TEMPLATE",
        "text": "Intro call with Olga Owner",
        "dates": "20261123T090000Z/20261123T093000Z",
        "details": "Join: https://meet.example/olga\n\nReschedule: https://x.test/r",
        "location": "Acme HQ, Alexanderplatz 1",
        "ctz": "America/New_York",
    }


def test_outlook_com_and_office_365_get_iso_utc_times():
    for url, host in (
        (outlook_url(EVENT), "outlook.live.com"),
        (office365_url(EVENT), "outlook.office.com"),
    ):
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc, parts.path) == (
            "https",
            host,
            "/calendar/0/action/compose",
        )
        params = query(url)
        assert (params["startdt"], params["enddt"]) == (
            "2026-11-23T09:00:00Z",
            "2026-11-23T09:30:00Z",
        )
        assert (params["subject"], params["location"], params["rru"]) == (
            "Intro call with Olga Owner",
            "Acme HQ, Alexanderplatz 1",
            "addevent",
        )
        assert params["body"].startswith("Join: https://meet.example/olga")


def test_spaces_are_escaped_as_percent_20_not_plus():
    # Outlook shows a "+" in place of each space otherwise.
    assert "subject=Intro%20call%20with%20Olga%20Owner" in outlook_url(EVENT)
    assert "+" not in outlook_url(EVENT)


def test_a_summer_meeting_keeps_its_instant_across_the_dst_change():
    summer = CalendarEvent(
        title="Call",
        start=datetime(2026, 7, 1, 14, 0, tzinfo=ZoneInfo("America/New_York")),
        end=datetime(2026, 7, 1, 15, 0, tzinfo=ZoneInfo("America/New_York")),
        zone="America/New_York",
    )
    assert query(google_url(summer))["dates"] == "20260701T180000Z/20260701T190000Z"
    assert query(outlook_url(summer))["startdt"] == "2026-07-01T18:00:00Z"


def test_empty_fields_are_left_out_and_long_details_are_shortened():
    bare = CalendarEvent(
        title="Call",
        start=datetime(2026, 11, 23, 9, tzinfo=UTC),
        end=datetime(2026, 11, 23, 10, tzinfo=UTC),
        zone="UTC",
        details="x" * 5000,
    )
    params = query(google_url(bare))
    assert "location" not in params
    assert len(params["details"]) == MAX_DETAILS and params["details"].endswith("…")
