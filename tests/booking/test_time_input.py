"""Times and dates that come in from attendees: refused with a message, never read wrongly."""

from __future__ import annotations

import json

import pytest

from booking import services
from booking.models import Booking, BookingLink
from tests.booking.helpers import attendee, utc

SLOTS = "/api/v1/public/links/intro/slots"
BOOKINGS = "/api/v1/public/links/intro/bookings"
RANGE_MESSAGE = "Dates must be between 1900-01-01 and 2199-12-31."
# Python's datetimes stop at years 1 and 9999: at the edges, applying the offset (or adding the
# meeting's length) leaves that range. Just outside the accepted range too.
EDGE_STARTS = [
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00-14:00",
    "9999-12-31T23:59:00-14:00",
    "9999-12-31T23:59:00+14:00",
    "1899-12-31T23:30:00+00:00",
    "2200-01-01T00:00:00+00:00",
]
EDGE_DAYS = ["0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01"]
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


# --- Dates out of range ----------------------------------------------------------------------


@pytest.fixture(params=[k for k in BookingLink.Kind.values if k != BookingLink.Kind.INSTANT])
def any_kind_link(request, link):
    """The ``intro`` link as each kind of event that has a slot picker."""
    link.kind = request.param
    link.capacity = 3 if request.param == BookingLink.Kind.GROUP else 1
    link.save()
    return link


@pytest.mark.parametrize("day", EDGE_DAYS)
@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "UTC", "Etc/GMT+12"])
def test_the_slots_api_refuses_days_out_of_range(client, link, frozen, day, zone):
    for start, end in ((day, day), ("2026-11-23", day), (day, "2026-11-23")):
        response = client.get(SLOTS, {"start": start, "end": end, "timezone": zone})

        assert response.status_code == 400
        assert response.json() == {"detail": RANGE_MESSAGE}


@pytest.mark.parametrize("day", EDGE_DAYS)
def test_the_host_slots_api_refuses_days_out_of_range(owner_client, link, frozen, day):
    response = owner_client.get(
        f"/api/v1/links/{link.pk}/slots",
        {"start": day, "end": day, "timezone": "Pacific/Kiritimati"},
    )

    assert response.status_code == 400
    assert response.json() == {"detail": RANGE_MESSAGE}


@pytest.mark.parametrize("start", EDGE_STARTS)
def test_the_booking_api_refuses_a_start_out_of_range(client, any_kind_link, frozen, start):
    response = api_book(client, start=start)

    assert response.status_code == 422
    assert response.json()["errors"] == {"start": [RANGE_MESSAGE]}
    assert not Booking.objects.exists()


@pytest.mark.parametrize("start", EDGE_STARTS)
def test_the_booking_form_refuses_a_start_out_of_range(client, any_kind_link, frozen, start):
    response = form_book(client, start=start)

    assert response.status_code == 400
    body = response.content.decode()
    assert RANGE_MESSAGE in body
    assert 'value="Alice"' in body  # what was typed travels on with the picker
    assert not Booking.objects.exists()


@pytest.mark.parametrize("start", EDGE_STARTS)
def test_rescheduling_refuses_a_start_out_of_range(client, link, frozen, start):
    booking = services.booking_create(link=link, start=utc(2026, 11, 25, 9), attendee=attendee())

    response = client.post(booking.reschedule_url, {"start": start})

    assert response.status_code == 400
    assert RANGE_MESSAGE in response.content.decode()
    assert Booking.objects.get().start == utc(2026, 11, 25, 9)


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "1899-12", "2200-01"])
def test_a_month_out_of_range_shows_this_month_like_any_unreadable_month(
    client, any_kind_link, frozen, month
):
    response = client.get("/book/intro", {"tz": "Pacific/Kiritimati", "month": month})

    assert response.status_code == 200
    assert "November 2026" in response.content.decode()


@pytest.mark.parametrize("slot", EDGE_STARTS)
def test_a_slot_out_of_range_is_ignored_like_any_unknown_slot(client, any_kind_link, frozen, slot):
    response = client.get("/book/intro", {"tz": "Europe/Berlin", "slot": slot})

    assert response.status_code == 200
    assert 'id="booking-form"' not in response.content.decode()  # no time is chosen


@pytest.mark.parametrize(
    "query", [{"month": "9999-12"}, {"month": "0001-01"}, *({"slot": s} for s in EDGE_STARTS)]
)
def test_the_reschedule_page_ignores_a_month_or_slot_out_of_range(client, link, frozen, query):
    booking = services.booking_create(link=link, start=utc(2026, 11, 25, 9), attendee=attendee())

    response = client.get(booking.reschedule_url, query)

    assert response.status_code == 200
    assert "November 2026" in response.content.decode()
