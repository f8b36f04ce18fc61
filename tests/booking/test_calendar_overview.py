"""The calendar's Overview (/calendar), Event Types and Admin tabs, and the calendar navigation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from booking.models import Booking, BookingLink, LinkHost
from tests.booking.helpers import utc
from tests.conftest import login
from tests.factories import BookingFactory, LinkFactory, MembershipFactory
from workestra.models import Membership

Status = Booking.Status


@pytest.fixture
def olgas_month(link, owner, teammate, frozen):
    """Olga's bookings around Monday 23 November 2026, 08:00 in Berlin (her zone)."""

    def at(start, status=Status.CONFIRMED, name="Ada", on=link):
        return BookingFactory(link=on, start=start, status=status, name=name)

    at(utc(2026, 11, 23, 6, 0), name="Early")  # today 07:00, over already
    at(utc(2026, 11, 23, 10, 0), name="Later")  # today 11:00
    at(utc(2026, 11, 23, 12, 0), Status.CANCELLED, name="Called off")
    at(utc(2026, 11, 24, 9, 0), Status.PENDING_VERIFICATION, name="Pending")
    at(utc(2026, 11, 25, 9, 0), name="Wednesday")
    at(utc(2026, 11, 29, 22, 30), name="Sunday night")  # 23:30 Sunday in Berlin
    at(utc(2026, 11, 29, 23, 30), name="Monday early")  # 00:30 next Monday in Berlin
    at(utc(2026, 12, 2, 9, 0), name="December")
    for day in (10, 11, 12):  # the last 30 days: three held, one no-show, one cancelled
        at(utc(2026, 11, day, 9, 0))
    at(utc(2026, 11, 13, 9, 0), Status.NO_SHOW)
    at(utc(2026, 11, 15, 9, 0), Status.CANCELLED)
    at(utc(2026, 11, 16, 9, 0), Status.RESCHEDULED)  # history, counted at its new time
    at(utc(2026, 10, 20, 9, 0), Status.NO_SHOW)  # before the period
    at(utc(2026, 11, 25, 11, 0), on=LinkFactory(workspace=link.workspace, owner=teammate))
    at(utc(2026, 11, 25, 12, 0), on=LinkFactory())  # another workspace


def figure(page: str, heading: str) -> str:
    section = page[page.index(f">{heading}</h2>") + 1 :].split("</section>")[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section)).strip()


def test_the_overview_counts_the_week_and_month(owner_client, olgas_month):
    page = owner_client.get("/calendar").content.decode()
    assert figure(page, "This week").startswith("This week 5 meetings Mon 23 Nov – Sun 29 Nov")
    assert figure(page, "This month").startswith("This month 10 meetings November 2026")


def test_the_overview_gives_no_show_and_cancellation_rates_of_the_last_30_days(
    owner_client, olgas_month
):
    page = owner_client.get("/calendar").content.decode()
    assert figure(page, "No-show rate") == (
        "No-show rate 25% 1 no-show of 4 meetings held, last 30 days"
    )
    assert figure(page, "Cancellation rate") == (
        "Cancellation rate 20% 1 cancelled of 5 booked, last 30 days"
    )
    assert "from Sat 24 Oct 2026 to Sun 22 Nov 2026" in page


def test_each_figure_links_to_the_list_of_what_it_counts(owner_client, olgas_month):
    page = owner_client.get("/calendar").content.decode()
    expected = {
        "/calendar/bookings?status=booked&amp;start=2026-11-23&amp;end=2026-11-29": 5,
        "/calendar/bookings?status=booked&amp;start=2026-11-01&amp;end=2026-11-30": 10,
        "/calendar/bookings?status=no_show&amp;start=2026-10-24&amp;end=2026-11-22": 1,
        "/calendar/bookings?status=cancelled&amp;start=2026-10-24&amp;end=2026-11-22": 1,
    }
    for url, count in expected.items():
        assert f'href="{url}"' in page
        listed = owner_client.get(url.replace("&amp;", "&")).content.decode()
        assert listed.count('<tr id="booking-') == count, url


def test_the_overview_lists_today_and_the_next_meetings(owner_client, olgas_month):
    page = owner_client.get("/calendar").content.decode()
    today = page[page.index("Today, Monday 23 November") : page.index(">Next</h2>")]
    assert today.index("07:00–07:30") < today.index("11:00–11:30")
    assert "Early" in today and "Later" in today and "Called off" not in today
    upcoming = page[page.index(">Next</h2>") :]
    names = ["Wednesday", "Sunday night", "Monday early", "December"]
    assert [upcoming.index(name) for name in names] == sorted(
        upcoming.index(name) for name in names
    )
    assert "Later" not in upcoming
    assert 'href="/calendar/bookings?status=upcoming"' in upcoming


def test_an_empty_overview_says_so(teammate_client, frozen):
    page = teammate_client.get("/calendar").content.decode()
    assert "No meetings today." in page and "Nothing booked after today." in page
    assert figure(page, "No-show rate").startswith("No-show rate — 0 no-shows of 0")


def test_the_overview_is_in_the_hosts_zone(owner_client, owner, olgas_month):
    owner.timezone = "America/New_York"  # Monday 02:00 there: 06:00 UTC was 01:00
    owner.save()
    page = owner_client.get("/calendar").content.decode()
    assert "Times in America/New_York" in page
    today = page[page.index("Today, Monday 23 November") : page.index(">Next</h2>")]
    assert "01:00–01:30" in today and "05:00–05:30" in today
    assert "Sunday night" in page[page.index(">Next</h2>") :]  # 17:30 Sunday there


# --- navigation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "current"),
    [
        ("/calendar", "Overview"),
        ("/calendar/bookings", "Bookings"),
        ("/calendar/event-types", "Event Types"),
        ("/calendar/admin", "Admin"),
        ("/calendar/analytics", "Analytics"),
        ("/calendar/routing-forms", "Routing Forms"),
        ("/calendar/routing-forms/responses", "Routing Forms"),
        ("/calendar/one-off", "One-off"),
    ],
)
def test_the_calendar_navigation_marks_where_you_are(owner_client, frozen, url, current):
    page = owner_client.get(url).content.decode()
    nav = page[page.index('<nav class="subnav" aria-label="Calendar">') :].split("</nav>")[0]
    marked = re.findall(r'aria-current="page">([^<]+)<', nav)
    assert marked == [current]
    for label in ["Routing Forms", "Workflows", "Schedules", "Polls", "One-off", "Recaps"]:
        assert label in nav
    for href in ["/calendar/workflows", "/calendar/schedules", "/calendar/analytics"]:
        assert f'href="{href}"' in nav
    assert 'href="/calendar" aria-current="page">Calendar</a>' in page  # the top bar too


def test_members_get_no_admin_tab(teammate_client, frozen):
    page = teammate_client.get("/calendar").content.decode()
    assert 'href="/calendar/admin"' not in page


# --- event types ----------------------------------------------------------------------------


def test_event_types_lists_the_workspaces_links(teammate_client, link, owner, teammate):
    paused = LinkFactory(
        workspace=link.workspace, owner=teammate, title="Paused demo", is_active=False
    )
    team = LinkFactory(
        workspace=link.workspace,
        owner=owner,
        title="Sales round",
        slug="sales-round",
        kind=BookingLink.Kind.ROUND_ROBIN,
        duration=45,
    )
    LinkHost.objects.create(link=team, user=owner)
    LinkHost.objects.create(link=team, user=teammate)
    LinkFactory(workspace=link.workspace, owner=owner, title="Gone", deleted_at=link.created_at)
    LinkFactory(title="Someone else's")

    page = teammate_client.get("/calendar/event-types").content.decode()

    rows = {m: page[page.index(f'id="link-{m.pk}"') :].split("</tr>")[0] for m in (link, team)}
    assert f'href="/settings/booking-links/{link.pk}"' in rows[link]
    assert "http://" in rows[link] and "/book/intro" in rows[link]
    assert (
        "One-on-one · 30 min" in rows[link] and "Olga Owner" in rows[link] and "Live" in rows[link]
    )
    assert "Round-robin · 45 min" in rows[team] and "Olga Owner, Tim Mate" in rows[team]
    paused_row = page[page.index(f'id="link-{paused.pk}"') :].split("</tr>")[0]
    assert "Paused" in paused_row
    assert "Gone" not in page and "Someone else" not in page


# --- admin ----------------------------------------------------------------------------------


def test_admins_see_every_members_upcoming_bookings_and_links(
    owner_client, link, owner, teammate, frozen
):
    tims = LinkFactory(workspace=link.workspace, owner=teammate, title="Tim's hour")
    BookingFactory(link=tims, start=utc(2026, 11, 25, 9, 0), name="Tara")
    BookingFactory(link=tims, start=utc(2026, 11, 20, 9, 0), name="Past Pete")
    BookingFactory(link=link, start=utc(2026, 11, 26, 9, 0), name="Uma")
    BookingFactory(link=LinkFactory(), start=utc(2026, 11, 25, 9, 0), name="Xena")

    page = owner_client.get("/calendar/admin").content.decode()

    tim = page[page.index(f'id="member-{teammate.pk}"') :].split("</section>")[0]
    assert "Tara" in tim and "Tim&#x27;s hour" in tim and "Past Pete" not in tim
    assert "Upcoming meetings (1)" in tim
    olga = page[page.index(f'id="member-{owner.pk}"') :].split("</section>")[0]
    assert "Uma" in olga and "Intro call" in olga and "Tara" not in olga
    assert "Xena" not in page


def test_admin_shows_the_first_ten_and_how_many_more(owner_client, link, frozen):
    start = utc(2026, 11, 24, 9, 0)
    for n in range(12):
        BookingFactory(link=link, start=start + timedelta(hours=n), name=f"Guest {n:02}")
    page = owner_client.get("/calendar/admin").content.decode()
    assert "Upcoming meetings (12)" in page and "and 2 more." in page
    assert "Guest 09" in page and "Guest 10" not in page


def test_only_owners_and_admins_see_the_admin_tab(teammate_client, link, frozen):
    assert teammate_client.get("/calendar/admin").status_code == 403
    admin = MembershipFactory(workspace=link.workspace, role=Membership.Role.ADMIN).user
    assert login(admin).get("/calendar/admin").status_code == 200


def test_the_workflows_and_booking_pages_sit_under_the_calendar_navigation(
    owner_client, link, frozen
):
    booking = BookingFactory(link=link, start=utc(2026, 11, 25, 9, 0))
    for url, current in [
        ("/calendar/workflows", "Workflows"),
        (f"/calendar/bookings/{booking.pk}", "Bookings"),
    ]:
        page = owner_client.get(url).content.decode()
        nav = page[page.index('<nav class="subnav" aria-label="Calendar">') :].split("</nav>")[0]
        assert re.findall(r'aria-current="page">([^<]+)<', nav) == [current]


def test_a_group_session_is_one_line_of_today(owner_client, owner, workspace, frozen):
    group = LinkFactory(workspace=workspace, owner=owner, kind="group", capacity=5, title="Class")
    for name in ("Ann", "Ben", "Cy"):
        BookingFactory(link=group, start=utc(2026, 11, 23, 10, 0), name=name)
    page = owner_client.get("/calendar").content.decode()
    today = page[page.index("Today, Monday 23 November") : page.index(">Next</h2>")]
    assert today.count("<li") == 1 and "Class with 3 attendees" in today
