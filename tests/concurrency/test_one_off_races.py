"""Invitees racing on one one-off offer: whichever times they pick, exactly one booking is made
and the offer is consumed once. PostgreSQL decides by the offer's row lock; SQLite by its
IMMEDIATE transactions."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from booking.models import Booking, OneOffHold, OneOffMeeting, Reservation
from booking.services.one_off import Offer, one_off_create
from tests.booking.helpers import utc
from tests.factories import LinkFactory, MembershipFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]
THREADS = 8
# Tuesday 24 November 2026, from 10:00 in Berlin, every half hour.
STARTS = [utc(2026, 11, 24, 9, 0), utc(2026, 11, 24, 9, 30), utc(2026, 11, 24, 10, 0)]


@pytest.fixture
def meeting(frozen, settings):
    settings.RATELIMIT_TOKENS_PER_MINUTE = 1000
    host = MembershipFactory().user
    workspace = host.memberships.get().workspace
    LinkFactory(workspace=workspace, owner=host, slug="race")  # gives the host default hours
    return one_off_create(
        workspace=workspace,
        host=host,
        offer=Offer(title="Race", duration=30, starts=tuple(STARTS)),
    )


def race(meeting: OneOffMeeting, picks: list[int]) -> list[int]:
    barrier = threading.Barrier(len(picks))
    statuses: list[int] = []
    lock = threading.Lock()
    url = reverse("booking:one-off-public", args=[meeting.token])

    def attempt(n: int, which: int) -> None:
        client = Client()
        data = {
            "start": STARTS[which].isoformat(),
            "name": f"Racer {n}",
            "email": f"racer{n}@example.com",
            "timezone": "Europe/Berlin",
        }
        barrier.wait()
        try:
            response = client.post(url, data)
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n, w)) for n, w in enumerate(picks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return sorted(statuses)


@pytest.mark.parametrize(
    "picks",
    [[0] * THREADS, [n % len(STARTS) for n in range(THREADS)]],
    ids=["same-time", "different-times"],
)
def test_concurrent_picks_make_exactly_one_booking(meeting, picks):
    statuses = race(meeting, picks)

    assert statuses == [302] + [409] * (THREADS - 1)
    booking = Booking.objects.get()
    assert Reservation.objects.filter(active=True).count() == 1
    meeting.refresh_from_db()
    assert (meeting.status, meeting.booking_id) == (OneOffMeeting.Status.BOOKED, booking.pk)
    assert not OneOffHold.objects.exists()
