"""Text from attendees that no database can store: refused with a message, nothing written."""

from __future__ import annotations

import json

import pytest

from booking import services
from booking.models import Booking
from crm.models import Contact
from tests.booking.helpers import attendee, utc

BOOKINGS = "/api/v1/public/links/intro/bookings"
START = "2026-11-24T10:00:00+01:00"


def api_book(client, **overrides):
    payload = {
        "start": START,
        "timezone": "Europe/Berlin",
        "name": "Alice",
        "email": "alice@example.com",
        **overrides,
    }
    return client.post(BOOKINGS, json.dumps(payload), content_type="application/json")


def form_book(client, **overrides):
    data = {
        "start": START,
        "timezone": "Europe/Berlin",
        "name": "Alice",
        "email": "alice@example.com",
        **overrides,
    }
    return client.post("/book/intro", data)


def assert_nothing_written():
    assert not Booking.objects.exists()
    assert not Contact.objects.exists()


# --- NUL characters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"answers": {"a1": "Acme\x00Corp"}},
            "__all__",
            "Answer a1: null characters are not allowed.",
        ),
        (
            {"utm": {"utm_source": "news\x00"}},
            "__all__",
            "utm_source: null characters are not allowed.",
        ),
        ({"name": "Al\x00ice"}, "name", "Null characters are not allowed."),
        ({"email": "alice@exam\x00ple.com"}, "email", "Null characters are not allowed."),
    ],
)
def test_the_api_refuses_nul_characters(client, link, frozen, overrides, field, message):
    response = api_book(client, **overrides)

    assert response.status_code == 422
    assert message in response.json()["errors"][field]
    assert_nothing_written()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"a1": "Acme\x00Corp"}, "Answer a1: null characters are not allowed."),
        ({"utm_source": "news\x00"}, "utm_source: null characters are not allowed."),
        ({"name": "Al\x00ice"}, "Null characters are not allowed."),
        ({"email": "alice@exam\x00ple.com"}, "Null characters are not allowed."),
    ],
)
def test_the_booking_form_refuses_nul_characters(client, link, frozen, overrides, message):
    response = form_book(client, **overrides)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert_nothing_written()


def test_the_refused_form_leaves_the_bad_value_behind_and_books_on_resubmit(client, link, frozen):
    response = form_book(client, a1="Acme Corp", utm_source="news\x00", utm_medium="email")
    body = response.content.decode()
    assert 'name="utm_medium" value="email"' in body and 'name="a1" value="Acme Corp"' in body
    assert 'name="utm_source"' not in body

    response = form_book(client, a1="Acme Corp", utm_medium="email")

    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.answers, booking.utm) == ({"a1": "Acme Corp"}, {"utm_medium": "email"})


def test_the_booking_form_leaves_out_prefilled_values_with_nul_characters(client, link, frozen):
    response = client.get(
        "/book/intro",
        {"tz": "Europe/Berlin", "slot": START, "utm_source": "news\x00", "a1": "x\x00", "a2": "ok"},
    )

    assert response.status_code == 200
    booking_form = response.content.decode().split('id="booking-form"')[1]
    assert 'name="a2" value="ok"' in booking_form
    assert 'name="utm_source"' not in booking_form and 'name="a1"' not in booking_form


def test_a_cancel_reason_with_a_nul_character_is_refused(client, link, frozen):
    booking = services.booking_create(link=link, start=utc(2026, 11, 25, 9), attendee=attendee())

    response = client.post(booking.cancel_url, {"reason": "Ill\x00"})

    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()
    assert Booking.objects.get().status == Booking.Status.CONFIRMED


# --- Bytes that are not UTF-8 -----------------------------------------------------------------

FORM = "application/x-www-form-urlencoded"
UTF8_MESSAGE = "The form was sent with characters that are not valid UTF-8 text."
FIELDS = b"start=2026-11-24T10%3A00%3A00%2B01%3A00&timezone=Europe%2FBerlin&email=a%40example.com"


@pytest.mark.parametrize("name", [b"%FF%FE", b"J%FCrgen", b"\xff\xfe", b"%C3", b"%ED%A0%80"])
def test_the_booking_form_refuses_bytes_that_are_not_utf8(client, link, frozen, name):
    response = client.post("/book/intro", FIELDS + b"&name=" + name, content_type=FORM)

    assert response.status_code == 400
    assert UTF8_MESSAGE in response.content.decode()
    assert_nothing_written()


def test_the_booking_form_reads_utf8(client, link, frozen):
    response = client.post("/book/intro", FIELDS + b"&name=J%C3%BCrgen", content_type=FORM)

    assert response.status_code == 302
    assert Booking.objects.get().name == "Jürgen"


def test_a_settings_form_refuses_bytes_that_are_not_utf8(owner_client, owner):
    from availability.models import TimeOff

    body = f"user={owner.pk}&start=2026-11-24T09%3A00&end=2026-11-24T12%3A00&reason=%FF"
    response = owner_client.post("/settings/time-off", body.encode(), content_type=FORM)

    assert response.status_code == 400
    assert UTF8_MESSAGE in response.content.decode()
    assert not TimeOff.objects.exists()


def raw_api_book(client, body: bytes, content_type: str = "application/json"):
    return client.post(BOOKINGS, body, content_type=content_type)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b'{"start": "2026-11-24T10:00:00+01:00", "timezone": "Europe/Berlin",'
            b' "name": "\xff\xfe", "email": "a@example.com"}',
            "Send the body as JSON encoded in UTF-8.",
        ),
        (
            '{"start": "2026-11-24T10:00:00+01:00", "timezone": "Europe/Berlin",'
            ' "name": "Alice", "email": "a@example.com"}'.encode("utf-16"),
            "Send the body as JSON encoded in UTF-8.",
        ),
        (
            b'{"start": "2026-11-24T10:00:00+01:00", "timezone": "Europe/Berlin",'
            b' "name": "Al\\ud800ice", "email": "a@example.com"}',
            "a lone surrogate",
        ),
        (
            b'{"start": "2026-11-24T10:00:00+01:00", "timezone": "Europe/Berlin",'
            b' "name": "Alice", "email": "a@example.com", "answers": {"a1": "\\udfff"}}',
            "a lone surrogate",
        ),
    ],
    ids=["bad-bytes", "utf-16", "surrogate-in-name", "surrogate-in-answer"],
)
def test_the_api_refuses_a_body_that_is_not_utf8_text(client, link, frozen, body, message):
    response = raw_api_book(client, body)

    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert_nothing_written()


def test_the_api_answers_a_form_that_is_not_utf8_in_json(client, link, frozen):
    response = raw_api_book(client, FIELDS + b"&name=%FF", content_type=FORM)

    assert response.status_code == 400
    assert response.json() == {"detail": UTF8_MESSAGE}
    assert_nothing_written()


def test_the_api_reads_escaped_characters_outside_the_basic_plane(client, link, frozen):
    body = (
        b'{"start": "2026-11-24T10:00:00+01:00", "timezone": "Europe/Berlin",'
        b' "name": "Alice \\ud83d\\ude00", "email": "a@example.com"}'
    )

    response = raw_api_book(client, body)

    assert response.status_code == 201
    assert Booking.objects.get().name == "Alice \N{GRINNING FACE}"
