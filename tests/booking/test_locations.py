"""Where a meeting takes place: the locations a link offers, the attendee's pick on the page (no
JavaScript) and in the API, and the booking's place in every email, .ics and page."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from icalendar import Calendar

from booking import services
from booking.ics import booking_ics
from booking.models import Booking
from booking.variables import booking_variables
from tests.booking.helpers import attendee, utc
from tests.booking.test_public_page import BERLIN_10, book
from workflows import outbox

ADDRESS = "Acme HQ, Alexanderplatz 1, 10178 Berlin"
START = utc(2026, 11, 23, 9, 0)  # BERLIN_10


@pytest.fixture
def offering(link):
    link.locations = [
        {"kind": "in_person", "detail": ADDRESS},
        {"kind": "phone_host", "detail": ""},
        {"kind": "phone_attendee", "detail": "+4930123456"},
        {"kind": "link", "detail": "https://meet.acme.example/olga"},
        {"kind": "jitsi", "detail": ""},
    ]
    link.save()
    return link


def test_the_page_asks_where_to_meet_as_a_group_of_choices(client, offering, frozen):
    page = client.get(offering.public_path, {"slot": BERLIN_10, "tz": "Europe/Berlin"})
    html = page.content.decode()
    assert "<legend>Where *</legend>" in html
    for label in ("In person", "Phone call (we call you)", "Phone call (you call us)"):
        assert label in html
    assert ADDRESS not in html  # the address is for booked attendees


def test_without_a_choice_the_page_asks_again_and_books_nothing(client, offering, frozen):
    response = book(client, offering)
    assert response.status_code == 400
    assert "Choose where to meet." in response.content.decode()
    assert not Booking.objects.exists()


def test_in_person_shows_the_address_on_the_page_in_the_emails_and_the_ics(
    client, offering, frozen
):
    response = book(client, offering, location="in_person")
    booking = Booking.objects.get()
    assert booking.location == ADDRESS and not booking.meeting_url
    assert ADDRESS in client.get(response["Location"]).content.decode()
    outbox.drain()
    to_attendee = next(m for m in mail.outbox if m.to == ["alice@example.com"])
    assert f"Where: {ADDRESS}" in to_attendee.body
    event = Calendar.from_ical(booking_ics(booking)).walk("VEVENT")[0]
    assert str(event["LOCATION"]) == ADDRESS
    assert booking_variables(booking)["location"] == ADDRESS


def test_the_host_calling_makes_the_phone_number_required(client, offering, frozen):
    response = book(client, offering, location="phone_host")
    assert response.status_code == 400
    assert "Enter your phone number so the host can call you." in response.content.decode()

    book(client, offering, location="phone_host", phone="+1 415 555 0100")
    assert Booking.objects.get().location == "Olga Owner will call +14155550100"


def test_a_custom_link_and_a_jitsi_room_are_the_join_links(client, offering, frozen, settings):
    book(client, offering, location="link")
    book(client, offering, location="jitsi", start="2026-11-23T11:00:00+01:00")
    custom, jitsi = Booking.objects.order_by("start")
    assert custom.meeting_url == "https://meet.acme.example/olga"
    assert jitsi.meeting_url.startswith(settings.INSTANT_MEETING_BASE_URL + "workestra-")
    event = Calendar.from_ical(booking_ics(jitsi)).walk("VEVENT")[0]
    assert str(event["URL"]) == jitsi.meeting_url
    assert jitsi.meeting_url in str(event["DESCRIPTION"])


def test_a_choice_the_link_does_not_offer_is_refused(client, offering, frozen):
    response = book(client, offering, location="zoom")
    assert response.status_code == 400
    assert "Choose one of the offered locations." in response.content.decode()
    assert not Booking.objects.exists()


def test_one_location_needs_no_choice(link, frozen):
    link.locations = [{"kind": "in_person", "detail": ADDRESS}]
    link.save()
    booking = services.booking_create(link=link, start=START, attendee=attendee())
    assert (booking.location_kind, booking.location) == ("in_person", ADDRESS)


def test_a_reschedule_keeps_the_place(offering, frozen):
    booking = services.booking_create(
        link=offering, start=START, attendee=attendee(location="jitsi")
    )
    moved = services.booking_reschedule(booking=booking, start=utc(2026, 11, 23, 12, 0))
    assert (moved.location_kind, moved.meeting_url) == ("jitsi", booking.meeting_url)


def api_post(client, payload):
    body = {
        "start": BERLIN_10,
        "timezone": "Europe/Berlin",
        "name": "Alice",
        "email": "alice@example.com",
        **payload,
    }
    return client.post(
        "/api/v1/public/links/intro/bookings", json.dumps(body), content_type="application/json"
    )


def test_the_api_takes_the_location(client, offering, frozen):
    assert api_post(client, {}).json()["errors"]["location"] == ["Choose where to meet."]
    assert api_post(client, {"location": "teams"}).status_code == 422
    response = api_post(client, {"location": "phone_attendee"})
    assert response.status_code == 201
    assert Booking.objects.get().location == "+4930123456"


def test_the_api_refuses_a_location_on_a_link_without_any(client, link, frozen):
    response = api_post(client, {"location": "jitsi"})
    assert response.status_code == 422
    assert not Booking.objects.exists()
