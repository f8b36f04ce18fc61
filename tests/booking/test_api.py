"""The JSON flow for the embed widget and integrators."""

from __future__ import annotations

import json

import pytest

from booking.models import Booking
from crm.models import Contact

SLOTS = "/api/v1/public/links/intro/slots"
BOOKINGS = "/api/v1/public/links/intro/bookings"


def post(client, payload, path=BOOKINGS):
    return client.post(path, json.dumps(payload), content_type="application/json")


def valid(**overrides):
    payload = {
        "start": "2026-11-23T04:00:00-05:00",
        "timezone": "America/New_York",
        "name": "Alice",
        "email": "alice@example.com",
    }
    payload.update(overrides)
    return payload


def test_slots_are_grouped_by_the_bookers_local_date_with_their_offset(client, link, frozen):
    response = client.get(
        SLOTS, {"start": "2026-11-23", "end": "2026-11-24", "timezone": "Asia/Tokyo"}
    )
    data = response.json()

    assert response.status_code == 200
    assert (data["timezone"], data["duration"]) == ("Asia/Tokyo", 30)
    # Berlin 09:00-17:00 is 17:00-01:00 in Tokyo: Monday's hours spill into Tuesday there.
    assert data["slots"]["2026-11-23"][0] == {
        "start": "2026-11-23T17:00:00+09:00",
        "end": "2026-11-23T17:30:00+09:00",
    }
    assert data["slots"]["2026-11-24"][0]["start"] == "2026-11-24T00:00:00+09:00"
    assert len(data["slots"]["2026-11-23"]) == 14
    assert "2026-11-25" not in data["slots"]


def test_slots_for_another_duration(client, link, frozen):
    link.durations = [60]
    link.save()
    data = client.get(
        SLOTS,
        {"start": "2026-11-24", "end": "2026-11-24", "timezone": "Europe/Berlin", "duration": 60},
    ).json()
    starts = [s["start"][11:16] for s in data["slots"]["2026-11-24"]]
    assert starts[0] == "09:00" and starts[-1] == "16:00"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-11-23", "end": "2027-01-24", "timezone": "UTC"}, "at most 62 days"),
        (
            {"start": "2026-11-23", "end": "2026-11-24", "timezone": "Mars/Base"},
            "Unknown time zone",
        ),
        ({"start": "2026-11-24", "end": "2026-11-23", "timezone": "UTC"}, "on or after start"),
        (
            {"start": "2026-11-23", "end": "2026-11-24", "timezone": "UTC", "duration": 45},
            "duration must be one of",
        ),
    ],
)
def test_bad_slot_queries_are_400_with_a_message(client, link, frozen, params, message):
    response = client.get(SLOTS, params)
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_malformed_dates_are_422(client, link, frozen):
    response = client.get(SLOTS, {"start": "soon", "end": "2026-11-24", "timezone": "UTC"})
    assert response.status_code == 422
    assert "start" in response.json()["errors"]


def test_unknown_link_is_404_and_paused_link_410(client, link, frozen):
    params = {"start": "2026-11-23", "end": "2026-11-24", "timezone": "UTC"}
    assert client.get("/api/v1/public/links/nope/slots", params).status_code == 404
    link.is_active = False
    link.save()
    response = client.get(SLOTS, params)
    assert response.status_code == 410
    assert response.json()["detail"] == "This link is no longer active."
    assert post(client, valid()).status_code == 410


def test_booking_returns_201_with_the_self_service_urls(client, link, frozen):
    response = post(
        client, valid(utm={"utm_source": "widget", "evil": "x"}, answers={"a1": "Acme"})
    )
    data = response.json()

    assert response.status_code == 201
    booking = Booking.objects.get()
    assert data == {
        "id": booking.pk,
        "status": "confirmed",
        "start": "2026-11-23T04:00:00-05:00",
        "end": "2026-11-23T04:30:00-05:00",
        "timezone": "America/New_York",
        "reschedule_url": booking.reschedule_url,
        "cancel_url": booking.cancel_url,
    }
    assert booking.reschedule_token in data["reschedule_url"]
    assert (booking.utm, booking.answers) == ({"utm_source": "widget"}, {"a1": "Acme"})


def test_a_taken_slot_is_409(client, link, frozen):
    assert post(client, valid()).status_code == 201
    response = post(client, valid(email="bob@example.com"))
    assert response.status_code == 409
    assert "just taken" in response.json()["detail"]
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        (valid(email="nope", name=""), {"email", "name"}),
        (valid(timezone="Bad/Zone"), {"timezone"}),
        (valid(start="2026-11-23T04:00:00"), {"start"}),
        (valid(start="2026-11-23T12:00:00-05:00"), {"start"}),
        (valid(start="2026-11-20T04:00:00-05:00"), {"start"}),
        (valid(duration=45), {"duration"}),
        (valid(name=["a", "list"]), {"name"}),
        (valid(name="x" * 5000), {"name"}),
        (valid(guests=["bob@example.com"]), {"__all__"}),
        ({}, {"start", "timezone", "name", "email"}),
    ],
)
def test_invalid_bookings_are_422_listing_each_field_and_write_nothing(
    client, link, frozen, payload, fields
):
    response = post(client, payload)
    assert response.status_code == 422
    assert fields <= set(response.json()["errors"])
    assert not Booking.objects.exists() and not Contact.objects.exists()


def test_a_body_that_is_not_an_object_is_422(client, link, frozen):
    response = client.post(BOOKINGS, "[1, 2]", content_type="application/json")
    assert response.status_code == 422
    response = client.post(BOOKINGS, "{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert not Booking.objects.exists()


def test_openapi_schema_describes_both_endpoints(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/public/links/{slug}/slots" in schema["paths"]
    assert "/api/v1/public/links/{slug}/bookings" in schema["paths"]


@pytest.mark.parametrize("path", [BOOKINGS, "/api/v1/public/bookings/" + "a" * 32 + "/verify"])
def test_a_body_over_the_size_limit_is_a_json_413(client, link, frozen, settings, path):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = json.dumps(valid(name="x" * limit))

    response = client.post(path, body, content_type="application/json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {"detail": f"Send a body of at most {limit:,} bytes."}
    assert not Booking.objects.exists()


def test_an_oversized_form_post_to_the_api_is_a_json_413_too(client, link, frozen, settings):
    body = "name=" + "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    response = client.post(BOOKINGS, body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 413
    assert "at most" in response.json()["detail"]
    assert not Booking.objects.exists()
