"""Threads racing for team and group slots on PostgreSQL: the winners are exactly the free seats.

Each thread calls the booking service on its own connection; every loser must hear SlotTaken
(the public API's 409), never another exception (a 500).
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime

import pytest
from django.db import connection

from booking import services
from booking.models import Booking, BookingLink, LinkHost, Reservation
from tests.booking.helpers import attendee, utc
from tests.factories import LinkFactory, MembershipFactory
from workestra.models import Membership

pytestmark = [
    pytest.mark.concurrency,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="races are decided by PostgreSQL row locks"
    ),
]

SLOT = utc(2026, 11, 24, 9, 0)  # Tuesday 10:00 in Berlin


def race(links: list[BookingLink], start: datetime = SLOT) -> list[object]:
    """One attendee per entry of ``links`` books ``start`` on it, all at once; each result is
    the Booking or the exception raised."""
    threads = len(links)
    barrier = threading.Barrier(threads)
    results: list[object] = []
    lock = threading.Lock()

    def attempt(n: int) -> None:
        try:
            barrier.wait()
            try:
                outcome: object = services.booking_create(
                    link=links[n],
                    start=start,
                    attendee=attendee(name=f"Racer {n}", email=f"racer{n}@example.com"),
                )
            except Exception as exc:  # collected: the test asserts on every kind
                outcome = exc
            with lock:
                results.append(outcome)
        finally:
            connection.close()

    workers = [threading.Thread(target=attempt, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(w.is_alive() for w in workers), "a booking thread hung"
    assert len(results) == threads
    return results


def split(results: list[object]) -> tuple[list[Booking], Counter[str]]:
    wins = [r for r in results if isinstance(r, Booking)]
    losses = Counter(type(r).__name__ for r in results if not isinstance(r, Booking))
    return wins, losses


@pytest.fixture
def team(frozen):
    """A workspace with an owner and three more members."""
    owner = MembershipFactory(user__name="Owner").user
    workspace = owner.memberships.get().workspace
    members = [
        MembershipFactory(workspace=workspace, role=Membership.Role.MEMBER, user__name=name).user
        for name in ("Ann", "Bob", "Cy")
    ]
    return workspace, owner, members


def test_thirty_threads_for_the_last_group_seat_give_exactly_one_booking(team):
    workspace, owner, _ = team
    link = LinkFactory(workspace=workspace, owner=owner, kind=BookingLink.Kind.GROUP, capacity=5)
    for n in range(4):
        services.booking_create(
            link=link, start=SLOT, attendee=attendee(email=f"early{n}@example.com")
        )

    wins, losses = split(race([link] * 30))

    assert len(wins) == 1
    assert losses == Counter({"SlotTaken": 29})
    assert Booking.objects.active().filter(link=link, start=SLOT).count() == 5
    seats = Reservation.objects.filter(active=True)
    assert seats.count() == 5
    assert set(seats.values_list("host_id", "share_key")) == {
        (owner.id, f"group:{link.pk}:{int(SLOT.timestamp())}:30")
    }


def test_thirty_threads_for_one_collective_slot_give_exactly_one_booking(team):
    workspace, owner, members = team
    link = LinkFactory(workspace=workspace, owner=owner, kind=BookingLink.Kind.COLLECTIVE)
    for user in members:
        LinkHost.objects.create(link=link, user=user)

    wins, losses = split(race([link] * 30))

    assert len(wins) == 1
    assert losses == Counter({"SlotTaken": 29})
    assert Booking.objects.count() == 1
    reserved = Reservation.objects.filter(active=True, booking=wins[0])
    assert sorted(reserved.values_list("host_id", flat=True)) == sorted(u.id for u in members)
    assert Reservation.objects.count() == 3


def test_fifty_threads_for_one_round_robin_slot_fill_each_free_host_once(team):
    workspace, owner, members = team
    link = LinkFactory(workspace=workspace, owner=owner, kind=BookingLink.Kind.ROUND_ROBIN)
    for user in members:
        LinkHost.objects.create(link=link, user=user)

    wins, losses = split(race([link] * 50))

    assert sorted(b.host_id for b in wins) == sorted(u.id for u in members)
    assert losses == Counter({"SlotTaken": 47})
    assert Booking.objects.count() == 3
    held = Reservation.objects.filter(active=True)
    assert sorted(held.values_list("host_id", flat=True)) == sorted(u.id for u in members)


def test_fifty_threads_for_a_multi_host_group_slot_book_the_lead_once(team):
    """The always-attending host can sit in one meeting only, however large the pool."""
    workspace, owner, members = team
    link = LinkFactory(workspace=workspace, owner=owner, kind=BookingLink.Kind.ROUND_ROBIN)
    LinkHost.objects.create(link=link, user=owner, always_attending=True)
    for user in members:
        LinkHost.objects.create(link=link, user=user)

    wins, losses = split(race([link] * 50))

    assert len(wins) == 1
    assert losses == Counter({"SlotTaken": 49})
    assert wins[0].host_id in {u.id for u in members}
    held = set(Reservation.objects.filter(active=True).values_list("host_id", flat=True))
    assert held == {owner.id, wins[0].host_id}


def test_team_and_personal_links_racing_for_the_same_hosts_book_each_host_once(team):
    """Different links do not share a lock: the exclusion constraint and the retry decide."""
    workspace, owner, members = team
    link = LinkFactory(workspace=workspace, owner=owner, kind=BookingLink.Kind.ROUND_ROBIN)
    for user in members:
        LinkHost.objects.create(link=link, user=user)
    personal = [LinkFactory(workspace=workspace, owner=user) for user in members]

    wins, losses = split(race([link] * 20 + personal * 10))

    assert sorted(b.host_id for b in wins) == sorted(u.id for u in members)
    assert losses == Counter({"SlotTaken": 47})
    held = Reservation.objects.filter(active=True)
    assert sorted(held.values_list("host_id", flat=True)) == sorted(u.id for u in members)
