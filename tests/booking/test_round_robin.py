"""Fair round-robin: weights, equal distribution, availability first, recency, priority,
maximum lead and the returning-host calibration; then the same through real bookings."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest

from availability.models import TimeOff
from booking import selectors, services
from booking.assignment import Member, Mode, calibrated_counts, pick
from booking.models import BookingLink, LinkHost
from tests.booking.helpers import utc
from tests.factories import LinkFactory, MembershipFactory

T0 = datetime(2026, 1, 1, tzinfo=UTC)
# The bookings below pass ``now`` explicitly; the frozen clock keeps every other stamp on the
# same day (NOW), so no outcome depends on the day the suite runs.
pytestmark = pytest.mark.usefixtures("frozen")


def simulate(members: list[Member], mode: Mode, rounds: int = 1000, free_rate: float = 0.85):
    """Book ``rounds`` times; each time a random subset of hosts is free (at least one)."""
    rng = random.Random(7)
    hosts = {m.id: m for m in members}
    for i in range(rounds):
        free = [h for h in hosts if rng.random() < free_rate] or [rng.choice(list(hosts))]
        chosen = pick(list(hosts.values()), free, mode=mode)
        m = hosts[chosen]
        hosts[chosen] = Member(
            m.id, m.weight, m.priority, m.count + 1, T0 + timedelta(minutes=i), m.calibrate
        )
    return {h: m.count for h, m in hosts.items()}


def test_a_thousand_weighted_bookings_follow_the_weights_within_two_percent():
    counts = simulate(
        [Member(1, weight=50), Member(2, weight=100), Member(3, weight=250)], Mode.WEIGHTED
    )

    for host, share in {1: 50 / 400, 2: 100 / 400, 3: 250 / 400}.items():
        assert abs(counts[host] / 1000 - share) <= 0.02, counts


def test_a_thousand_equal_bookings_ignore_the_weights():
    counts = simulate(
        [Member(1, weight=10), Member(2, weight=100), Member(3, weight=500)], Mode.EQUAL
    )

    for host in (1, 2, 3):
        assert abs(counts[host] / 1000 - 1 / 3) <= 0.02, counts


def test_a_thousand_availability_first_bookings_go_to_the_top_priority_when_free():
    members = [Member(1, priority=3), Member(2, priority=1), Member(3, priority=1)]
    counts = simulate(members, Mode.AVAILABILITY_FIRST, free_rate=0.85)

    # Host 1 is free 85% of the time and always wins then; 2 and 3 share the rest by recency.
    assert abs(counts[1] / 1000 - 0.85) <= 0.03, counts
    assert abs(counts[2] - counts[3]) <= 0.02 * 1000, counts


def test_equal_shares_fall_back_to_priority_then_recency():
    earlier, later = T0, T0 + timedelta(hours=1)
    same = [Member(1, count=2, last_booked=later), Member(2, count=2, last_booked=earlier)]
    assert pick(same, [1, 2]) == 2  # booked longest ago

    ranked = [Member(1, count=2, priority=2, last_booked=earlier), Member(2, count=2, priority=3)]
    assert pick(ranked, [1, 2]) == 2  # higher priority beats recency

    never = [Member(1, count=0, last_booked=None), Member(2, count=0, last_booked=earlier)]
    assert pick(never, [1, 2]) == 1  # never booked counts as longest ago


def test_the_host_furthest_below_their_share_wins_over_priority():
    members = [Member(1, weight=100, count=5, priority=3), Member(2, weight=100, count=3)]

    assert pick(members, [1, 2]) == 2


def test_only_free_hosts_are_picked():
    members = [Member(1, count=0), Member(2, count=9)]

    assert pick(members, [2]) == 2


def test_a_host_too_far_ahead_is_skipped_while_others_are_free():
    # Host 1 has a big weight so the weighted rule alone would pick them again.
    members = [Member(1, weight=900, count=10), Member(2, weight=100, count=2), Member(3, count=8)]

    assert pick(members, [1, 2], max_lead=5) == 2
    assert pick(members, [1], max_lead=5) == 1  # nobody else is free: the lead does not block


def test_a_returning_host_starts_at_the_average_of_the_others():
    members = [Member(1, count=10), Member(2, count=20), Member(3, count=0, calibrate=True)]

    assert calibrated_counts(members)[3] == 15
    # Not flooded: with the others at 10 and 20, host 3 (counted as 15) does not beat host 1.
    assert pick(members, [1, 3]) == 1


# --- Through real bookings ---------------------------------------------------------------------


@pytest.fixture
def rotation(owner, teammate, workspace):
    link = LinkFactory(workspace=workspace, owner=owner, slug="sales", kind="round_robin")
    LinkHost.objects.create(link=link, user=owner, joined_at=utc(2026, 1, 1))
    LinkHost.objects.create(link=link, user=teammate, joined_at=utc(2026, 1, 1))
    return link


def test_bookings_alternate_between_equally_weighted_hosts(rotation, owner, teammate, booked):
    now = utc(2026, 11, 23, 7)
    hosts = [
        booked(
            rotation,
            utc(2026, 11, 24, 8) + timedelta(hours=n),
            guest=f"p{n}",
            now=now + timedelta(minutes=n),
        ).host_id
        for n in range(6)
    ]

    assert sorted(hosts) == sorted([owner.pk, teammate.pk] * 3)
    assert all(a != b for a, b in itertools.pairwise(hosts))


def test_a_heavier_host_gets_their_share(rotation, owner, teammate, booked):
    LinkHost.objects.filter(link=rotation, user=owner).update(weight=300)
    now = utc(2026, 11, 23, 7)

    hosts = [
        booked(
            rotation,
            utc(2026, 11, 24, 8) + timedelta(hours=n % 8, days=n // 8),
            guest=f"p{n}",
            now=now,
        ).host_id
        for n in range(8)
    ]

    assert hosts.count(owner.pk) == 6
    assert hosts.count(teammate.pk) == 2


def test_a_host_on_time_off_is_never_assigned(rotation, owner, teammate, workspace, booked):
    TimeOff.objects.create(
        workspace=workspace, user=teammate, start=utc(2026, 11, 24), end=utc(2026, 11, 25)
    )
    now = utc(2026, 11, 23, 7)

    hosts = {
        booked(rotation, utc(2026, 11, 24, 8 + n), guest=f"p{n}", now=now).host_id for n in range(4)
    }

    assert hosts == {owner.pk}


def test_cancellations_count_only_when_the_link_says_so(rotation, owner, teammate, booked):
    now = utc(2026, 11, 23, 7)
    first = booked(rotation, utc(2026, 11, 24, 8), guest="p0", now=now)
    services.booking_cancel(booking=first, now=now)

    second = booked(rotation, utc(2026, 11, 24, 9), guest="p1", now=now + timedelta(minutes=1))
    assert second.host_id == first.host_id  # the cancelled one does not count: same host again

    rotation.rotation_counts_cancellations = True
    rotation.save()
    third = booked(rotation, utc(2026, 11, 24, 10), guest="p2", now=now + timedelta(minutes=2))
    assert third.host_id != second.host_id


def test_the_daily_period_starts_every_host_afresh_each_day(rotation, owner, teammate, booked):
    rotation.rotation_period = BookingLink.RotationPeriod.DAY
    rotation.save()
    LinkHost.objects.filter(link=rotation, user=owner).update(priority=LinkHost.Priority.URGENT)
    monday = utc(2026, 11, 23, 7)
    booked(
        rotation, utc(2026, 11, 25, 8), guest="p0", now=monday
    )  # owner: urgent priority breaks the tie
    booked(rotation, utc(2026, 11, 25, 9), guest="p1", now=monday)  # teammate: owner is ahead today

    tuesday = booked(rotation, utc(2026, 11, 25, 10), guest="p2", now=utc(2026, 11, 24, 7))

    # A new day: counts start again at zero and the urgent owner wins the tie.
    assert tuesday.host_id == owner.pk


def test_a_reschedule_keeps_its_host_when_free(rotation, owner, teammate, booked):
    now = utc(2026, 11, 23, 7)
    first = booked(rotation, utc(2026, 11, 24, 8), guest="p0", now=now)
    booked(rotation, utc(2026, 11, 24, 9), guest="p1", now=now)

    moved = services.booking_reschedule(booking=first, start=utc(2026, 11, 24, 12), now=now)

    assert moved.host_id == first.host_id


def test_hosts_who_joined_or_were_away_this_period_are_calibrated(
    rotation, owner, teammate, workspace, booked
):
    newcomer = MembershipFactory(workspace=workspace).user
    LinkHost.objects.create(link=rotation, user=newcomer, joined_at=utc(2026, 11, 10))
    TimeOff.objects.create(
        workspace=workspace, user=teammate, start=utc(2026, 11, 2), end=utc(2026, 11, 9)
    )
    now = utc(2026, 11, 23, 7)
    for n in range(4):
        booked(rotation, utc(2026, 11, 24, 8 + n), guest=f"p{n}", now=now)

    members = {
        m.id: m
        for m in selectors.rotation_members(rotation, [owner.pk, teammate.pk, newcomer.pk], now=now)
    }

    assert members[owner.pk].calibrate is False
    assert members[teammate.pk].calibrate is True  # away earlier this month
    assert members[newcomer.pk].calibrate is True  # joined this month
    assert sum(m.count for m in members.values()) == 4
