"""A one-off offer from a host with Google Calendar connected: each offered time becomes a
"Hold: <title>" placeholder event through the outbox; sync knows those events as ours (they do not
hide the offered times), and booking one time removes the placeholders while the booking's own
event is written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from booking import services
from booking.services.one_off import Offer, one_off_cancel, one_off_create
from integrations.models import Calendar
from tests.booking.helpers import attendee, utc
from tests.integrations.fake_google_calendar import ACCOUNT
from tests.integrations.fixtures_google import connect, fake_google  # noqa: F401
from tests.integrations.test_calendar_bookings import sync
from workflows import outbox

TUE_10 = utc(2026, 11, 24, 9, 0)  # 10:00 in Berlin
TUE_14 = utc(2026, 11, 24, 13, 0)


@pytest.fixture
def calendar(fake_google, owner, workspace, link, settings):  # noqa: F811
    settings.CALENDAR_LIVE_CHECK_SECONDS = 0
    settings.PUBLIC_BASE_URL = "https://book.example.test"
    connection = connect(fake_google, user=owner, workspace=workspace)
    return Calendar.objects.create(
        connection=connection,
        user=owner,
        external_id=ACCOUNT,
        name=ACCOUNT,
        is_primary=True,
        check_conflicts=True,
        receives_bookings=True,
    )


@pytest.fixture
def meeting(frozen, calendar, owner, workspace):
    return one_off_create(
        workspace=workspace,
        host=owner,
        offer=Offer(
            title="Contract review",
            duration=30,
            starts=(TUE_10, TUE_14),
            invitee_name="Ivy Invitee",
        ),
    )


def live_events(fake) -> dict[str, str]:
    """Summary → start of the calendar's events that are not cancelled."""
    return {
        e["summary"]: e["start"]["dateTime"]
        for e in fake.events(ACCOUNT)
        if e.get("status") != "cancelled"
    }


def test_offered_times_become_placeholders_that_do_not_hide_themselves(
    meeting,
    fake_google,  # noqa: F811
    calendar,
    client,
    link,
):
    outbox.drain()
    holds = [e for e in fake_google.events(ACCOUNT) if e["summary"] == "Hold: Contract review"]
    assert len(holds) == 2
    assert "Ivy Invitee" in holds[0]["description"]

    sync(calendar)
    body = client.get(reverse("booking:one-off-public", args=[meeting.token])).content.decode()
    assert body.count('name="start"') == 2
    # Still held for everyone else.
    with pytest.raises(services.SlotTaken):
        services.booking_create(link=link, start=TUE_10, attendee=attendee())


def test_booking_a_time_removes_the_placeholders(meeting, fake_google, client):  # noqa: F811
    outbox.drain()
    client.post(
        reverse("booking:one-off-public", args=[meeting.token]),
        {
            "start": TUE_14.isoformat(),
            "name": "Ivy Invitee",
            "email": "ivy@example.com",
            "timezone": "Europe/Berlin",
        },
    )
    outbox.drain()

    events = live_events(fake_google)
    assert "Hold: Contract review" not in events
    assert events["Contract review with Ivy Invitee"].startswith("2026-11-24T")


def test_withdrawing_removes_the_placeholders(meeting, fake_google):  # noqa: F811
    outbox.drain()
    one_off_cancel(meeting=meeting)
    outbox.drain()
    assert live_events(fake_google) == {}
    assert outbox.drain() == 0  # nothing left to do, nothing done twice
