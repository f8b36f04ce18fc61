"""A team on mixed providers: Olga on Google Calendar, Tim on Microsoft 365. Each host's own
calendar keeps them off their meetings, collective bookings land in both calendars, Teams links
reach the attendee, and a change notification from Graph brings a deletion back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from booking import services
from booking.calendar_sync import calendar_tick, enqueue_sync
from booking.models import Booking, BookingLink, LinkHost
from integrations.models import Calendar, CalendarConnection, CalendarEvent
from tests.booking.helpers import attendee, utc
from tests.factories import LinkFactory
from tests.integrations.fake_google_calendar import ACCOUNT
from tests.integrations.fixtures_google import connect, fake_google  # noqa: F401
from tests.integrations.fixtures_microsoft import connect_microsoft, fake_microsoft_fixture  # noqa: F401
from workflows import outbox

START = utc(2026, 11, 25, 13, 30)  # Wednesday 14:30 in Berlin
GRAPH_WEBHOOK = "/api/calendar-providers/webhook/microsoft"


def _calendar(connection: CalendarConnection, external_id: str) -> Calendar:
    return Calendar.objects.create(
        connection=connection,
        user=connection.user,
        external_id=external_id,
        name=external_id,
        is_primary=True,
        check_conflicts=True,
        receives_bookings=True,
    )


@pytest.fixture
def calendars(fake_google, fake_microsoft, owner, teammate, workspace, settings):  # noqa: F811
    settings.CALENDAR_LIVE_CHECK_SECONDS = 0
    settings.PUBLIC_BASE_URL = "https://book.example.test"
    olga = _calendar(connect(fake_google, user=owner, workspace=workspace), ACCOUNT)
    tim = _calendar(connect_microsoft(fake_microsoft, teammate), fake_microsoft.calendar_of())
    return olga, tim


def team_link(workspace, owner, teammate, kind: str) -> BookingLink:
    link = LinkFactory(
        workspace=workspace, owner=owner, kind=kind, slug=f"team-{kind}", calendar_provider="google"
    )
    LinkHost.objects.bulk_create(
        [LinkHost(link=link, user=owner), LinkHost(link=link, user=teammate)]
    )
    return link


def sync_all(*calendars: Calendar) -> None:
    for calendar in calendars:
        enqueue_sync(calendar, reason="test")
    outbox.drain()


def test_round_robin_checks_each_hosts_own_provider(
    calendars,
    fake_google,  # noqa: F811
    fake_microsoft,
    owner,
    teammate,
    workspace,
    frozen,
):
    olga, tim = calendars
    link = team_link(workspace, owner, teammate, BookingLink.Kind.ROUND_ROBIN)
    fake_google.add_event(ACCOUNT, START, START + timedelta(minutes=30))
    tims_meeting = fake_microsoft.add_event("1:1", START, START + timedelta(minutes=30))
    sync_all(olga, tim)

    with pytest.raises(services.SlotTaken):
        services.booking_create(link=link, start=START, attendee=attendee())

    fake_microsoft.delete_event(tims_meeting)
    sync_all(tim)
    booking = services.booking_create(link=link, start=START, attendee=attendee())
    assert booking.host == teammate


def test_a_collective_booking_lands_in_both_hosts_calendars(
    calendars,
    fake_google,  # noqa: F811
    fake_microsoft,
    owner,
    teammate,
    workspace,
    frozen,
    booked,
):
    link = team_link(workspace, owner, teammate, BookingLink.Kind.COLLECTIVE)
    booking = booked(link, START)
    outbox.drain()

    google_events = [e for e in fake_google.events(ACCOUNT) if e.get("iCalUID") == booking.ical_uid]
    assert len(google_events) == 1
    tims = CalendarEvent.objects.get(user=teammate, ical_uid=booking.ical_uid)
    assert tims.external_id in fake_microsoft.events
    assert fake_microsoft.events[tims.external_id].subject.startswith(link.title)

    services.booking_cancel(booking=booking, reason="Sorry")
    outbox.drain()
    assert google_events[0]["id"] in {
        e["id"] for e in fake_google.events(ACCOUNT) if e["status"] == "cancelled"
    }
    assert tims.external_id not in fake_microsoft.events


@pytest.fixture
def teams_link(calendars, workspace, teammate):
    return LinkFactory(
        workspace=workspace,
        owner=teammate,
        slug="tim",
        calendar_provider="microsoft",
        auto_meeting_link=True,
    )


def test_a_teams_link_reaches_the_attendee(teams_link, fake_microsoft, frozen, booked):
    booking = booked(teams_link, START)
    outbox.drain()

    booking.refresh_from_db()
    assert booking.meeting_url.startswith("https://teams.microsoft.com/")
    to_attendee = next(m for m in mail.outbox if m.to == ["alice@example.com"])
    assert booking.meeting_url in to_attendee.body


def test_a_graph_notification_brings_a_deletion_back_once(
    teams_link, calendars, fake_microsoft, frozen, booked, client
):
    _, tim = calendars
    booking = booked(teams_link, START)
    outbox.drain()
    calendar_tick(utc(2026, 11, 23, 7, 0))
    outbox.drain()
    tim.refresh_from_db()
    assert tim.watch_id in fake_microsoft.subscriptions
    mail.outbox.clear()
    event_id = CalendarEvent.objects.get(ical_uid=booking.ical_uid).external_id

    fake_microsoft.delete_event(event_id)
    body = fake_microsoft.notify(tim.watch_id, "deleted", event_id)
    for _ in range(2):  # Graph may deliver a notification twice
        response = client.post(GRAPH_WEBHOOK, body, content_type="application/json")
        assert response.status_code == 202
        outbox.drain()

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert len([m for m in mail.outbox if m.to == ["alice@example.com"]]) == 1


def test_a_graph_notification_with_the_wrong_client_state_is_refused(
    teams_link, calendars, fake_microsoft, frozen, client
):
    _, tim = calendars
    calendar_tick(utc(2026, 11, 23, 7, 0))
    outbox.drain()
    tim.refresh_from_db()
    body = fake_microsoft.notify(tim.watch_id)
    body["value"][0]["clientState"] = "guessed"
    before = Calendar.objects.get(pk=tim.pk).synced_at

    response = client.post(GRAPH_WEBHOOK, body, content_type="application/json")

    assert response.status_code == 403
    outbox.drain()
    assert Calendar.objects.get(pk=tim.pk).synced_at == before


def test_a_teams_location_puts_a_teams_link_on_the_booking(
    calendars, workspace, teammate, frozen, booked
):
    link = LinkFactory(
        workspace=workspace,
        owner=teammate,
        slug="tim-teams",
        locations=[{"kind": "teams", "detail": ""}, {"kind": "jitsi", "detail": ""}],
    )
    from booking.services import Attendee, booking_create

    booking = booking_create(
        link=link,
        start=START,
        attendee=Attendee(
            name="Alice", email="alice@example.com", timezone="Europe/Berlin", location="teams"
        ),
    )
    outbox.drain()

    booking.refresh_from_db()
    assert booking.meeting_url.startswith("https://teams.microsoft.com/")
