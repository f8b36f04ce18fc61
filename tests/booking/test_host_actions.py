"""What a host does from a booking's page: cancel with a reason, mark a no-show and undo it."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.core import mail

from booking import services
from booking.models import Booking, Reservation
from tests.booking.helpers import attendee, utc
from tests.conftest import NOW, login
from tests.factories import LinkFactory
from workestra.models import Membership
from workflows import outbox
from workflows.models import OutboxMessage

FUTURE = utc(2026, 11, 25, 9, 0)  # Wednesday 10:00 in Berlin
PAST = utc(2026, 11, 17, 9, 0)  # last Tuesday
REASON_REQUIRED = "Give a reason: the attendee will see it in the cancellation email."


def url(booking: Booking, action: str = "") -> str:
    return f"/calendar/bookings/{booking.pk}{action}"


@pytest.fixture
def upcoming(link, frozen):
    return services.booking_create(link=link, start=FUTURE, attendee=attendee())


@pytest.fixture
def past(link, frozen):
    return services.booking_create(
        link=link, start=PAST, attendee=attendee(), now=NOW - timedelta(days=7)
    )


def status_of(booking: Booking) -> str:
    booking.refresh_from_db()
    return booking.status


# --- host cancel ----------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   \n  "])
def test_host_cancel_needs_a_reason(owner_client, upcoming, reason):
    response = owner_client.post(url(upcoming, "/cancel"), {"reason": reason})
    assert response.status_code == 400
    assert REASON_REQUIRED in response.content.decode()
    assert status_of(upcoming) == Booking.Status.CONFIRMED
    assert not OutboxMessage.objects.filter(kind="booking.cancellation").exists()


def test_a_reason_over_2000_characters_is_refused(owner_client, upcoming):
    response = owner_client.post(url(upcoming, "/cancel"), {"reason": "x" * 2001})
    assert response.status_code == 400
    assert "Keep the reason under 2000 characters (it has 2001)." in response.content.decode()
    assert status_of(upcoming) == Booking.Status.CONFIRMED


def test_host_cancel_notifies_the_attendee_with_the_reason(owner_client, upcoming, owner):
    outbox.drain()
    mail.outbox.clear()

    response = owner_client.post(url(upcoming, "/cancel"), {"reason": "  I'm ill, sorry  "})

    assert response.status_code == 302 and response["Location"] == url(upcoming)
    page = owner_client.get(url(upcoming)).content.decode()
    assert "The meeting is cancelled. The attendee is being notified." in page
    upcoming.refresh_from_db()
    assert (upcoming.status, upcoming.cancel_reason) == ("cancelled", "I'm ill, sorry")
    assert not upcoming.reservations.filter(active=True).exists()
    outbox.drain()
    to_attendee = next(m for m in mail.outbox if m.to == ["alice@example.com"])
    assert to_attendee.subject.startswith("Cancelled: Intro call")
    assert "Reason: I'm ill, sorry" in to_attendee.body
    assert any(m.to == ["owner@acme.test"] for m in mail.outbox)
    assert "Cancelled by Olga Owner" in page


def test_only_the_host_or_an_admin_may_cancel(teammate_client, teammate, upcoming):
    response = teammate_client.post(url(upcoming, "/cancel"), {"reason": "not mine"})
    assert response.status_code == 403
    assert status_of(upcoming) == Booking.Status.CONFIRMED
    page = teammate_client.get(url(upcoming)).content.decode()
    assert "Cancel meeting" not in page  # a colleague may look, not touch
    Membership.objects.filter(user=teammate).update(role=Membership.Role.ADMIN)
    assert teammate_client.post(url(upcoming, "/cancel"), {"reason": "admin"}).status_code == 302


def test_a_host_holding_a_reservation_may_cancel(teammate, upcoming):
    Reservation.objects.create(
        booking=upcoming,
        host=teammate,
        blocked_start=upcoming.start,
        blocked_end=upcoming.end,
    )
    response = login(teammate).post(url(upcoming, "/cancel"), {"reason": "co-host ill"})
    assert response.status_code == 302
    assert status_of(upcoming) == Booking.Status.CANCELLED


def test_a_meeting_that_has_ended_cannot_be_cancelled(owner_client, past):
    response = owner_client.post(url(past, "/cancel"), {"reason": "too late"})
    assert response.status_code == 409
    assert "already ended" in response.content.decode()
    assert status_of(past) == Booking.Status.CONFIRMED


def test_host_actions_are_posts(owner_client, upcoming, past):
    assert owner_client.get(url(upcoming, "/cancel")).status_code == 405
    assert owner_client.get(url(past, "/no-show")).status_code == 405
    assert status_of(upcoming) == status_of(past) == Booking.Status.CONFIRMED


def test_the_host_cancel_service_checks_the_reason_too(upcoming, owner):
    with pytest.raises(services.BookingError, match="Give a reason"):
        services.booking_host_cancel(booking=upcoming, actor=owner, reason=" ")
    with pytest.raises(services.BookingError, match="under 2000"):
        services.booking_host_cancel(booking=upcoming, actor=owner, reason="x" * 2001)
    assert status_of(upcoming) == Booking.Status.CONFIRMED


# --- no-shows -------------------------------------------------------------------------------


def test_a_past_meeting_is_marked_and_moves_to_the_no_shows_tab(owner_client, past):
    response = owner_client.post(url(past, "/no-show"))
    assert response.status_code == 302
    assert "Marked as a no-show." in owner_client.get(url(past)).content.decode()
    assert status_of(past) == Booking.Status.NO_SHOW
    assert (
        "alice@example.com"
        in owner_client.get("/calendar/bookings?status=no_show").content.decode()
    )
    assert (
        "alice@example.com"
        not in owner_client.get("/calendar/bookings?status=past").content.decode()
    )


def test_undo_puts_it_back_among_past_meetings(owner_client, past):
    owner_client.post(url(past, "/no-show"))
    response = owner_client.post(url(past, "/no-show"), {"undo": "1"})
    assert response.status_code == 302
    assert status_of(past) == Booking.Status.CONFIRMED
    assert (
        "alice@example.com" in owner_client.get("/calendar/bookings?status=past").content.decode()
    )


def test_a_future_meeting_cannot_be_marked(owner_client, upcoming):
    response = owner_client.post(url(upcoming, "/no-show"))
    assert response.status_code == 409
    assert "hasn't started yet" in html.unescape(response.content.decode())
    assert status_of(upcoming) == Booking.Status.CONFIRMED


def test_the_no_show_services(past, upcoming, owner, link):
    with pytest.raises(services.BookingClosed, match="hasn't started yet"):
        services.booking_mark_no_show(booking=upcoming, actor=owner)
    assert status_of(upcoming) == Booking.Status.CONFIRMED

    marked = services.booking_mark_no_show(booking=past, actor=owner)
    again = services.booking_mark_no_show(booking=past, actor=owner)
    assert marked.status == again.status == Booking.Status.NO_SHOW
    assert past.events.filter(kind="no_show").count() == 1

    undone = services.booking_undo_no_show(booking=past, actor=owner)
    assert undone.status == Booking.Status.CONFIRMED
    assert services.booking_undo_no_show(booking=past, actor=owner).status == "confirmed"
    assert past.events.filter(kind="no_show_undone").count() == 1


def test_only_confirmed_meetings_can_be_no_shows(owner, link, frozen):
    other = LinkFactory(workspace=link.workspace, owner=owner, slug="other")
    cancelled = services.booking_create(
        link=other, start=PAST, attendee=attendee(), now=NOW - timedelta(days=7)
    )
    services.booking_cancel(booking=cancelled, by_host=True)
    with pytest.raises(services.BookingClosed, match="only confirmed meetings"):
        services.booking_mark_no_show(booking=cancelled, actor=owner)
    with pytest.raises(services.BookingClosed, match="not a no-show"):
        services.booking_undo_no_show(booking=cancelled, actor=owner)
    assert status_of(cancelled) == Booking.Status.CANCELLED


def test_the_attendee_cancel_page_refuses_an_oversized_reason(client, upcoming):
    response = client.post(upcoming.cancel_url, {"reason": "x" * 2001})
    assert response.status_code == 400
    assert "at most 2000 characters" in response.content.decode()
    assert status_of(upcoming) == Booking.Status.CONFIRMED
