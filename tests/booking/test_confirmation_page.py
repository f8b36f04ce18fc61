"""The confirmation and rescheduled pages: what, with whom, where, and the add-to-calendar links
and .ics file, each behind the page's own token and changing nothing."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from icalendar import Calendar

from booking.models import Booking, BookingLink, LinkHost
from tests.booking.helpers import utc
from tests.booking.test_public_page import book
from tests.factories import LinkFactory, MembershipFactory

START = utc(2026, 11, 25, 9, 0)  # Wednesday 10:00 Berlin
NEW_START = "2026-11-26T11:00:00+01:00"  # Thursday 10:00 UTC


def calendar_links(body: str) -> dict[str, dict[str, str]]:
    """The add-to-calendar buttons: their label and the query each address carries."""
    found = re.findall(r'<a class="button" href="(https://[^"]+)"[^>]*>([^<]+)</a>', body)
    return {
        label: {k: v[0] for k, v in parse_qs(urlsplit(html.unescape(href)).query).items()}
        for href, label in found
    }


def ics_href(body: str) -> str:
    return html.unescape(re.search(r'href="([^"]+\.ics)" download', body).group(1))


def test_the_confirmation_page_offers_every_calendar_at_the_booked_time(client, link, frozen):
    response = book(client, link, timezone="America/New_York")
    body = client.get(response["Location"]).content.decode()

    links = calendar_links(body)
    assert set(links) == {"Google Calendar", "Outlook.com", "Office 365"}
    # 10:00 in Berlin, booked from New York: 09:00 UTC, shown to Google in New York time.
    assert links["Google Calendar"]["dates"] == "20261123T090000Z/20261123T093000Z"
    assert links["Google Calendar"]["ctz"] == "America/New_York"
    assert links["Google Calendar"]["text"] == "Intro call with Olga Owner"
    for name in ("Outlook.com", "Office 365"):
        assert (links[name]["startdt"], links[name]["enddt"]) == (
            "2026-11-23T09:00:00Z",
            "2026-11-23T09:30:00Z",
        )
    booking = Booking.objects.get()
    assert booking.reschedule_url in links["Google Calendar"]["details"]
    assert "<dt>With</dt><dd>Olga Owner</dd>" in body


def test_the_ics_download_is_the_meeting_and_changes_nothing(client, link, frozen):
    page = client.get(book(client, link)["Location"]).content.decode()

    response = client.get(ics_href(page))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == utc(2026, 11, 23, 9, 0)
    booking = Booking.objects.get()
    assert (booking.status, booking.sequence) == (Booking.Status.CONFIRMED, 0)


def test_the_rescheduled_page_offers_the_calendars_at_the_new_time(client, link, frozen, booked):
    booking = booked(link, START, timezone="Asia/Tokyo")
    moved = client.post(booking.reschedule_url, {"start": NEW_START})

    body = client.get(moved["Location"]).content.decode()

    assert "Your meeting has moved" in body
    links = calendar_links(body)
    assert links["Google Calendar"]["dates"] == "20261126T100000Z/20261126T103000Z"
    assert links["Google Calendar"]["ctz"] == "Asia/Tokyo"
    assert links["Office 365"]["startdt"] == "2026-11-26T10:00:00Z"
    ics = client.get(ics_href(body))
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == utc(2026, 11, 26, 10, 0)
    assert (event["uid"], event["sequence"]) == (booking.ical_uid, 1)


def test_the_old_tokens_ics_is_refused_after_a_move(client, link, frozen, booked):
    booking = booked(link, START)
    client.post(booking.reschedule_url, {"start": NEW_START})
    response = client.get(f"/book/rescheduled/{booking.reschedule_token}/invite.ics")
    assert response.status_code == 410
    assert client.get("/book/rescheduled/not-a-token/invite.ics").status_code == 404


def test_the_address_and_join_link_are_on_the_page_and_in_the_links(client, link, frozen):
    link.locations = [{"kind": "in_person", "detail": "Acme HQ, Alexanderplatz 1"}]
    link.save()
    body = client.get(book(client, link)["Location"]).content.decode()
    assert "<dt>Where</dt><dd>Acme HQ, Alexanderplatz 1</dd>" in body
    assert calendar_links(body)["Outlook.com"]["location"] == "Acme HQ, Alexanderplatz 1"

    link.locations = [{"kind": "link", "detail": "https://meet.acme.example/olga"}]
    link.save()
    body = client.get(
        book(client, link, start="2026-11-23T11:00:00+01:00")["Location"]
    ).content.decode()
    assert '<a href="https://meet.acme.example/olga" rel="noopener">' in body
    assert (
        "Join: https://meet.acme.example/olga" in calendar_links(body)["Google Calendar"]["details"]
    )


def test_a_zoom_meeting_says_its_link_comes_by_email(client, link, frozen):
    link.locations = [{"kind": "zoom", "detail": ""}]
    link.save()
    body = client.get(book(client, link)["Location"]).content.decode()
    assert 'Zoom <span class="muted">(the join link follows by email)</span>' in body


@pytest.mark.parametrize(
    ("kind", "shown"),
    [
        (BookingLink.Kind.ROUND_ROBIN, "Ann Host"),
        (BookingLink.Kind.COLLECTIVE, "Ann Host and Bob Host"),
    ],
)
def test_the_page_names_the_assigned_host_or_every_host(
    client, workspace, owner, frozen, kind, shown
):
    link = LinkFactory(
        workspace=workspace, owner=owner, kind=kind, slug="team-call", title="Team call"
    )
    for name in ("Ann", "Bob"):
        user = MembershipFactory(workspace=workspace, user__name=f"{name} Host").user
        LinkHost.objects.create(link=link, user=user)
    response = book(client, link)
    booking = Booking.objects.get()
    if kind == BookingLink.Kind.ROUND_ROBIN:
        shown = booking.host.display_name

    body = client.get(response["Location"]).content.decode()

    assert f"<dt>With</dt><dd>{shown}</dd>" in body
    assert calendar_links(body)["Google Calendar"]["text"] == f"Team call with {shown}"
