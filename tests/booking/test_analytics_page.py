"""The Analytics page at /calendar/analytics and its CSVs: the period chooser and its bad input,
accessible charts with their tables, CSV contents (formula-safe), and who sees what."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.analytics_tables import safe_cell
from booking.models import Booking, BookingLink, LinkHost
from booking.periods import parse_period
from tests.booking.helpers import utc
from tests.conftest import NOW
from tests.factories import BookingFactory, LinkFactory

URL = "/calendar/analytics"
BERLIN = ZoneInfo("Europe/Berlin")
pytestmark = pytest.mark.usefixtures("frozen")


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


# The period ------------------------------------------------------------------------------------


def test_the_default_period_is_the_last_thirty_local_days():
    period, error = parse_period({}, zone=BERLIN, now=NOW)

    assert (period.first, period.last, period.preset, error) == (
        date(2026, 10, 25),
        date(2026, 11, 23),
        30,
        "",
    )
    assert period.start == utc(2026, 10, 24, 22, 0)  # midnight CEST, the day summer time ends
    assert period.end == utc(2026, 11, 23, 23, 0)  # midnight CET


def test_a_preset_and_dates_are_read():
    assert parse_period({"period": "7"}, zone=BERLIN, now=NOW)[0].first == date(2026, 11, 17)
    chosen, error = parse_period({"from": "2026-01-01", "to": "2026-03-31"}, zone=BERLIN, now=NOW)
    assert (chosen.first, chosen.last, chosen.preset, error) == (
        date(2026, 1, 1),
        date(2026, 3, 31),
        None,
        "",
    )
    assert chosen.query() == "from=2026-01-01&to=2026-03-31"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "yesterday"}, "The start date “yesterday” is not a date"),
        ({"from": "2026-11-01", "to": "2026-02-30"}, "The end date “2026-02-30” is not a date"),
        ({"from": "2026-11-10", "to": "2026-11-01"}, "The start date is after the end date."),
        ({"from": "2024-01-01", "to": "2026-01-01"}, "at most 366 days"),
        ({"from": "1900-01-01", "to": "1900-01-02"}, "between the years 2000 and 2100"),
        ({"period": "365"}, "Choose the last 7, 30 or 90 days"),
    ],
)
def test_a_bad_period_falls_back_to_the_default_with_a_message(params, message):
    period, error = parse_period(params, zone=BERLIN, now=NOW)

    assert message in error
    assert (period.first, period.last) == (date(2026, 10, 25), date(2026, 11, 23))


def test_the_page_says_what_was_wrong_and_shows_the_last_thirty_days(owner_client):
    response = owner_client.get(URL, {"from": "2026-13-01", "to": "2026-11-01"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "The start date “2026-13-01” is not a date" in page
    assert "Showing the last 30 days instead." in page
    assert "25 Oct 2026 – 23 Nov 2026" in page


# The page -------------------------------------------------------------------------------------


@pytest.fixture
def week(link, teammate):
    """Three meetings of Olga's last week, one cancelled; one of Tim's."""
    for day, status in ((17, "confirmed"), (18, "no_show"), (19, "cancelled")):
        BookingFactory(
            link=link,
            start=utc(2026, 11, day, 9, 0),
            created_at=utc(2026, 11, day - 2, 9, 0),
            status=status,
        )
    theirs = LinkFactory(workspace=link.workspace, owner=teammate, title="Tim's demo")
    BookingFactory(link=theirs, start=utc(2026, 11, 18, 14, 0), created_at=utc(2026, 11, 1))


def test_the_page_shows_accessible_charts_with_their_figures(owner_client, week):
    response = owner_client.get(URL, {"period": "7"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "17 Nov 2026 – 23 Nov 2026" in page
    assert 'aria-current="page">Last 7 days' in page
    for heading in (
        "Bookings over time",
        "Bookings by link",
        "Bookings by host",
        "Round-robin distribution",
        "Popular days and hours",
        "Lead time",
        "No-show and cancellation rates",
    ):
        assert f">{heading}</h2>" in page
    assert page.count('role="img"') == 6  # no round-robin link: that section says so instead
    assert '<title id="over-time-t">Bookings per day</title>' in page
    assert "3 booked meetings in the period, by day." in page
    assert "No round-robin links to show." in page
    assert "Cancellation rate: 25% (1 of 4 meetings in the period were cancelled)." in page
    assert "Busiest day: Wednesday; busiest hour: 10:00–11:00." in page
    assert '<th scope="col">Wednesday</th>' in page
    assert "<script" not in page.split("</head>")[1]


def test_a_member_sees_only_their_own_meetings(teammate_client, week):
    page = teammate_client.get(URL, {"period": "7"}).content.decode()

    assert "1 booked meeting in the period" in page
    assert "Your meetings" in page
    assert "Intro call" not in page


def test_the_page_needs_a_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == "/login?next=/calendar/analytics"


# CSVs -----------------------------------------------------------------------------------------


def test_each_chart_has_a_csv_with_a_header_row(owner_client, week):
    page = owner_client.get(URL, {"period": "7"}).content.decode()
    for chart in (
        "bookings-over-time",
        "bookings-by-link",
        "bookings-by-host",
        "round-robin",
        "days-and-hours",
        "lead-time",
        "rates",
    ):
        assert f"/calendar/analytics/{chart}.csv?period=7" in page
        response = owner_client.get(f"{URL}/{chart}.csv", {"period": "7"})
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert f'filename="{chart}-2026-11-17-to-2026-11-23.csv"' in response["Content-Disposition"]
        assert rows_of(response)[0], chart


def test_the_csvs_hold_the_figures(owner_client, week):
    over_time = rows_of(owner_client.get(f"{URL}/bookings-over-time.csv", {"period": "7"}))
    by_host = rows_of(owner_client.get(f"{URL}/bookings-by-host.csv", {"period": "7"}))
    rates = rows_of(owner_client.get(f"{URL}/rates.csv", {"period": "7"}))
    lead = rows_of(owner_client.get(f"{URL}/lead-time.csv", {"period": "7"}))

    assert over_time[0] == ["From", "Period", "Bookings"]
    assert over_time[1:4] == [
        ["2026-11-17", "Tue 17 Nov 2026", "1"],
        ["2026-11-18", "Wed 18 Nov 2026", "2"],
        ["2026-11-19", "Thu 19 Nov 2026", "0"],
    ]
    assert ["2026-11-18", "Tim Mate", "1"] in by_host
    assert rates == [
        ["Measure", "Count", "Out of", "Rate (%)"],
        ["Cancellation rate", "1", "4", "25.0"],
        ["No-show rate", "1", "3", "33.3"],
    ]
    assert lead[1:5] == [
        ["Under 1 hour", "0"],
        ["1 to 24 hours", "0"],
        ["1 to 3 days", "2"],
        ["3 to 7 days", "0"],
    ]


def test_a_cell_a_spreadsheet_would_run_is_defused(owner_client, link):
    link.title = '=HYPERLINK("http://evil.test")'
    link.save()
    BookingFactory(link=link, start=NOW - timedelta(days=1))

    rows = rows_of(owner_client.get(f"{URL}/bookings-by-link.csv", {"period": "7"}))

    assert {row[1] for row in rows[1:]} == {'\'=HYPERLINK("http://evil.test")'}
    assert [safe_cell(v) for v in ("+1", "-2", "@x", "ok", -3)] == ["'+1", "'-2", "'@x", "ok", -3]


def test_the_round_robin_csv_lists_shares_against_targets(owner_client, owner, teammate, link):
    rotation = LinkFactory(
        workspace=link.workspace, owner=owner, title="Sales", kind=BookingLink.Kind.ROUND_ROBIN
    )
    LinkHost.objects.create(link=rotation, user=owner, weight=100)
    LinkHost.objects.create(link=rotation, user=teammate, weight=300)
    for host in (owner, teammate, teammate):
        BookingFactory(link=rotation, host=host, created_at=NOW - timedelta(days=1))

    rows = rows_of(owner_client.get(f"{URL}/round-robin.csv", {"period": "7"}))

    assert rows == [
        ["Link", "Host", "Bookings", "Share (%)", "Weight", "Target share (%)"],
        ["Sales", "Olga Owner", "1", "33.3", "100", "25.0"],
        ["Sales", "Tim Mate", "2", "66.7", "300", "75.0"],
    ]


def test_an_unknown_chart_is_a_404_and_a_bad_period_a_400(owner_client):
    assert owner_client.get(f"{URL}/payroll.csv").status_code == 404
    response = owner_client.get(f"{URL}/rates.csv", {"to": "soon"})
    assert response.status_code == 400
    assert "The end date “soon” is not a date" in response.content.decode()


def test_another_workspace_never_shows_in_a_csv(outsider_client, week):
    rows = rows_of(outsider_client.get(f"{URL}/bookings-by-link.csv", {"period": "7"}))

    assert rows == [["From", "Link", "Bookings"]]
    assert Booking.objects.count() == 4


def test_with_no_bookings_the_page_says_so(owner_client):
    page = owner_client.get(URL).content.decode()

    assert "0 booked meetings in the period, by day." in page
    assert page.count("No bookings in this period.") == 4  # by link, by host, days, lead time
    assert "Cancellation rate: — (0 of 0" in page


def test_ninety_days_are_shown_by_week(owner_client, week):
    page = owner_client.get(URL, {"period": "90"}).content.decode()

    assert "26 Aug 2026 – 23 Nov 2026" in page
    assert "3 booked meetings in the period, by week." in page
    assert "<td>Week of 16 Nov 2026</td><td>3</td>" in page


def test_the_page_reads_in_a_fixed_number_of_queries_and_stays_light(
    owner_client, owner, link, django_assert_max_num_queries
):
    for day in range(1, 30):
        for n in range(4):
            extra = LinkFactory(workspace=link.workspace, owner=owner) if day == 1 else link
            BookingFactory(link=extra, start=NOW - timedelta(days=day, hours=n))

    with django_assert_max_num_queries(20):
        response = owner_client.get(URL)

    assert response.status_code == 200
    assert len(response.content) < 100_000
