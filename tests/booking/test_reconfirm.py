"""Reconfirm through the booking's token: GET shows the meeting, POST records the reconfirmation."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from booking import services
from booking.models import Booking, BookingEvent
from booking.variables import booking_variables, is_known
from tests.booking.helpers import attendee, utc
from tests.conftest import NOW
from workflows.render import render_url

START = utc(2026, 11, 25, 9, 0)  # Wednesday 10:00 in Berlin, 04:00 in New York


def test_the_page_shows_the_meeting_in_the_attendees_zone(client, link, frozen, booked):
    booking = booked(link, START, timezone="America/New_York")
    response = client.get(booking.reconfirm_url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Are you still coming?" in page
    assert "Wednesday, 25 November 2026, 04:00–04:30 (America/New_York)" in page
    assert ">Reconfirm</button>" in page


def test_a_get_never_reconfirms(client, link, frozen, booked):
    booking = booked(link, START)
    for _ in range(3):
        client.get(booking.reconfirm_url)
    booking.refresh_from_db()
    assert booking.reconfirmed_at is None
    assert not booking.events.filter(kind=BookingEvent.Kind.RECONFIRMED).exists()


def test_post_reconfirms_and_a_second_post_keeps_the_first_time(client, link, frozen, booked):
    booking = booked(link, START)

    response = client.post(booking.reconfirm_url)

    assert response.status_code == 200
    assert "Your meeting is reconfirmed" in response.content.decode()
    booking.refresh_from_db()
    assert booking.reconfirmed_at == NOW
    frozen.shift(timedelta(hours=3))
    again = client.post(booking.reconfirm_url)
    assert again.status_code == 200
    booking.refresh_from_db()
    assert booking.reconfirmed_at == NOW
    assert booking.events.filter(kind=BookingEvent.Kind.RECONFIRMED).count() == 1
    page = client.get(booking.reconfirm_url).content.decode()
    assert "You reconfirmed this meeting on Monday, 23 November 2026 at 08:00" in page
    assert ">Reconfirm</button>" not in page


def test_the_token_is_dead_once_the_meeting_starts(client, link, frozen, booked):
    booking = booked(link, START)
    with time_machine.travel(START, tick=False):
        get = client.get(booking.reconfirm_url)
        post = client.post(booking.reconfirm_url)
    assert get.status_code == post.status_code == 410
    assert "already started" in post.content.decode()
    booking.refresh_from_db()
    assert booking.reconfirmed_at is None


def test_a_cancelled_or_moved_booking_cannot_be_reconfirmed(client, link, frozen, booked):
    cancelled = booked(link, START)
    services.booking_cancel(booking=cancelled)
    moved = services.booking_create(
        link=link, start=utc(2026, 11, 26, 9, 0), attendee=attendee(email="b@example.com")
    )
    services.booking_reschedule(booking=moved, start=utc(2026, 11, 27, 9, 0))

    assert "This booking is cancelled" in client.post(cancelled.reconfirm_url).content.decode()
    assert "already rescheduled" in client.post(moved.reconfirm_url).content.decode()
    assert not Booking.objects.filter(reconfirmed_at__isnull=False).exists()


def test_reconfirm_url_is_a_template_variable(link, frozen, booked):
    booking = booked(link, START)
    assert is_known("reconfirm_url")
    values = booking_variables(booking)
    assert values["reconfirm_url"] == booking.reconfirm_url
    assert booking.reconfirm_url.endswith(f"/book/reconfirm/{booking.reschedule_token}")
    assert render_url("https://acme.test/?r={{reconfirm_url}}", values).startswith(
        "https://acme.test/?r=http"
    )


def test_the_link_form_accepts_reconfirm_url_in_the_redirect(owner_client, link):
    from tests.booking.test_link_settings import edit_url, form_data

    response = owner_client.post(
        edit_url(link), form_data(redirect_url="https://acme.test/thanks?r={{reconfirm_url}}")
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.redirect_url.endswith("{{reconfirm_url}}")
