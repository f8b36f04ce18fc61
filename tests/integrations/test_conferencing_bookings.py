"""Bookings on a host's Zoom, Webex or GoTo Meeting account, end to end against each fake: the
meeting is made when the booking confirms and its link and dial-in reach the attendee, a
reschedule moves the same meeting, a cancel deletes it, and a missing or revoked account never
fails the booking."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from booking import services
from booking.models import Booking
from booking.selectors import location_warnings
from integrations.models import CalendarConnection
from tests.booking.helpers import utc
from tests.integrations import fixtures_goto, fixtures_webex, fixtures_zoom
from workflows import outbox
from workflows.models import OutboxMessage

fake_zoom = fixtures_zoom.fake_zoom
fake_webex = fixtures_webex.fake_webex
fake_goto = fixtures_goto.fake_goto_fixture

START = utc(2026, 11, 25, 13, 30)  # Wednesday 14:30 in Berlin


@dataclass
class Account:
    kind: str
    fake: Any
    connect: Callable[[Any], CalendarConnection]
    start_of: Callable[[dict[str, Any]], datetime]


def _utc(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture(params=["zoom", "webex", "gotomeeting"])
def account(request, owner) -> Account:
    if request.param == "zoom":
        fake = request.getfixturevalue("fake_zoom")
        return Account(
            "zoom",
            fake,
            lambda u: fixtures_zoom.connect_zoom(fake, u),
            lambda m: _utc(m["start_time"]),
        )
    if request.param == "webex":
        fake = request.getfixturevalue("fake_webex")
        return Account(
            "webex",
            fake,
            lambda u: fixtures_webex.connect_webex(fake, u),
            lambda m: _utc(m["start"]),
        )
    fake = request.getfixturevalue("fake_goto")
    return Account(
        "gotomeeting",
        fake,
        lambda u: fixtures_goto.connect_goto(fake, u),
        lambda m: _utc(m["starttime"]),
    )


@pytest.fixture
def video_link(link, account, settings):
    settings.CALENDAR_LIVE_CHECK_SECONDS = 0
    link.locations = [{"kind": account.kind, "detail": ""}]
    link.save()
    return link


def test_the_meeting_is_made_and_its_link_reaches_the_attendee(
    video_link, account, owner, frozen, booked
):
    account.connect(owner)
    booking = booked(video_link, START)
    outbox.drain()

    booking.refresh_from_db()
    (meeting,) = account.fake.meetings.values()
    assert booking.conference_id and booking.meeting_url.startswith("http")
    assert account.start_of(meeting) == START
    to_attendee = next(m for m in mail.outbox if m.to == ["alice@example.com"])
    assert booking.meeting_url in to_attendee.body
    if booking.dial_in:
        assert booking.dial_in.splitlines()[0] in to_attendee.body


def test_a_reschedule_moves_the_same_meeting_and_a_cancel_deletes_it(
    video_link, account, owner, frozen, booked
):
    account.connect(owner)
    booking = booked(video_link, START)
    outbox.drain()
    booking.refresh_from_db()

    later = START + timedelta(hours=2)
    moved = services.booking_reschedule(booking=booking, start=later)
    outbox.drain()
    (meeting,) = account.fake.meetings.values()
    assert account.start_of(meeting) == later
    moved.refresh_from_db()
    assert (moved.conference_id, moved.meeting_url) == (booking.conference_id, booking.meeting_url)

    services.booking_cancel(booking=moved, reason="Sorry")
    outbox.drain()
    assert account.fake.meetings == {}


def test_without_an_account_the_booking_stands_and_the_timeline_says_why(
    video_link, account, owner, frozen, booked, owner_client
):
    booking = booked(video_link, START)
    outbox.drain()

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and not booking.meeting_url
    row = OutboxMessage.objects.get(kind="booking.conference")
    assert row.failed_at is not None and "no working" in row.last_error
    page = owner_client.get(reverse("booking:calendar-booking", args=[booking.pk]))
    assert "Connect" in page.content.decode()
    assert location_warnings(video_link)  # the link's settings page warns too
    with time_machine.travel(utc(2026, 11, 23, 7, 3), tick=False):
        outbox.drain()  # the confirmation's wait for the link is over
    assert any(m.to == ["alice@example.com"] for m in mail.outbox)


def test_a_revoked_account_is_marked_broken_and_the_link_warns(
    video_link, account, owner, frozen, booked
):
    connection = account.connect(owner)
    account.fake.revoke_all()
    account.fake.expire_access_tokens()

    booked(video_link, START)
    outbox.drain()

    connection.refresh_from_db()
    assert connection.status == CalendarConnection.Status.BROKEN
    assert any("reconnect" in w for w in location_warnings(video_link))


def test_a_meeting_the_host_deleted_at_the_provider_is_made_again_on_reschedule(
    video_link, account, owner, frozen, booked
):
    account.connect(owner)
    booking = booked(video_link, START)
    outbox.drain()
    account.fake.meetings.clear()  # the host deleted it in their account

    moved = services.booking_reschedule(booking=booking, start=START + timedelta(hours=1))
    outbox.drain()

    moved.refresh_from_db()
    (meeting,) = account.fake.meetings.values()
    assert account.start_of(meeting) == START + timedelta(hours=1)
    assert moved.meeting_url
