"""The host's bookings at /calendar/bookings: status tabs, times in the host's zone, tenant
scoping, one booking and its timeline."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import timedelta

import pytest

from booking import services
from booking.models import Booking, Reservation
from tests.booking.helpers import utc
from tests.booking.otp_helpers import latest_code
from tests.conftest import NOW
from tests.factories import LinkFactory
from workflows import outbox

LAST_WEEK = NOW - timedelta(days=7)


def detail_url(booking: Booking) -> str:
    return f"/calendar/bookings/{booking.pk}"


@dataclass
class Agenda:
    upcoming: Booking
    moved: Booking
    moved_to: Booking
    pending: Booking
    unpaid: Booking
    past: Booking
    no_show: Booking
    cancelled: Booking
    team: Booking
    teammates_own: Booking
    elsewhere: Booking


@pytest.fixture
def agenda(link, owner, teammate, frozen, booked) -> Agenda:
    """Olga's bookings in every state, seen from Monday 23 November 2026, 07:00 UTC."""
    verifying = LinkFactory(
        workspace=link.workspace, owner=owner, slug="verified", require_email_verification=True
    )
    team_link = LinkFactory(workspace=link.workspace, owner=teammate, slug="tim")
    moved = booked(link, utc(2026, 11, 26, 10, 0), guest="mo")
    no_show = booked(link, utc(2026, 11, 17, 10, 0), guest="nina", now=LAST_WEEK)
    services.booking_mark_no_show(booking=no_show, actor=owner)
    cancelled = booked(link, utc(2026, 11, 26, 9, 0), guest="carl")
    services.booking_cancel(booking=cancelled, reason="sick")
    unpaid = booked(link, utc(2026, 11, 25, 11, 0), guest="pat")
    Booking.objects.filter(pk=unpaid.pk).update(status=Booking.Status.PENDING_PAYMENT)
    team = booked(team_link, utc(2026, 11, 25, 14, 0), guest="tara")
    # Olga sits in on Tim's meeting: she holds a reservation of it.
    Reservation.objects.create(
        booking=team, host=owner, blocked_start=team.start, blocked_end=team.end
    )
    return Agenda(
        upcoming=booked(link, utc(2026, 11, 25, 9, 0), guest="uma"),
        moved=moved,
        moved_to=services.booking_reschedule(booking=moved, start=utc(2026, 11, 27, 10, 0)),
        pending=booked(verifying, utc(2026, 11, 25, 13, 0), guest="penny"),
        unpaid=unpaid,
        past=booked(link, utc(2026, 11, 17, 9, 0), guest="paul", now=LAST_WEEK),
        no_show=no_show,
        cancelled=cancelled,
        team=team,
        teammates_own=booked(team_link, utc(2026, 11, 25, 15, 0), guest="theo"),
        elsewhere=booked(LinkFactory(slug="elsewhere"), utc(2026, 11, 25, 9, 0), guest="xena"),
    )


def tab(client, name: str) -> str:
    response = client.get(f"/calendar/bookings?status={name}")
    assert response.status_code == 200
    return response.content.decode()


def attendees_on(page: str) -> set[str]:
    everyone = ["uma", "mo", "penny", "pat", "paul", "nina", "carl", "tara", "theo", "xena"]
    return {who for who in everyone if f"{who}@example.com" in page}


# --- the list -------------------------------------------------------------------------------


def test_each_tab_lists_the_users_bookings_in_that_state(owner_client, agenda):
    assert attendees_on(tab(owner_client, "upcoming")) == {"uma", "mo", "tara"}
    assert attendees_on(tab(owner_client, "pending")) == {"penny", "pat"}
    assert attendees_on(tab(owner_client, "past")) == {"paul"}
    assert attendees_on(tab(owner_client, "cancelled")) == {"carl"}
    assert attendees_on(tab(owner_client, "no_show")) == {"nina"}


def test_upcoming_is_the_default_tab_and_shows_each_count(owner_client, agenda):
    page = owner_client.get("/calendar/bookings").content.decode()
    assert attendees_on(page) == {"uma", "mo", "tara"}
    for label, count in [
        ("Upcoming", 3),
        ("Pending", 2),
        ("Past", 1),
        ("Cancelled", 1),
        ("No-shows", 1),
    ]:
        assert f'{label} <span class="count">{count}</span>' in page


def test_a_rescheduled_booking_appears_once_at_its_new_time(owner_client, agenda, owner):
    page = tab(owner_client, "upcoming")
    assert page.count("mo@example.com") == 1
    assert detail_url(agenda.moved_to) in page and detail_url(agenda.moved) not in page


def test_times_are_in_the_users_zone_soonest_first(owner_client, agenda, owner):
    owner.timezone = "America/New_York"
    owner.save()
    page = tab(owner_client, "upcoming")
    assert "Times in America/New_York" in page
    assert "Wed 25 Nov 2026, 04:00–04:30" in page  # 09:00 UTC
    assert page.index("uma@example.com") < page.index("tara@example.com")
    assert page.index("tara@example.com") < page.index("mo@example.com")
    assert "with Tim Mate" in page  # a meeting she attends on a teammate's booking


def test_a_teammate_sees_only_their_own_meetings(teammate_client, agenda):
    assert attendees_on(tab(teammate_client, "upcoming")) == {"tara", "theo"}


def test_an_empty_tab_says_so(teammate_client, agenda):
    assert "No no-shows." in tab(teammate_client, "no_show")


def test_the_calendar_needs_a_login_and_is_in_the_nav(client, owner_client, agenda):
    response = client.get("/calendar")
    assert response.status_code == 302 and response["Location"].startswith("/login")
    assert 'href="/calendar"' in owner_client.get("/settings/booking-links").content.decode()


def test_old_calendar_tab_links_lead_to_the_bookings(owner_client, agenda):
    response = owner_client.get("/calendar?tab=past")
    assert response.status_code == 302
    assert response["Location"] == "/calendar/bookings?tab=past"
    assert attendees_on(owner_client.get(response["Location"]).content.decode()) == {"paul"}


def test_an_unknown_tab_or_page_falls_back(owner_client, agenda):
    page = owner_client.get("/calendar/bookings?status=%3Cscript%3E&page=abc").content.decode()
    assert attendees_on(page) == {"uma", "mo", "tara"}


# --- one booking ----------------------------------------------------------------------------


def test_another_workspaces_booking_is_a_404(owner_client, outsider_client, agenda):
    assert owner_client.get(detail_url(agenda.elsewhere)).status_code == 404
    assert outsider_client.get(detail_url(agenda.upcoming)).status_code == 404
    cancel = outsider_client.post(f"{detail_url(agenda.upcoming)}/cancel", {"reason": "mine"})
    no_show = outsider_client.post(f"{detail_url(agenda.past)}/no-show")
    assert cancel.status_code == no_show.status_code == 404
    agenda.upcoming.refresh_from_db()
    agenda.past.refresh_from_db()
    assert agenda.upcoming.status == agenda.past.status == Booking.Status.CONFIRMED


def test_the_booking_page_shows_the_meeting_in_the_users_zone(owner_client, agenda, owner):
    owner.timezone = "Asia/Kolkata"
    owner.save()
    page = owner_client.get(detail_url(agenda.upcoming)).content.decode()
    assert "Intro call with Uma" in page
    assert "Wednesday, 25 November 2026, 14:30–15:00 (Asia/Kolkata)" in page
    assert "Attendee's time: Wednesday, 25 November 2026, 10:00–10:30 (Europe/Berlin)" in page


def timeline_of(client, booking: Booking) -> str:
    page = client.get(detail_url(booking)).content.decode()
    return page[page.index("<h2>Timeline</h2>") :]


def test_the_timeline_shows_emails_and_state_changes(owner_client, owner, link, frozen, booked):
    booking = booked(link, utc(2026, 11, 25, 9, 0), guest="uma")
    outbox.drain()
    services.booking_reconfirm(booking=booking)
    moved = services.booking_reschedule(booking=booking, start=utc(2026, 11, 27, 10, 0))
    outbox.drain()
    services.booking_host_cancel(booking=moved, actor=owner, reason="Double-booked, sorry")

    old = timeline_of(owner_client, booking)
    new = timeline_of(owner_client, moved)

    assert "Booked by the attendee" in old
    assert "Confirmation email to the attendee" in old and "New-booking email to the host" in old
    assert "Reconfirmed by the attendee" in old
    assert "Rescheduled by the attendee to Friday, 27 November 2026, 11:00–11:30" in old
    assert "Reminder email to the attendee, 24 hours before" in old and "withdrawn" in old
    assert "Rescheduled by the attendee from Wednesday, 25 November 2026, 10:00–10:30" in new
    assert "New-time email to the attendee" in new and "New-time email to the host" in new
    assert "Cancelled by Olga Owner" in new and "Reason: Double-booked, sorry" in new
    assert "Cancellation email to the attendee" in new and "scheduled" in new
    assert new.index("Rescheduled by") < new.index("Cancelled by")


def test_the_timeline_shows_verification_and_no_shows(owner_client, owner, link, frozen, booked):
    past = booked(link, utc(2026, 11, 17, 9, 0), guest="paul", now=LAST_WEEK)
    link.require_email_verification = True
    link.save()
    verified = booked(link, utc(2026, 11, 25, 9, 0), guest="vera")
    services.booking_verify(booking=verified, code=latest_code())
    services.booking_mark_no_show(booking=past, actor=owner)
    services.booking_undo_no_show(booking=past, actor=owner)

    verified_page = timeline_of(owner_client, verified)
    assert "Verification code email to the attendee" in verified_page
    assert "Email verified" in verified_page
    assert "Release of the held time if the email is not verified" in verified_page
    past_page = timeline_of(owner_client, past)
    assert "Marked as no-show by Olga Owner" in past_page
    assert "No-show undone by Olga Owner" in past_page


@pytest.fixture
def smtp_refusing(settings):
    """Email goes to a port nobody listens on, and one failure is final."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    settings.OUTBOX_MAX_ATTEMPTS = 1


def test_the_timeline_shows_a_failed_email_with_its_error(
    owner_client, link, frozen, smtp_refusing, booked
):
    booking = booked(link, utc(2026, 11, 25, 9, 0), guest="uma")
    outbox.drain()

    page = timeline_of(owner_client, booking)

    row = page[page.index("Confirmation email to the attendee") :].split("</tr>")[0]
    assert "ConnectionRefusedError" in row
    assert "failed" in row and "(1 attempt)" in row
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED  # a failing email never fails the booking
