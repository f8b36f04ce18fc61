"""The host asks the attendee to pick a new time, from the booking's page (reschedule on behalf)."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail

from booking import services
from booking.models import Booking
from tests.booking.helpers import utc
from tests.conftest import NOW
from workflows import outbox
from workflows.models import OutboxMessage

START = utc(2026, 11, 25, 9, 0)  # Wednesday 10:00 in Berlin


def ask_url(booking: Booking) -> str:
    return f"/calendar/bookings/{booking.pk}/ask-to-reschedule"


def page_of(client, booking: Booking) -> str:
    return client.get(f"/calendar/bookings/{booking.pk}").content.decode()


def requests_sent() -> list:
    return [m for m in mail.outbox if m.subject.startswith("Please pick a new time")]


def test_the_attendee_gets_their_reschedule_link_and_the_timeline_says_so(
    owner_client, link, frozen, booked
):
    booking = booked(link, START, guest="uma")
    outbox.drain()
    assert "Ask to reschedule" in page_of(owner_client, booking)

    response = owner_client.post(ask_url(booking), {"note": "Sorry, a clash came up."})

    assert response.status_code == 302
    assert "emailing Uma a link to pick a new time" in owner_client.get(response["Location"]).text
    outbox.drain()
    (email,) = requests_sent()
    assert email.to == ["uma@example.com"]
    assert email.subject == (
        "Please pick a new time: Intro call on "
        "Wednesday, 25 November 2026, 10:00–10:30 (Europe/Berlin)"
    )
    assert f"/book/reschedule/{booking.reschedule_token}" in email.body
    assert "Olga Owner asks you to pick a new time" in email.body
    assert "Their message: Sorry, a clash came up." in email.body
    timeline = page_of(owner_client, booking).split("<h2>Timeline</h2>")[1]
    assert "New time requested by Olga Owner" in timeline
    assert "Message: Sorry, a clash came up." in timeline
    row = timeline[timeline.index("Please-pick-a-new-time email to the attendee") :]
    assert "sent" in row.split("</tr>")[0]
    # The meeting stays where it was until the attendee moves it.
    booking.refresh_from_db()
    assert (booking.status, booking.start) == (Booking.Status.CONFIRMED, START)

    outbox.drain()
    assert len(requests_sent()) == 1  # a second drain sends nothing


def test_the_message_is_optional_and_each_request_is_its_own_email(
    owner_client, link, frozen, booked
):
    booking = booked(link, START, guest="uma")
    owner_client.post(ask_url(booking))
    owner_client.post(ask_url(booking), {"note": "  "})
    outbox.drain()
    assert len(requests_sent()) == 2
    assert "Their message" not in requests_sent()[0].body
    assert page_of(owner_client, booking).count("No message.") == 2


def test_a_cancelled_booking_is_refused_with_a_message(owner_client, owner, link, frozen, booked):
    booking = booked(link, START, guest="uma")
    services.booking_host_cancel(booking=booking, actor=owner, reason="Off sick")
    assert "Ask to reschedule" not in page_of(owner_client, booking)

    response = owner_client.post(ask_url(booking), {"note": "hi"})

    assert response.status_code == 409
    assert "This booking is cancelled, so there is no time to move." in response.text
    assert not OutboxMessage.objects.filter(kind="booking.new_time_request").exists()


def test_a_past_meeting_is_refused(owner_client, link, frozen, booked):
    booking = booked(link, utc(2026, 11, 17, 9, 0), guest="paul", now=NOW - timedelta(days=7))
    assert "Ask to reschedule" not in page_of(owner_client, booking)
    response = owner_client.post(ask_url(booking))
    assert response.status_code == 409
    assert "This meeting has already started" in response.text
    assert not OutboxMessage.objects.filter(kind="booking.new_time_request").exists()


def test_a_too_long_message_is_a_400_that_sends_nothing(owner_client, link, frozen, booked):
    booking = booked(link, START, guest="uma")
    response = owner_client.post(ask_url(booking), {"note": "x" * 1001})
    assert response.status_code == 400
    assert "Keep the message under 1000 characters (it has 1001)." in response.text
    assert not OutboxMessage.objects.filter(kind="booking.new_time_request").exists()


def test_a_request_is_not_sent_once_the_booking_is_cancelled(
    owner_client, owner, link, frozen, booked
):
    booking = booked(link, START, guest="uma")
    owner_client.post(ask_url(booking))
    services.booking_host_cancel(booking=booking, actor=owner, reason="Off sick")
    outbox.drain()
    assert requests_sent() == []
    timeline = page_of(owner_client, booking).split("<h2>Timeline</h2>")[1]
    row = timeline[timeline.index("Please-pick-a-new-time email") :].split("</tr>")[0]
    assert "skipped" in row and "the booking is cancelled" in row


def test_only_the_hosts_or_an_admin_may_ask_and_only_in_their_workspace(
    teammate_client, outsider_client, link, frozen, booked
):
    booking = booked(link, START, guest="uma")
    assert teammate_client.post(ask_url(booking)).status_code == 403
    assert outsider_client.post(ask_url(booking)).status_code == 404
    assert not OutboxMessage.objects.filter(kind="booking.new_time_request").exists()


def test_a_get_changes_nothing(owner_client, link, frozen, booked):
    booking = booked(link, START, guest="uma")
    assert owner_client.get(ask_url(booking)).status_code == 405
    assert not OutboxMessage.objects.filter(kind="booking.new_time_request").exists()
