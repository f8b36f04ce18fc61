"""The Analytics figures against known bookings: buckets in the viewer's zone (midnight, DST),
round-robin shares against weights, lead time, rates, and whose bookings are counted."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking import analytics
from booking.models import Booking, BookingLink, LinkHost
from booking.periods import Period
from tests.booking.helpers import utc
from tests.conftest import NOW
from tests.factories import BookingFactory, LinkFactory, MembershipFactory
from workestra.models import Membership

BERLIN = ZoneInfo("Europe/Berlin")
Status = Booking.Status
pytestmark = pytest.mark.usefixtures("frozen")


def period(first: date, last: date, zone: ZoneInfo = BERLIN) -> Period:
    return Period(first=first, last=last, zone=zone)


def membership(user) -> Membership:
    return Membership.objects.get(user=user)


def mine(user):
    return analytics.analytics_bookings(membership(user), user)


def at(link, start, **fields) -> Booking:
    return BookingFactory(link=link, start=start, **fields)


def test_a_day_is_the_viewers_local_day_either_side_of_midnight(owner, link):
    at(link, utc(2026, 11, 20, 22, 30))  # 23:30 in Berlin, Friday the 20th
    at(link, utc(2026, 11, 20, 23, 30))  # 00:30 in Berlin, Saturday the 21st
    at(link, utc(2026, 11, 21, 9, 0))

    figures = analytics.over_time(mine(owner), period(date(2026, 11, 20), date(2026, 11, 21)))

    assert [b.label for b in figures.buckets] == ["Fri 20 Nov 2026", "Sat 21 Nov 2026"]
    assert figures.total.counts == [1, 2]
    # Seen from New York (UTC-5) both late bookings are on the evening of the 20th.
    in_new_york = period(date(2026, 11, 20), date(2026, 11, 21), ZoneInfo("America/New_York"))
    assert analytics.over_time(mine(owner), in_new_york).total.counts == [2, 1]


def test_the_period_starts_at_local_midnight_on_the_day_summer_time_ends(owner, link):
    at(link, utc(2026, 10, 24, 21, 30))  # 23:30 CEST on the 24th: before the period
    at(link, utc(2026, 10, 24, 22, 30))  # 00:30 CEST on the 25th, the 25-hour day
    at(link, utc(2026, 10, 25, 22, 30))  # 23:30 CET, still the 25th
    at(link, utc(2026, 10, 25, 23, 30))  # 00:30 CET on the 26th

    figures = analytics.over_time(mine(owner), period(date(2026, 10, 25), date(2026, 10, 26)))

    assert figures.total.counts == [2, 1]


def test_popular_hours_follow_the_wall_clock_across_the_spring_change(owner, link):
    at(link, utc(2026, 3, 28, 8, 0))  # Saturday 09:00 CET
    at(link, utc(2026, 3, 30, 8, 0))  # Monday 10:00 CEST: same UTC hour, an hour later locally
    at(link, utc(2026, 3, 30, 8, 30))

    heat = analytics.days_and_hours(mine(owner), period(date(2026, 3, 28), date(2026, 3, 30)))

    assert heat.grid[5][9] == 1 and heat.grid[0][10] == 2
    assert heat.total == 3
    assert (heat.busiest_day, heat.busiest_hour) == ("Monday", "10:00–11:00")


def test_long_periods_count_by_week_from_the_monday(owner, link):
    at(link, utc(2026, 9, 1, 9, 0))  # Tuesday of the week of 31 August
    at(link, utc(2026, 9, 6, 9, 0))  # Sunday, same week
    at(link, utc(2026, 11, 23, 6, 0))  # today, the last week

    figures = analytics.over_time(mine(owner), period(date(2026, 8, 26), date(2026, 11, 23)))

    assert figures.weekly
    assert figures.buckets[0].label == "Week of 24 Aug 2026"
    assert figures.buckets[1].label == "Week of 31 Aug 2026"
    assert figures.total.counts[1] == 2 and figures.total.counts[-1] == 1
    assert figures.total.total == 3


def test_cancelled_and_rescheduled_meetings_are_not_bookings_but_no_shows_are(owner, link):
    day = utc(2026, 11, 20, 9, 0)
    at(link, day)
    at(link, day, status=Status.NO_SHOW)
    at(link, day, status=Status.CANCELLED)
    at(link, day, status=Status.RESCHEDULED)

    figures = analytics.over_time(mine(owner), period(date(2026, 11, 20), date(2026, 11, 20)))

    assert figures.total.counts == [2]


def test_bookings_by_link_and_by_host_busiest_first(owner, teammate, link):
    other = LinkFactory(workspace=link.workspace, owner=teammate, title="Demo", slug="demo")
    at(link, utc(2026, 11, 20, 9, 0))
    at(other, utc(2026, 11, 20, 10, 0))
    at(other, utc(2026, 11, 21, 10, 0))

    figures = analytics.over_time(mine(owner), period(date(2026, 11, 20), date(2026, 11, 21)))

    assert [(s.label, s.counts) for s in figures.by_link] == [
        ("Demo", [1, 1]),
        ("Intro call", [1, 0]),
    ]
    assert [(s.label, s.total) for s in figures.by_host] == [("Tim Mate", 2), ("Olga Owner", 1)]


def test_more_than_eight_links_keep_the_busiest_seven_and_sum_the_rest(owner, link):
    for n in range(10):
        extra = LinkFactory(workspace=link.workspace, owner=owner, title=f"Link {n}")
        for _ in range(n + 1):
            at(extra, utc(2026, 11, 20, 9, 0))

    figures = analytics.over_time(mine(owner), period(date(2026, 11, 20), date(2026, 11, 20)))

    assert len(figures.by_link) == 8
    assert figures.by_link[0].label == "Link 9"
    assert (figures.by_link[-1].label, figures.by_link[-1].total) == ("Other links", 1 + 2 + 3)


@pytest.fixture
def rotation(owner, teammate, workspace) -> BookingLink:
    """A round-robin link: Olga weighs 300, Tim 100, so the rotation aims at 75% and 25%."""
    link = LinkFactory(
        workspace=workspace, owner=owner, title="Sales", kind=BookingLink.Kind.ROUND_ROBIN
    )
    LinkHost.objects.create(link=link, user=owner, weight=300)
    LinkHost.objects.create(link=link, user=teammate, weight=100)
    return link


def made(link, host, created, status=Status.CONFIRMED) -> Booking:
    return BookingFactory(
        link=link, host=host, created_at=created, start=created + timedelta(days=3), status=status
    )


def test_round_robin_shares_stand_against_the_weights(owner, teammate, rotation):
    week = period(date(2026, 11, 16), date(2026, 11, 22))
    for _ in range(5):
        made(rotation, owner, utc(2026, 11, 17, 9, 0))
    made(rotation, teammate, utc(2026, 11, 18, 9, 0))
    made(rotation, teammate, utc(2026, 11, 18, 9, 0), status=Status.NO_SHOW)  # counted
    made(rotation, teammate, utc(2026, 11, 18, 9, 0), status=Status.CANCELLED)  # not counted
    made(rotation, teammate, utc(2026, 11, 10, 9, 0))  # made before the period

    (dist,) = analytics.round_robin(membership(owner), owner, week)

    assert dist.total == 7
    assert [(s.name, s.bookings, round(s.share, 3), s.weight, s.target) for s in dist.shares] == [
        ("Olga Owner", 5, 0.714, 300, 0.75),
        ("Tim Mate", 2, 0.286, 100, 0.25),
    ]


def test_round_robin_counts_cancellations_when_the_link_does(owner, teammate, rotation):
    rotation.rotation_counts_cancellations = True
    rotation.rotation = BookingLink.Rotation.EQUAL
    rotation.save()
    made(rotation, owner, utc(2026, 11, 17, 9, 0))
    made(rotation, teammate, utc(2026, 11, 17, 9, 0), status=Status.CANCELLED)

    (dist,) = analytics.round_robin(
        membership(owner), owner, period(date(2026, 11, 16), date(2026, 11, 22))
    )

    assert [(s.bookings, s.target) for s in dist.shares] == [(1, 0.5), (1, 0.5)]
    assert dist.aims.startswith("Equal shares")


def test_a_former_host_still_shows_with_no_target(owner, teammate, rotation):
    made(rotation, teammate, utc(2026, 11, 17, 9, 0))
    LinkHost.objects.filter(link=rotation, user=teammate).delete()

    (dist,) = analytics.round_robin(
        membership(owner), owner, period(date(2026, 11, 16), date(2026, 11, 22))
    )

    assert [(s.name, s.bookings, s.target) for s in dist.shares] == [
        ("Olga Owner", 0, 1.0),
        ("Tim Mate", 1, None),
    ]


def test_a_member_sees_only_their_own_row_of_the_links_they_host(owner, teammate, rotation):
    made(rotation, owner, utc(2026, 11, 17, 9, 0))
    made(rotation, owner, utc(2026, 11, 17, 9, 0))
    made(rotation, teammate, utc(2026, 11, 17, 9, 0))
    LinkFactory(workspace=rotation.workspace, owner=owner, kind=BookingLink.Kind.ROUND_ROBIN)
    week = period(date(2026, 11, 16), date(2026, 11, 22))

    (dist,) = analytics.round_robin(membership(teammate), teammate, week)

    assert dist.total == 3
    assert [(s.name, s.bookings) for s in dist.shares] == [("Tim Mate", 1)]
    assert len(analytics.round_robin(membership(owner), owner, week)) == 2


def test_lead_time_median_and_buckets(owner, link):
    start = utc(2026, 11, 20, 12, 0)
    for ahead in (timedelta(minutes=30), timedelta(hours=5), timedelta(days=2), timedelta(days=20)):
        at(link, start, created_at=start - ahead)

    lead = analytics.lead_time(mine(owner), period(date(2026, 11, 20), date(2026, 11, 20)))

    assert dict(lead.counts) == {
        "Under 1 hour": 1,
        "1 to 24 hours": 1,
        "1 to 3 days": 1,
        "3 to 7 days": 0,
        "1 to 2 weeks": 0,
        "2 weeks or more": 1,
    }
    assert lead.median == timedelta(hours=26, minutes=30)
    assert analytics.format_span(lead.median) == "1 day 2 hours"
    assert analytics.format_span(timedelta(minutes=75)) == "1 hour 15 minutes"


def test_rates_of_cancellations_and_no_shows(owner, link):
    past, later = NOW - timedelta(days=2), NOW + timedelta(hours=3)
    at(link, past)
    at(link, past)
    at(link, past, status=Status.NO_SHOW)
    at(link, past, status=Status.CANCELLED)
    at(link, past, status=Status.RESCHEDULED)  # history: not counted at all
    at(link, later)  # not taken place yet: not in the no-show rate's base

    cancelled, no_show = analytics.rates(
        mine(owner), period(date(2026, 11, 20), date(2026, 11, 23)), NOW
    )

    assert (cancelled.count, cancelled.of, cancelled.percent) == (1, 5, 20.0)
    assert (no_show.count, no_show.of, round(no_show.percent or 0, 1)) == (1, 3, 33.3)


def test_no_bookings_give_no_rate_rather_than_zero(owner):
    cancelled, no_show = analytics.rates(
        mine(owner), period(date(2026, 11, 20), date(2026, 11, 23)), NOW
    )

    assert cancelled.percent is None and no_show.percent is None


def test_another_workspaces_bookings_are_never_counted(owner, link, outsider):
    theirs = LinkFactory(workspace=membership(outsider).workspace, owner=outsider)
    at(theirs, utc(2026, 11, 20, 9, 0))
    at(link, utc(2026, 11, 20, 9, 0))

    figures = analytics.over_time(mine(owner), period(date(2026, 11, 20), date(2026, 11, 20)))

    assert figures.total.counts == [1]
    day = period(date(2026, 11, 20), date(2026, 11, 20))
    assert analytics.over_time(mine(outsider), day).total.counts == [1]


def test_an_admin_counts_the_workspace_and_a_member_their_own(owner, teammate, link):
    theirs = LinkFactory(workspace=link.workspace, owner=teammate)
    at(link, utc(2026, 11, 20, 9, 0))
    at(theirs, utc(2026, 11, 20, 10, 0))
    admin = MembershipFactory(workspace=link.workspace, role=Membership.Role.ADMIN).user
    day = period(date(2026, 11, 20), date(2026, 11, 20))

    assert analytics.over_time(mine(owner), day).total.counts == [2]
    assert analytics.over_time(mine(admin), day).total.counts == [2]
    assert analytics.over_time(mine(teammate), day).total.counts == [1]


def test_a_round_robin_link_with_no_hosts_listed_rotates_its_owner(owner, workspace):
    lone = LinkFactory(workspace=workspace, owner=owner, kind=BookingLink.Kind.ROUND_ROBIN)
    made(lone, owner, utc(2026, 11, 17, 9, 0))

    (dist,) = analytics.round_robin(
        membership(owner), owner, period(date(2026, 11, 16), date(2026, 11, 22))
    )

    assert [(s.name, s.bookings, s.share, s.target) for s in dist.shares] == [
        ("Olga Owner", 1, 1.0, 1.0)
    ]


def test_availability_first_and_all_zero_weights_aim_at_no_share(owner, teammate, rotation):
    week = period(date(2026, 11, 16), date(2026, 11, 22))
    rotation.rotation = BookingLink.Rotation.AVAILABILITY_FIRST
    rotation.save()
    (first,) = analytics.round_robin(membership(owner), owner, week)
    rotation.rotation = BookingLink.Rotation.WEIGHTED
    rotation.save()
    LinkHost.objects.filter(link=rotation).update(weight=0)
    (zero,) = analytics.round_robin(membership(owner), owner, week)

    assert [s.target for s in first.shares + zero.shares] == [None] * 4
    assert "availability" in first.aims and "weight is 0" in zero.aims
