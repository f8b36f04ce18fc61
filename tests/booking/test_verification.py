"""Email verification (OTP): a booking waits for a 6-digit code from the attendee's inbox.

The attendee books, lands on the code page, reads the code from the email and types it in;
these tests do the same through the public pages and the JSON API.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from booking import kinds as booking_kinds
from booking import services, verification
from booking.models import Booking, BookingEvent
from tests.booking.helpers import attendee, utc
from tests.booking.otp_helpers import code_emails, latest_code, wrong
from tests.booking.test_link_settings import edit_url, form_data
from workflows import kinds, outbox
from workflows.models import OutboxMessage

START = utc(2026, 11, 25, 9, 0)  # Wednesday 10:00 in Berlin
FORM = {
    "start": "2026-11-25T10:00:00+01:00",
    "duration": "30",
    "timezone": "Europe/Berlin",
    "name": "Alice Attendee",
    "email": "alice@example.com",
}
CODE_MESSAGE = "Enter the 6-digit code from the email."


@pytest.fixture
def verifying(link):
    link.require_email_verification = True
    link.save()
    return link


def book(client, link) -> tuple[Booking, str]:
    """Book through the public page; returns the booking and the page the attendee lands on."""
    response = client.post(link.public_path, FORM)
    assert response.status_code == 302
    return Booking.objects.latest("pk"), response["Location"]


def subject_kinds(booking: Booking) -> set[str]:
    return set(OutboxMessage.objects.for_subject(booking.subject).values_list("kind", flat=True))


# --- the link setting -----------------------------------------------------------------------


def test_the_link_form_offers_the_setting_and_saves_it(owner_client, link):
    page = owner_client.get(edit_url(link)).content.decode()
    assert "Require email verification" in page

    owner_client.post(edit_url(link), form_data(require_email_verification="on"))
    link.refresh_from_db()
    assert link.require_email_verification is True

    owner_client.post(edit_url(link), form_data(require_email_verification=None))
    link.refresh_from_db()
    assert link.require_email_verification is False


# --- booking lands pending, holding the slot ------------------------------------------------


def test_booking_holds_the_slot_and_emails_only_a_code(client, verifying, frozen, booked):
    booking, landing = book(client, verifying)

    assert landing == f"/book/verify/{booking.reschedule_token}"
    assert booking.status == Booking.Status.PENDING_VERIFICATION
    assert booking.reservations.get().active
    with pytest.raises(services.SlotTaken):
        booked(verifying, START, guest="bob")
    code = latest_code()
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]  # no confirmation, no host
    assert f"{code} is your code to confirm Intro call" in mail.outbox[0].subject
    assert "Wednesday, 25 November 2026, 10:00–10:30 (Europe/Berlin)" in mail.outbox[0].body
    assert booking.reschedule_token in mail.outbox[0].body  # a way back to the code page
    assert "booking.reminder" not in subject_kinds(booking)


def test_the_code_is_never_stored_in_clear(client, verifying, frozen):
    booking, _ = book(client, verifying)
    code = latest_code()
    booking.refresh_from_db()
    assert len(booking.verification_code_hash) == 64 and code not in booking.verification_code_hash
    for row in OutboxMessage.objects.all():
        assert code not in json.dumps(row.payload)


def test_the_code_page_shows_the_booking_and_a_get_changes_nothing(client, verifying, frozen):
    booking, landing = book(client, verifying)
    for _ in range(3):
        response = client.get(landing)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Check your email" in page and "alice@example.com" in page
    assert "Wednesday, 25 November 2026, 10:00–10:30 (Europe/Berlin)" in page
    booking.refresh_from_db()
    assert (booking.status, booking.verification_attempts) == ("pending_verification", 0)


# --- the right code -------------------------------------------------------------------------


def test_the_right_code_confirms_and_the_normal_emails_follow(client, verifying, frozen):
    booking, landing = book(client, verifying)
    code = latest_code()
    mail.outbox.clear()

    response = client.post(landing, {"code": code})

    assert response.status_code == 302
    assert "You're booked" in client.get(response["Location"]).content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    outbox.drain()
    subjects = sorted(m.subject for m in mail.outbox)
    assert [m.to for m in sorted(mail.outbox, key=lambda m: m.subject)] == [
        ["alice@example.com"],
        ["owner@acme.test"],
    ]
    assert subjects[0].startswith("Confirmed: Intro call with Olga Owner")
    assert subjects[1].startswith("New booking: Alice Attendee")
    reminder = OutboxMessage.objects.get(subject=booking.subject, kind="booking.reminder")
    assert reminder.due_at == START - timedelta(hours=24) and reminder.state == "scheduled"
    assert booking.events.filter(kind=BookingEvent.Kind.VERIFIED).exists()


def test_a_verified_booking_writes_the_same_rows_as_an_unverified_link(client, link, frozen):
    plain = services.booking_create(link=link, start=START, attendee=attendee())
    link.require_email_verification = True
    link.save()
    pending = services.booking_create(
        link=link, start=START + timedelta(hours=1), attendee=attendee()
    )
    services.booking_verify(booking=pending, code=latest_code())
    email_kinds = subject_kinds(pending) - set(kinds.names(booking_kinds.VERIFICATION_KINDS))
    assert email_kinds == subject_kinds(plain)


def test_the_code_also_works_with_spaces_or_a_dash(client, verifying, frozen):
    booking, landing = book(client, verifying)
    code = latest_code()
    assert client.post(landing, {"code": f" {code[:3]}-{code[3:]} "}).status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_verifying_twice_keeps_one_confirmation(client, verifying, frozen):
    _, landing = book(client, verifying)
    code = latest_code()
    client.post(landing, {"code": code})
    again = client.post(landing, {"code": code})
    assert again.status_code == 302
    assert OutboxMessage.objects.filter(kind="booking.confirmation").count() == 1
    assert "You're booked" in client.get(landing, follow=True).content.decode()


# --- wrong, expired and bad codes -----------------------------------------------------------


def test_a_wrong_code_says_how_many_tries_are_left(client, verifying, frozen):
    booking, landing = book(client, verifying)
    code = latest_code()

    first = client.post(landing, {"code": wrong(code)})
    second = client.post(landing, {"code": wrong(code)})

    assert first.status_code == second.status_code == 400
    assert "That code is not right" in first.content.decode()
    assert "(2 tries left)" in first.content.decode()
    assert "(1 try left)" in second.content.decode()
    booking.refresh_from_db()
    assert (booking.status, booking.verification_attempts) == ("pending_verification", 2)


def test_three_wrong_codes_cancel_the_booking_and_free_the_slot(client, verifying, frozen, booked):
    booking, landing = book(client, verifying)
    code = latest_code()
    for _ in range(2):
        client.post(landing, {"code": wrong(code)})

    third = client.post(landing, {"code": wrong(code)})

    assert third.status_code == 410
    assert "wrong three times" in third.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert not booking.reservations.filter(active=True).exists()
    assert booked(verifying, START, guest="bob").start == START  # the time is free again
    # The right code is now useless, and nobody was emailed about the cancellation.
    late = client.post(landing, {"code": code})
    assert late.status_code == 410 and "cancelled" in late.content.decode()
    outbox.drain()
    assert [m.to for m in mail.outbox if "bob" not in m.to[0]] == [["alice@example.com"]]


def test_an_expired_code_cancels_and_frees_the_slot(client, verifying, frozen, booked):
    booking, landing = book(client, verifying)
    code = latest_code()
    frozen.shift(verification.CODE_TTL)

    response = client.post(landing, {"code": code})

    assert response.status_code == 410
    assert "This code has expired" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert not booking.reservations.filter(active=True).exists()
    assert booked(verifying, START, guest="bob").start == START


def test_a_code_is_good_until_just_before_it_expires(client, verifying, frozen):
    _, landing = book(client, verifying)
    code = latest_code()
    frozen.shift(verification.CODE_TTL - timedelta(seconds=1))
    assert client.post(landing, {"code": code}).status_code == 302


def test_opening_the_page_after_expiry_says_so_and_changes_nothing(client, verifying, frozen):
    booking, landing = book(client, verifying)
    frozen.shift(verification.CODE_TTL)
    response = client.get(landing)
    assert response.status_code == 410
    assert "This code has expired" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING_VERIFICATION  # the release row does that


@pytest.mark.parametrize(
    "code",
    [
        "",
        "12345",
        "1234567",
        "abcdef",
        "١٢٣٤٥٦",  # digits, but not ASCII ones
        "<script>alert(1)</script>",
        "123456' OR '1'='1",
        "9" * 5000,
    ],
)
def test_bad_codes_get_a_clear_message_and_change_nothing(client, verifying, frozen, code):
    booking, landing = book(client, verifying)
    response = client.post(landing, {"code": code})
    page = response.content.decode()
    assert response.status_code == 400
    assert CODE_MESSAGE in page
    assert "<script>alert" not in page
    booking.refresh_from_db()
    assert (booking.status, booking.verification_attempts) == ("pending_verification", 0)


def test_a_missing_code_field_gets_the_same_message(client, verifying, frozen):
    booking, landing = book(client, verifying)
    response = client.post(landing, {})
    assert response.status_code == 400 and CODE_MESSAGE in response.content.decode()
    booking.refresh_from_db()
    assert booking.verification_attempts == 0


# --- resending ------------------------------------------------------------------------------


def test_resend_sends_a_new_code_with_a_fresh_expiry(client, verifying, frozen, monkeypatch):
    codes = iter(["111111", "222222"])
    monkeypatch.setattr(verification, "new_code", lambda: next(codes))
    booking, landing = book(client, verifying)
    assert latest_code() == "111111"
    frozen.shift(timedelta(minutes=10))

    response = client.post(f"{landing}/resend")

    assert response.status_code == 200
    assert "A new code is on its way to alice@example.com" in response.content.decode()
    assert latest_code() == "222222"
    assert len(code_emails()) == 2
    # The new code counts from now: 14 minutes later (24 after booking) it still works,
    # and the old code no longer does.
    frozen.shift(timedelta(minutes=14))
    assert "That code is not right" in client.post(landing, {"code": "111111"}).content.decode()
    assert client.post(landing, {"code": "222222"}).status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_resend_is_limited_to_one_a_minute(client, verifying, frozen):
    _, landing = book(client, verifying)
    outbox.drain()
    response = client.post(f"{landing}/resend")
    assert response.status_code == 429
    assert "You can ask for another in 60 seconds" in response.content.decode()
    frozen.shift(timedelta(seconds=59))
    assert client.post(f"{landing}/resend").status_code == 429
    frozen.shift(timedelta(seconds=1))
    assert client.post(f"{landing}/resend").status_code == 200
    outbox.drain()
    assert len(code_emails()) == 2


def test_resend_is_limited_to_five_per_booking(client, verifying, frozen):
    booking, landing = book(client, verifying)
    for _ in range(5):
        outbox.drain()
        frozen.shift(timedelta(seconds=61))
        assert client.post(f"{landing}/resend").status_code == 200
    frozen.shift(timedelta(seconds=61))

    response = client.post(f"{landing}/resend")

    assert response.status_code == 429
    assert "already sent the most codes" in response.content.decode()
    outbox.drain()
    assert len(code_emails()) == 6  # the first one and five resends
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING_VERIFICATION


def test_a_resend_does_not_reset_the_wrong_tries(client, verifying, frozen):
    booking, landing = book(client, verifying)
    old = latest_code()
    client.post(landing, {"code": wrong(old)})
    client.post(landing, {"code": wrong(old)})
    frozen.shift(timedelta(seconds=61))
    client.post(f"{landing}/resend")
    new = latest_code()
    response = client.post(landing, {"code": wrong(new)})
    assert response.status_code == 410
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


def test_resend_after_expiry_releases_instead(client, verifying, frozen):
    booking, landing = book(client, verifying)
    outbox.drain()
    frozen.shift(verification.CODE_TTL)
    response = client.post(f"{landing}/resend")
    assert response.status_code == 410 and "expired" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    outbox.drain()
    assert len(code_emails()) == 1


def test_get_on_resend_sends_nothing(client, verifying, frozen):
    _, landing = book(client, verifying)
    outbox.drain()
    frozen.shift(timedelta(seconds=61))
    assert client.get(f"{landing}/resend").status_code == 405
    outbox.drain()
    assert len(code_emails()) == 1


# --- the token's rules ----------------------------------------------------------------------


def test_the_code_page_dies_when_the_meeting_starts(client, verifying, frozen):
    soon = utc(2026, 11, 23, 8, 0)  # Monday 09:00 in Berlin
    with time_machine.travel(soon - timedelta(minutes=10), tick=False) as clock:
        booking = services.booking_create(link=verifying, start=soon, attendee=attendee())
        code = latest_code()
        landing = f"/book/verify/{booking.reschedule_token}"
        clock.shift(timedelta(minutes=10))  # the code is still fresh, but the meeting began
        assert "already started" in client.get(landing).content.decode()
        response = client.post(landing, {"code": code})
    assert response.status_code == 410
    booking.refresh_from_db()
    assert booking.status != Booking.Status.CONFIRMED


def test_a_verified_meetings_code_page_dies_when_it_starts(client, verifying):
    soon = utc(2026, 11, 23, 8, 0)  # Monday 09:00 in Berlin
    with time_machine.travel(soon - timedelta(minutes=10), tick=False) as clock:
        booking = services.booking_create(link=verifying, start=soon, attendee=attendee())
        code = latest_code()
        landing = f"/book/verify/{booking.reschedule_token}"
        assert client.post(landing, {"code": code}).status_code == 302
        assert client.get(landing).status_code == 302  # still on its way to the confirmation
        clock.shift(timedelta(minutes=10))
        page = client.get(landing)
        again = client.post(landing, {"code": code})
        api = api_post(
            client, f"/api/v1/public/bookings/{booking.reschedule_token}/verify", {"code": code}
        )
    assert page.status_code == 410 and "already started" in page.content.decode()
    assert again.status_code == 410 and "already started" in again.content.decode()
    assert api.status_code == 410 and api.json() == {"detail": "This meeting has already started."}
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_the_code_page_is_rate_limited(client, verifying, frozen, settings):
    settings.RATELIMIT_TOKENS_PER_MINUTE = 2
    booking, landing = book(client, verifying)
    code = latest_code()
    client.get(landing)
    client.get(landing)
    assert client.post(landing, {"code": code}).status_code == 429
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING_VERIFICATION


def test_reschedule_and_reconfirm_wait_for_the_code(client, verifying, frozen):
    booking, landing = book(client, verifying)
    for url in (booking.reschedule_url, booking.reconfirm_url):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, landing)
    response = client.post(booking.reschedule_url, {"start": "2026-11-26T11:00:00+01:00"})
    assert response.status_code == 302 and response["Location"] == landing
    with pytest.raises(services.BookingClosed, match="confirm your email"):
        services.booking_reschedule(booking=booking, start=utc(2026, 11, 26, 10, 0))
    assert Booking.objects.count() == 1


def test_cancelling_an_unverified_booking_sends_no_emails(client, verifying, frozen):
    booking, _ = book(client, verifying)
    latest_code()
    response = client.post(booking.cancel_url, {"reason": "Changed my mind"})
    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert not booking.reservations.filter(active=True).exists()
    outbox.drain()
    assert len(mail.outbox) == 1 and code_emails()  # just the code sent before


# --- the JSON API ---------------------------------------------------------------------------


def api_post(client, path, payload):
    return client.post(path, json.dumps(payload), content_type="application/json")


def api_book(client) -> dict:
    response = api_post(
        client,
        "/api/v1/public/links/intro/bookings",
        {
            "start": "2026-11-25T10:00:00+01:00",
            "timezone": "Europe/Berlin",
            "name": "Alice",
            "email": "alice@example.com",
        },
    )
    assert response.status_code == 201
    return response.json()


def test_the_api_answers_pending_with_where_to_verify(client, verifying, frozen, settings):
    data = api_book(client)
    booking = Booking.objects.get()
    assert data["status"] == "pending_verification"
    assert data["verify_url"] == (
        f"{settings.PUBLIC_BASE_URL}/api/v1/public/bookings/{booking.reschedule_token}/verify"
    )


def test_the_api_verifies_with_the_emailed_code(client, verifying, frozen):
    data = api_book(client)
    path = data["verify_url"].split("://", 1)[1].split("/", 1)[1]
    code = latest_code()

    bad = api_post(client, f"/{path}", {"code": "nope"})
    wrong_one = api_post(client, f"/{path}", {"code": wrong(code)})
    right = api_post(client, f"/{path}", {"code": code})

    assert bad.status_code == 422 and bad.json()["errors"] == {"code": [CODE_MESSAGE]}
    assert wrong_one.status_code == 422 and "2 tries left" in wrong_one.json()["detail"]
    assert right.status_code == 200
    assert right.json()["status"] == "confirmed"
    assert right.json()["start"] == "2026-11-25T10:00:00+01:00"
    booking = Booking.objects.get()
    assert (booking.status, booking.verification_attempts) == ("confirmed", 1)


def test_the_api_reports_expiry_resend_limits_and_unknown_tokens(client, verifying, frozen):
    api_book(client)
    token = Booking.objects.get().reschedule_token
    base = f"/api/v1/public/bookings/{token}"
    assert api_post(client, f"{base}/resend-code", {}).status_code == 429
    frozen.shift(timedelta(seconds=61))
    resent = api_post(client, f"{base}/resend-code", {})
    assert resent.status_code == 200 and "alice@example.com" in resent.json()["detail"]
    unknown = f"/api/v1/public/bookings/{'0' * 32}/verify"
    assert api_post(client, unknown, {"code": "123456"}).status_code == 404
    code = latest_code()
    frozen.shift(verification.CODE_TTL)
    expired = api_post(client, f"{base}/verify", {"code": code})
    assert expired.status_code == 410 and "expired" in expired.json()["detail"]
    assert Booking.objects.get().status == Booking.Status.CANCELLED


def test_a_link_without_verification_still_answers_without_verify_url(client, link, frozen):
    data = api_book(client)
    assert data["status"] == "confirmed" and "verify_url" not in data


def test_the_verification_endpoints_are_in_the_api_schema(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/public/bookings/{token}/verify" in paths
    assert "/api/v1/public/bookings/{token}/resend-code" in paths
