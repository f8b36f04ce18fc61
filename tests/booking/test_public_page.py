"""The public page /book/<slug>: slot picker, prefill, the form and what happens after."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from booking import services
from booking.models import Booking
from crm.models import Contact
from tests.booking.helpers import attendee, utc

BERLIN_10 = "2026-11-23T10:00:00+01:00"


def book(client: Client, link, **fields):
    data = {
        "start": BERLIN_10,
        "duration": "30",
        "timezone": "Europe/Berlin",
        "name": "Alice Attendee",
        "email": "alice@example.com",
    }
    data.update(fields)
    return client.post(link.public_path, data)


def slot_links(body: str) -> dict[str, dict[str, list[str]]]:
    """The listed times, each with the query its link carries."""
    found = re.findall(r'<a class="slot[^"]*" href="([^"]+)"[^>]*>(\d\d:\d\d)', body)
    return {label: parse_qs(urlsplit(html.unescape(href)).query) for href, label in found}


def test_page_shows_the_link_and_slots_in_the_visitors_zone(client, link, frozen):
    link.description = "Let's talk."
    link.save()
    response = client.get(f"{link.public_path}?tz=America/New_York")
    body = response.content.decode()

    assert response.status_code == 200
    assert "Intro call" in body and "Let&#x27;s talk." in body
    # 09:00 Berlin is 03:00 in New York; the first slot of the day is listed in that zone.
    assert ">03:00<" in body and ">10:30<" in body
    assert 'option value="America/New_York" selected' in body


def test_without_a_zone_the_hosts_zone_is_used_until_the_browser_says(client, link, frozen):
    body = client.get(link.public_path).content.decode()
    assert ">09:00<" in body and "data-detect-timezone" in body


def test_a_locked_zone_shows_host_times_with_a_footnote(client, link, frozen):
    link.lock_timezone = True
    link.save()
    body = client.get(f"{link.public_path}?tz=America/New_York").content.decode()
    assert ">09:00" in body
    assert "(03:00 your time)" in body
    assert "Shown in the host's time zone, Europe/Berlin" in body
    # No zone picker (the language menu still carries tz along as a hidden field).
    assert 'id="tz-select"' not in body


def test_several_durations_offer_a_picker(client, link, frozen):
    link.durations = [60, 45]
    link.save()
    body = client.get(f"{link.public_path}?tz=Europe/Berlin").content.decode()
    for minutes in (30, 45, 60):
        assert f">{minutes} min<" in body
    body = client.get(f"{link.public_path}?tz=Europe/Berlin&duration=60").content.decode()
    assert ">16:00<" in body and ">16:30<" not in body  # a 60-minute slot must end by 17:00


def test_bad_query_values_fall_back_instead_of_failing(client, link, frozen):
    response = client.get(
        f"{link.public_path}?tz=Mars/Base&duration=abc&month=99-99&date=nope&slot=%3Cscript%3E"
    )
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_choosing_a_slot_shows_the_form_with_url_prefill(client, link, frozen):
    link.phone_mode = link.PhoneMode.OPTIONAL
    link.save()
    response = client.get(
        f"{link.public_path}?tz=Europe/Berlin&slot={BERLIN_10.replace('+', '%2B')}"
        "&name=Alice%20Smith&email=alice@acme.com&phone=%2B14155550100&a1=Acme%20Corp"
        "&utm_source=newsletter"
    )
    body = response.content.decode()
    assert 'value="Alice Smith"' in body
    assert 'value="alice@acme.com"' in body
    assert 'value="+14155550100"' in body
    assert 'name="a1" value="Acme Corp"' in body
    assert 'name="utm_source" value="newsletter"' in body


def test_htmx_navigation_returns_only_the_picker(client, link, frozen):
    response = client.get(
        f"{link.public_path}?tz=Europe/Berlin&date=2026-11-24", headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="picker"')
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_unknown_and_deleted_links_are_404_and_paused_ones_say_so(client, link, frozen):
    assert client.get("/book/nope").status_code == 404
    link.is_active = False
    link.save()
    response = client.get(link.public_path)
    body = response.content.decode()
    assert response.status_code == 410
    assert "This link is not taking bookings right now." in body
    assert "no longer active" not in body and "Confirm booking" not in body
    link.deleted_at = utc(2026, 11, 22, 0, 0)
    link.save()
    response = client.get(link.public_path)
    assert response.status_code == 404
    assert "This link is no longer active." in response.content.decode()


def test_posting_the_form_books_and_shows_the_confirmation_with_ctas(client, link, frozen):
    link.ctas = [{"label": "See pricing", "url": "https://acme.test/pricing"}]
    link.save()
    response = book(client, link, utm_source="ads")

    booking = Booking.objects.get()
    assert (booking.start, booking.email, booking.utm) == (
        utc(2026, 11, 23, 9, 0),
        "alice@example.com",
        {"utm_source": "ads"},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "You're booked" in page
    assert 'href="https://acme.test/pricing"' in page and "See pricing" in page
    assert booking.reschedule_url in page and booking.cancel_url in page


def test_redirect_url_gets_placeholders_filled_and_utm_passed_through(client, link, frozen):
    link.redirect_url = "https://acme.test/thanks?event={{event_type_name}}&email={{invitee_email}}"
    link.save()
    response = book(client, link, utm_source="ads", utm_campaign="fall sale")

    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert (url.netloc, url.path) == ("acme.test", "/thanks")
    assert parse_qs(url.query) == {
        "event": ["Intro call"],
        "email": ["alice@example.com"],
        "utm_source": ["ads"],
        "utm_campaign": ["fall sale"],
    }


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"name": "   "}, "Enter your name."),
        ({"name": "x" * 201}, "at most 200 characters"),
        ({"start": "2026-11-23T18:00:00+01:00"}, "That time is not available"),
        ({"start": "2026-11-23T07:00:00+01:00"}, "already passed"),
        ({"start": "2027-02-01T10:00:00+01:00"}, "too far ahead"),
        ({"start": "yesterday"}, "Pick a time from the list."),
        ({"duration": "45"}, "Pick one of the offered lengths"),
        ({"timezone": "Mars/Base"}, "Pick a time zone from the list."),
    ],
)
def test_bad_input_gets_a_message_and_writes_nothing(client, link, frozen, fields, message):
    response = book(client, link, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Booking.objects.exists() and not Contact.objects.exists()


def test_phone_when_required_must_be_a_real_number(client, link, frozen):
    link.phone_mode = link.PhoneMode.REQUIRED
    link.save()
    assert book(client, link).status_code == 400
    response = book(client, link, phone="12345")
    assert "country code" in response.content.decode()
    assert book(client, link, phone="+1 415 555 0100").status_code == 302
    assert Booking.objects.get().phone == "+14155550100"


def test_guests_are_taken_when_allowed_up_to_ten(client, link, frozen):
    link.allow_guests = True
    link.save()
    eleven = "\n".join(f"g{i}@example.com" for i in range(11))
    response = book(client, link, guests=eleven)
    assert "at most 10 guests" in response.content.decode()
    assert book(client, link, guests="bob@example.com, bad@").status_code == 400
    assert book(client, link, guests="bob@example.com, carol@example.com").status_code == 302
    assert Booking.objects.get().guests == ["bob@example.com", "carol@example.com"]


def test_the_loser_of_a_race_sees_just_taken_and_a_fresh_list(client, link, frozen):
    services.booking_create(
        link=link, start=utc(2026, 11, 23, 9, 0), attendee=attendee(email="first@example.com")
    )
    response = book(client, link)
    body = response.content.decode()
    assert response.status_code == 409
    assert "That time was just taken" in body
    assert ">09:30<" in body and ">10:00<" not in body
    assert Booking.objects.count() == 1


def test_a_time_taken_meanwhile_lists_its_day_again_and_carries_the_entries(client, link, frozen):
    link.allow_guests = True
    link.phone_mode = link.PhoneMode.OPTIONAL
    link.save()
    services.booking_create(
        link=link, start=utc(2026, 11, 25, 9, 0), attendee=attendee(email="first@example.com")
    )

    response = book(
        client,
        link,
        start="2026-11-25T04:00:00-05:00",  # Wednesday 10:00 in Berlin
        timezone="America/New_York",
        phone="+1 415 555 0100",
        guests="bob@example.com",
        a1="Acme Corp",
        utm_source="ads",
    )

    body = response.content.decode()
    assert response.status_code == 409
    assert "That time was just taken. Please pick another." in body
    # Wednesday's list, not the first open day, in the zone the attendee was looking at.
    assert "Wednesday, 25 November" in body
    slots = slot_links(body)
    assert list(slots)[:4] == ["03:00", "03:30", "04:30", "05:00"]
    carried = slots["04:30"]
    assert {k: carried[k] for k in ("name", "email", "phone", "guests", "a1", "utm_source")} == {
        "name": ["Alice Attendee"],
        "email": ["alice@example.com"],
        "phone": ["+1 415 555 0100"],
        "guests": ["bob@example.com"],
        "a1": ["Acme Corp"],
        "utm_source": ["ads"],
    }
    assert carried["tz"] == ["America/New_York"]
    # Nothing on the answer asks the browser to reload it in another zone.
    assert "data-detect-timezone" not in body
    assert Booking.objects.count() == 1


def test_a_time_taken_meanwhile_next_month_stays_in_that_month(client, link, frozen):
    services.booking_create(
        link=link, start=utc(2026, 12, 1, 9, 0), attendee=attendee(email="first@example.com")
    )
    response = book(client, link, start="2026-12-01T10:00:00+01:00")
    body = response.content.decode()
    assert response.status_code == 409
    assert "December 2026" in body and "Tuesday, 1 December" in body
    assert "09:30" in slot_links(body) and "10:00" not in slot_links(body)


def test_a_refused_email_comes_back_with_every_entry_and_the_same_time(client, link, frozen):
    link.allow_guests = True
    link.phone_mode = link.PhoneMode.OPTIONAL
    link.save()

    response = book(
        client,
        link,
        email="alice@example",
        phone="+1 415 555 0100",
        guests="bob@example.com",
        a1="Acme Corp",
        utm_source="ads",
    )

    body = response.content.decode()
    assert response.status_code == 400
    # The message is the one the email field points screen readers to.
    assert 'aria-describedby="id_email_error"' in body
    assert (
        '<p class="error field-error" id="id_email_error">Enter a valid email address.</p>' in body
    )
    for kept in (
        'name="name" value="Alice Attendee"',
        'name="email" value="alice@example"',
        'name="phone" value="+1 415 555 0100"',
        "\nbob@example.com</textarea>",
        'name="a1" value="Acme Corp"',
        'name="utm_source" value="ads"',
        f'name="start" value="{BERLIN_10}"',
    ):
        assert kept in body.replace(' maxlength="200"', "").replace(' maxlength="254"', "")
    assert "Confirm booking" in body and "data-detect-timezone" not in body
    assert not Booking.objects.exists()


def test_bookings_are_rate_limited_per_address(client, link, frozen, settings):
    settings.RATELIMIT_BOOKINGS_PER_MINUTE = 2
    book(client, link, email="not-an-email")
    book(client, link, email="not-an-email")
    response = book(client, link)
    assert response.status_code == 429
    assert not Booking.objects.exists()


def test_confirmation_links_cannot_be_forged(client, link, frozen):
    assert client.get(f"{link.public_path}/booked/12345").status_code == 404
    assert client.get(f"{link.public_path}/booked/12345/invite.ics").status_code == 404
