"""The Bookings tab, /calendar/bookings: search, filters, status tabs and the CSV export."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta

import pytest

from booking import services
from booking.models import Booking, BookingLink, Reservation
from tests.booking.helpers import utc
from tests.conftest import NOW
from tests.factories import BookingFactory, LinkFactory

URL = "/calendar/bookings"
EXPORT = "/calendar/bookings/export.csv"
EVERYONE = ["uma", "mo", "carl", "paul", "tara", "theo", "xena", "nia"]


@dataclass
class Agenda:
    intro: BookingLink
    demo: BookingLink
    tims: BookingLink
    elsewhere: BookingLink


@pytest.fixture
def agenda(link, owner, teammate, frozen, booked) -> Agenda:
    """Olga's bookings on two links and one on Tim's she sits in on, from Monday 23 November."""
    demo = LinkFactory(workspace=link.workspace, owner=owner, title="Demo", slug="demo")
    tims = LinkFactory(workspace=link.workspace, owner=teammate, title="Tim's call", slug="tim")
    elsewhere = LinkFactory(slug="elsewhere")
    booked(link, utc(2026, 11, 25, 9, 0), guest="uma")
    booked(demo, utc(2026, 11, 26, 10, 0), guest="mo")
    carl = booked(link, utc(2026, 11, 27, 9, 0), guest="carl")
    services.booking_cancel(booking=carl, reason="sick")
    booked(link, utc(2026, 11, 17, 9, 0), guest="paul", now=NOW - timedelta(days=7))
    tara = booked(tims, utc(2026, 11, 25, 14, 0), guest="tara")
    Reservation.objects.create(
        booking=tara, host=owner, blocked_start=tara.start, blocked_end=tara.end
    )
    booked(tims, utc(2026, 11, 25, 15, 0), guest="theo")  # Tim's alone
    booked(elsewhere, utc(2026, 11, 25, 9, 0), guest="xena")
    # 23:30 UTC on Wednesday is already Thursday in Berlin, Olga's zone.
    BookingFactory(link=link, start=utc(2026, 11, 25, 23, 30), name="Nia", email="nia@example.com")
    return Agenda(intro=link, demo=demo, tims=tims, elsewhere=elsewhere)


def listed(client, **query) -> set[str]:
    response = client.get(URL, query)
    assert response.status_code == 200, response.content.decode()
    page = response.content.decode()
    return {who for who in EVERYONE if f"{who}@example.com" in page}


def test_each_filter_narrows_the_list(owner_client, agenda, teammate):
    everything = {"uma", "mo", "carl", "paul", "tara", "nia"}
    assert listed(owner_client, status="all") == everything
    assert listed(owner_client, status="all", q="UM") == {"uma"}  # any case, part of the name
    assert listed(owner_client, status="all", q="mo@exa") == {"mo"}  # or of the email
    assert listed(owner_client, status="all", link=agenda.demo.pk) == {"mo"}
    assert listed(owner_client, status="all", host=teammate.pk) == {"tara"}
    assert listed(owner_client, status="cancelled") == {"carl"}
    assert listed(owner_client, status="past") == {"paul"}
    assert listed(owner_client, status="all", start="2026-11-26", end="2026-11-27") == {
        "mo",
        "carl",
        "nia",
    }


def test_dates_are_the_hosts_days(owner_client, agenda, owner):
    assert listed(owner_client, start="2026-11-25", end="2026-11-25") == {"uma", "tara"}
    assert "nia" in listed(owner_client, start="2026-11-26", end="2026-11-26")
    owner.timezone = "UTC"
    owner.save()
    assert "nia" in listed(owner_client, start="2026-11-25", end="2026-11-25")


def test_filters_combine(owner_client, agenda):
    query = {"status": "all", "link": agenda.intro.pk, "start": "2026-11-25", "q": "example.com"}
    assert listed(owner_client, **query) == {"uma", "carl", "nia"}
    assert listed(owner_client, **(query | {"status": "upcoming"})) == {"uma", "nia"}
    assert listed(owner_client, **(query | {"q": "carl", "status": "upcoming"})) == set()


def test_the_status_tabs_count_what_the_other_filters_leave(owner_client, agenda):
    page = owner_client.get(URL, {"link": agenda.intro.pk}).content.decode()
    assert 'aria-current="page">Upcoming <span class="count">2</span>' in page  # uma, nia
    assert 'Cancelled <span class="count">1</span>' in page
    assert 'Past <span class="count">1</span>' in page
    # Each tab keeps the filters.
    assert f'href="?link={agenda.intro.pk}&amp;status=past"' in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"link": "abc"}, "Choose a link from the list."),
        ({"host": "999999"}, "Choose a host from the list."),
        ({"start": "next tuesday"}, "Enter the first day as a date, e.g. 2026-11-23."),
        ({"end": "2026-13-45"}, "Enter the last day as a date, e.g. 2026-11-30."),
        ({"start": "9999-12-31"}, "Dates must be between 1900-01-01 and 2199-12-31."),
        ({"start": "2026-11-27", "end": "2026-11-20"}, "The last day comes before the first"),
        ({"q": "x" * 201}, "Search for at most 200 characters (this has 201)."),
        ({"q": "a\x00b"}, "Null characters are not allowed."),
    ],
)
def test_a_bad_filter_is_a_400_that_says_why(owner_client, agenda, query, message):
    for url in (URL, EXPORT):
        response = owner_client.get(url, query)
        assert response.status_code == 400
        assert message in response.content.decode()


def test_an_unknown_status_or_page_shows_the_default_tab(owner_client, agenda):
    assert listed(owner_client, status="<script>", page="abc") == {"uma", "mo", "tara", "nia"}


def test_another_workspaces_link_and_members_cannot_be_chosen(
    owner_client, outsider_client, agenda, owner, outsider
):
    response = owner_client.get(URL, {"link": agenda.elsewhere.pk})
    assert response.status_code == 400 and "Choose a link from the list." in response.text
    response = outsider_client.get(URL, {"host": owner.pk, "status": "all"})
    assert response.status_code == 400 and "Choose a host from the list." in response.text
    assert listed(outsider_client, status="all", q="example.com") == set()
    page = owner_client.get(URL).content.decode()
    assert "Intro call 1" not in page and agenda.elsewhere.title not in page  # not in the choices


def test_a_teammate_sees_only_their_own(teammate_client, agenda):
    assert listed(teammate_client, status="all") == {"tara", "theo"}


def test_htmx_swaps_only_the_results(owner_client, agenda):
    response = owner_client.get(URL, {"q": "uma"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="booking-results">')
    assert "<html" not in page and "uma@example.com" in page and "mo@example.com" not in page
    assert "HX-Request" in response["Vary"]


def test_the_form_works_without_javascript(owner_client, agenda):
    page = owner_client.get(URL, {"q": "uma"}).content.decode()
    assert '<form method="get" action="/calendar/bookings"' in page
    assert 'value="uma"' in page  # the search stays in the box


# --- CSV ------------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == 'attachment; filename="bookings-2026-11-23.csv"'
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_has_a_header_and_the_filtered_rows_in_the_hosts_zone(owner_client, agenda):
    rows = csv_rows(owner_client.get(EXPORT, {"status": "all", "link": agenda.intro.pk}))
    assert rows[0][:9] == [
        "Start",
        "End",
        "Time zone",
        "Meeting",
        "Host",
        "Attendee",
        "Email",
        "Phone",
        "Status",
    ]
    by_email = {row[6]: row for row in rows[1:]}
    assert set(by_email) == {
        "uma@example.com",
        "carl@example.com",
        "paul@example.com",
        "nia@example.com",
    }
    uma = by_email["uma@example.com"]
    assert uma[:6] == [
        "2026-11-25 10:00",
        "2026-11-25 10:30",
        "Europe/Berlin",
        "Intro call",
        "Olga Owner",
        "Uma",
    ]
    assert by_email["carl@example.com"][8] == "Cancelled"
    assert by_email["carl@example.com"][10] == "sick"


def test_the_csv_follows_the_status_tab_and_the_workspace(owner_client, outsider_client, agenda):
    rows = csv_rows(owner_client.get(EXPORT, {"status": "cancelled"}))
    assert [row[6] for row in rows[1:]] == ["carl@example.com"]
    rows = csv_rows(outsider_client.get(EXPORT, {"status": "all"}))
    assert rows[1:] == []


def test_csv_cells_that_look_like_formulas_are_text(owner_client, link, frozen):
    start = utc(2026, 11, 25, 9, 0)
    for name, email, phone in [
        ('=HYPERLINK("http://evil.test","x")', "a@example.com", "+4915112345678"),
        ("@SUM(A1)", "b@example.com", ""),
        ("-2+3", "c@example.com", ""),
        ("\tTabbed", "d@example.com", ""),
        ("Plain = fine", "e@example.com", ""),
    ]:
        BookingFactory(link=link, start=start, name=name, email=email, phone=phone)
        start += timedelta(hours=1)
    rows = csv_rows(owner_client.get(EXPORT))
    names = [row[5] for row in rows[1:]]
    assert names == [
        '\'=HYPERLINK("http://evil.test","x")',
        "'@SUM(A1)",
        "'-2+3",
        "'\tTabbed",
        "Plain = fine",
    ]
    assert rows[1][7] == "'+4915112345678"


def test_the_csv_needs_a_login(client, agenda):
    response = client.get(EXPORT)
    assert response.status_code == 302 and response["Location"].startswith("/login")


def test_a_rescheduled_booking_is_listed_once(owner_client, link, frozen, booked):
    moved = booked(link, utc(2026, 11, 26, 10, 0), guest="mo")
    services.booking_reschedule(booking=moved, start=utc(2026, 11, 27, 10, 0))
    assert Booking.objects.filter(email="mo@example.com").count() == 2
    rows = csv_rows(owner_client.get(EXPORT, {"status": "all"}))
    assert [row[0] for row in rows[1:]] == ["2026-11-27 11:00"]


def test_the_status_box_shows_the_status_listed(owner_client, agenda):
    page = owner_client.get(URL).content.decode()
    select = page[page.index('<select name="status"') :].split("</select>")[0]
    assert select.index('value="upcoming"') < select.index('value="all"')
    assert 'value="upcoming" selected' in select or "selected" not in select
    page = owner_client.get(URL, {"tab": "past"}).content.decode()
    select = page[page.index('<select name="status"') :].split("</select>")[0]
    assert 'value="past" selected' in select


def test_htmx_gets_the_message_of_a_bad_filter_where_the_list_was(owner_client, agenda):
    response = owner_client.get(URL, {"start": "soon"}, headers={"HX-Request": "true"})
    assert response.status_code == 200  # htmx swaps nothing else
    assert response.content.decode().lstrip().startswith('<div id="booking-results">')
    assert "Enter the first day as a date" in response.content.decode()
