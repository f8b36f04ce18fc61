"""Times and dates that come in from attendees: refused with a message, never read wrongly."""

from __future__ import annotations

import json

import pytest

from booking import services
from booking.models import Booking
from tests.booking.helpers import attendee, utc

BOOKINGS = "/api/v1/public/links/intro/bookings"
OFFSET_MESSAGE = "Give the time with its UTC offset."
# Berlin is UTC+1 in November: read as UTC, this would book 11:00 Berlin time.
NAIVE = "2026-11-24T10:00:00"


def api_book(client, **overrides):
    payload = {
        "start": "2026-11-24T10:00:00+01:00",
        "timezone": "Europe/Berlin",
        "name": "Alice",
        "email": "alice@example.com",
        **overrides,
    }
    return client.post(BOOKINGS, json.dumps(payload), content_type="application/json")


def form_book(client, **overrides):
    data = {
        "start": "2026-11-24T10:00:00+01:00",
        "timezone": "Europe/Berlin",
        "name": "Alice",
        "email": "alice@example.com",
        **overrides,
    }
    return client.post("/book/intro", data)


def test_the_api_refuses_a_start_without_its_utc_offset(client, link, frozen):
    response = api_book(client, start=NAIVE)

    assert response.status_code == 422
    assert response.json()["errors"] == {"start": [OFFSET_MESSAGE]}
    assert not Booking.objects.exists()


def test_the_booking_form_refuses_a_start_without_its_utc_offset(client, link, frozen):
    response = form_book(client, start=NAIVE)

    assert response.status_code == 400
    assert OFFSET_MESSAGE in response.content.decode()
    assert not Booking.objects.exists()


def test_rescheduling_refuses_a_start_without_its_utc_offset(client, link, frozen):
    booking = services.booking_create(link=link, start=utc(2026, 11, 25, 9), attendee=attendee())

    response = client.post(booking.reschedule_url, {"start": NAIVE})

    assert response.status_code == 400
    assert OFFSET_MESSAGE in response.content.decode()
    assert Booking.objects.get().start == utc(2026, 11, 25, 9)


@pytest.mark.parametrize("start", ["2026-11-24T10:00:00+01:00", "2026-11-24T09:00:00Z"])
def test_a_start_with_its_offset_is_read_at_that_offset(client, link, frozen, start):
    response = api_book(client, start=start)

    assert response.status_code == 201
    assert Booking.objects.get().start == utc(2026, 11, 24, 9)
