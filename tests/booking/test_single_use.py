"""Single-use links (single-use-links.txt): the token page, the booking through it, and every row
of the "What consumed means exactly" table."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from booking import services, single_use
from booking.models import Booking, SingleUseLink
from crm.models import Contact
from tests.booking.helpers import attendee, utc
from tests.booking.otp_helpers import latest_code
from tests.conftest import NOW
from tests.factories import BookingFactory, LinkFactory

BERLIN_10 = "2026-11-23T10:00:00+01:00"
BERLIN_11 = "2026-11-23T11:00:00+01:00"
EXPIRED = "This link has expired."
NOT_FOR_YOU = "This link is not for you."
USED = "This link has already been used to book a meeting."
Status = Booking.Status


@pytest.fixture
def contact(workspace):
    return Contact.objects.create(workspace=workspace, email="alice@example.com", name="Alice A")


@pytest.fixture
def single(link, contact, owner, frozen):
    return single_use.create(link=link, contact=contact, created_by_id=owner.pk)


def book(client, single, *, start=BERLIN_10, email="alice@example.com", token=None):
    return client.post(
        single.link.public_path,
        {
            "start": start,
            "duration": "30",
            "timezone": "Europe/Berlin",
            "name": "Alice A",
            "email": email,
            "single_use": single.token if token is None else token,
        },
    )


def page_text(response) -> str:
    return html.unescape(response.content.decode())


# --- The token ------------------------------------------------------------------------------


def test_a_token_has_128_random_bits_and_a_30_day_default_expiry(single, frozen):
    other = single_use.create(link=single.link, contact=single.contact)
    assert re.fullmatch(r"[0-9a-f]{32}", single.token) and other.token != single.token
    assert single.expires_at == NOW + timedelta(days=30)
    assert single.allow_forwarding is False  # strict email match by default
    assert single.url.endswith(f"/single-use/{single.token}")
    assert SingleUseLink._meta.db_table == "scheduling_single_use_links"


def test_unknown_and_malformed_tokens_are_not_found(client, single):
    assert client.get(f"/single-use/{'0' * 32}").status_code == 404
    assert client.get("/single-use/not-a-token").status_code == 404
    assert client.get(f"/single-use/{single.token[:16]}").status_code == 404


def test_the_page_is_rate_limited_like_other_token_pages(client, single, settings):
    settings.RATELIMIT_TOKENS_PER_MINUTE = 2
    assert client.get(single.path).status_code == 302
    assert client.get(single.path).status_code == 302
    response = client.get(single.path)
    assert response.status_code == 429
    assert "Please wait a minute" in page_text(response)


# --- The redirect ---------------------------------------------------------------------------


def test_the_page_sends_the_visitor_to_the_template_links_booking_page(client, single):
    response = client.get(single.path)
    assert response.status_code == 302
    assert response["Location"] == f"{single.link.public_path}?single_use={single.token}"
    assert "no-cache" in response["Cache-Control"]


def test_the_booking_page_is_prefilled_from_the_contact_and_carries_the_token(client, single):
    body = page_text(client.get(f"{single.link.public_path}?single_use={single.token}"))
    assert 'role="alert"' not in body
    # The token is kept in the tab's sessionStorage (and in the address and the form without JS).
    assert f'data-single-use="{single.token}"' in body
    assert "js/single_use.js" in body
    form = page_text(
        client.get(single.link.public_path, {"single_use": single.token, "slot": BERLIN_10})
    )
    assert f'<input type="hidden" name="single_use" value="{single.token}">' in form
    assert 'value="Alice A"' in form and 'value="alice@example.com"' in form


def test_the_confirmation_page_clears_the_stored_token(client, single):
    response = book(client, single)
    body = page_text(client.get(response["Location"]))
    assert 'data-single-use="done"' in body


# --- What "consumed" means exactly: one test per row -----------------------------------------


def test_abandoning_before_booking_leaves_it_valid_until_it_expires(client, single, frozen):
    for _ in range(3):  # repeat reopens are fine
        assert client.get(single.path).status_code == 302
    single.refresh_from_db()
    assert single.consumed_at is None
    with time_machine.travel(NOW + timedelta(days=30) - timedelta(seconds=1), tick=False):
        assert client.get(single.path).status_code == 302
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        response = client.get(single.path)
        assert response.status_code == 410 and EXPIRED in page_text(response)


def test_booking_normally_confirmed_consumes_it(client, single, frozen):
    response = book(client, single)
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.status == Status.CONFIRMED
    single.refresh_from_db()
    assert single.consumed_at == NOW
    assert single.consumed_by_booking_id == booking.pk
    assert single_use.status_of(single, NOW) == single_use.CONSUMED


def test_a_consumed_link_is_refused_on_the_page_and_at_booking(client, single):
    book(client, single)
    page = client.get(single.path)
    assert page.status_code == 410 and USED in page_text(page)
    # A booking page bookmarked with the token says so before anything is typed.
    bookmarked = client.get(single.link.public_path, {"single_use": single.token})
    assert USED in page_text(bookmarked)
    again = book(client, single, start=BERLIN_11)
    assert again.status_code == 400 and USED in page_text(again)
    assert Booking.objects.count() == 1


def test_rescheduling_later_keeps_it_consumed(client, single):
    book(client, single)
    booking = Booking.objects.get()
    moved = services.booking_reschedule(booking=booking, start=utc(2026, 11, 24, 9, 0))
    single.refresh_from_db()
    assert moved.status == Status.CONFIRMED and booking.pk != moved.pk
    assert single.consumed_at is not None and single.consumed_by_booking_id == booking.pk
    assert client.get(single.path).status_code == 410


def test_cancelling_later_keeps_it_consumed(client, single):
    book(client, single)
    services.booking_cancel(booking=Booking.objects.get(), reason="Changed my mind")
    single.refresh_from_db()
    assert single.consumed_at is not None
    response = client.get(single.path)
    assert response.status_code == 410 and USED in page_text(response)
    assert book(client, single, start=BERLIN_11).status_code == 400


def test_payment_required_then_paid_consumes_at_payment_confirmation(single, frozen):
    # Paid bookings are made by the payment flow: the booking waits in pending_payment.
    unpaid = BookingFactory(link=single.link, status=Status.PENDING_PAYMENT)
    single_use.record(single_use.Claim(single), unpaid, now=NOW)
    single.refresh_from_db()
    assert single.consumed_at is None  # no consumption on pending_payment
    assert single_use.refusal(single, NOW) is not None  # but the one booking holds it
    unpaid.status = Status.CONFIRMED
    unpaid.save()
    later = NOW + timedelta(minutes=5)
    single_use.settle(unpaid, now=later)  # what confirming a booking calls
    single.refresh_from_db()
    assert single.consumed_at == later and single.consumed_by_booking_id == unpaid.pk


def test_payment_required_never_paid_and_expired_leaves_it_valid(client, single, frozen):
    unpaid = BookingFactory(link=single.link, status=Status.PENDING_PAYMENT)
    single_use.record(single_use.Claim(single), unpaid, now=NOW)
    unpaid.status = Status.CANCELLED  # the unpaid hold ran out
    unpaid.save()
    single.refresh_from_db()
    assert single.consumed_at is None
    assert single_use.refusal(single, NOW) is None
    assert client.get(single.path).status_code == 302
    assert book(client, single).status_code == 302


def test_a_held_booking_confirmed_some_other_way_still_counts_as_used(single, frozen):
    held = BookingFactory(link=single.link, status=Status.PENDING_PAYMENT)
    single_use.record(single_use.Claim(single), held, now=NOW)
    Booking.objects.filter(pk=held.pk).update(status=Status.CONFIRMED)  # no settle() call
    single.refresh_from_db()
    assert single_use.refusal(single, NOW) == USED


@pytest.mark.parametrize("status", Status.values)
def test_only_a_confirmed_booking_consumes_the_token(status):
    assert single_use.consumes(status) is (status == Status.CONFIRMED)


# --- Email verification: the booking holds the token until its code confirms it -------------


@pytest.fixture
def verifying(link):
    link.require_email_verification = True
    link.save()
    return link


def test_a_booking_waiting_for_its_code_holds_the_token_then_consumes_it(
    client, verifying, single, frozen
):
    assert book(client, single).status_code == 302
    booking = Booking.objects.get()
    assert booking.status == Status.PENDING_VERIFICATION
    single.refresh_from_db()
    assert single.consumed_at is None
    # A second tab cannot book through it meanwhile.
    second = book(client, single, start=BERLIN_11)
    assert second.status_code == 400 and "waiting to be confirmed" in page_text(second)
    services.booking_verify(booking=booking, code=latest_code())
    single.refresh_from_db()
    assert single.consumed_at == NOW and single.consumed_by_booking_id == booking.pk


def test_an_unverified_booking_that_runs_out_gives_the_token_back(
    client, verifying, single, frozen
):
    book(client, single)
    booking = Booking.objects.get()
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        assert services.booking_release_unverified(booking_id=booking.pk)
        single.refresh_from_db()
        assert single.consumed_at is None
        assert client.get(single.path).status_code == 302
    mail.outbox.clear()


# --- Strict email match and forwarding ------------------------------------------------------


def test_another_email_is_told_this_link_is_not_for_you(client, single):
    response = book(client, single, email="bob@example.com")
    assert response.status_code == 400 and NOT_FOR_YOU in page_text(response)
    assert not Booking.objects.exists()
    single.refresh_from_db()
    assert single.consumed_at is None


def test_the_email_match_ignores_case(client, single):
    assert book(client, single, email="ALICE@Example.com").status_code == 302


def test_allowing_forwarding_lets_anyone_book_but_only_once(client, link, contact, frozen):
    shared = single_use.create(link=link, contact=contact, allow_forwarding=True)
    assert book(client, shared, email="bob@example.com").status_code == 302
    third = book(client, shared, email="carol@example.com", start=BERLIN_11)
    assert third.status_code == 400 and USED in page_text(third)


def test_an_expired_token_is_refused_at_booking(client, single, frozen):
    SingleUseLink.objects.filter(pk=single.pk).update(expires_at=NOW)
    response = book(client, single)
    assert response.status_code == 400 and EXPIRED in page_text(response)
    assert not Booking.objects.exists()


def test_a_token_only_books_its_own_template_link(client, single, owner, workspace):
    other = LinkFactory(workspace=workspace, owner=owner, slug="other-link")
    response = client.post(
        other.public_path,
        {
            "start": BERLIN_10,
            "duration": "30",
            "timezone": "Europe/Berlin",
            "name": "Alice A",
            "email": "alice@example.com",
            "single_use": single.token,
        },
    )
    assert response.status_code == 400
    assert "for another booking page" in page_text(response)
    assert not Booking.objects.exists()


def test_an_unknown_token_in_the_form_is_refused(client, single):
    response = book(client, single, token="f" * 32)
    assert response.status_code == 400 and "does not exist" in page_text(response)
    assert not Booking.objects.exists()


def test_the_service_checks_the_token_too(single, frozen):
    with pytest.raises(services.BookingError, match=NOT_FOR_YOU):
        services.booking_create(
            link=single.link,
            start=utc(2026, 11, 23, 9, 0),
            attendee=attendee(email="mallory@example.com"),
            single_use_token=single.token,
        )
    booking = services.booking_create(
        link=single.link,
        start=utc(2026, 11, 23, 9, 0),
        attendee=attendee(),
        single_use_token=single.token,
    )
    single.refresh_from_db()
    assert single.consumed_by_booking_id == booking.pk


def test_the_json_booking_endpoint_takes_the_token_too(client, single):
    def post(email: str, start: str):
        return client.post(
            f"/api/v1/public/links/{single.link.slug}/bookings",
            {
                "start": start,
                "timezone": "Europe/Berlin",
                "name": "Alice A",
                "email": email,
                "single_use": single.token,
            },
            content_type="application/json",
        )

    refused = post("bob@example.com", BERLIN_10)
    assert refused.status_code == 422 and refused.json()["errors"] == {"email": [NOT_FOR_YOU]}
    assert post("alice@example.com", BERLIN_10).status_code == 201
    again = post("alice@example.com", BERLIN_11)
    assert again.status_code == 422 and again.json()["detail"] == USED
    assert Booking.objects.count() == 1
