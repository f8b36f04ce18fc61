"""Threads racing for one slot on the real database: exactly one wins, the rest hear why.

Runs on PostgreSQL (the exclusion constraint decides) and, in a second pass of the test command,
on SQLite (IMMEDIATE transactions decide).
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client

from booking.models import Booking, Reservation
from crm.models import Contact
from tests.factories import LinkFactory, MembershipFactory
from workflows.models import OutboxMessage

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]
THREADS = 20


@pytest.fixture
def race_link(frozen, settings):
    settings.RATELIMIT_BOOKINGS_PER_MINUTE = 1000
    host = MembershipFactory().user
    return LinkFactory(workspace=host.memberships.get().workspace, owner=host, slug="race")


def test_twenty_threads_booking_one_slot_give_exactly_one_booking(race_link):
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    lock = threading.Lock()

    def attempt(n: int) -> None:
        client = Client()
        payload = {
            "start": "2026-11-24T10:00:00+01:00",
            "timezone": "Europe/Berlin",
            "name": f"Racer {n}",
            "email": f"racer{n}@example.com",
        }
        barrier.wait()
        try:
            response = client.post(
                "/api/v1/public/links/race/bookings",
                json.dumps(payload),
                content_type="application/json",
            )
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(statuses) == [201] + [409] * (THREADS - 1)
    booking = Booking.objects.get()
    assert Reservation.objects.filter(active=True).count() == 1
    # The losers wrote nothing: one contact, and outbox rows for one booking only.
    assert Contact.objects.count() == 1
    assert set(OutboxMessage.objects.values_list("subject", flat=True)) == {booking.subject}


def test_the_public_page_loser_sees_just_taken(race_link):
    barrier = threading.Barrier(2)
    bodies: list[tuple[int, str]] = []

    def attempt(n: int) -> None:
        client = Client()
        barrier.wait()
        try:
            response = client.post(
                race_link.public_path,
                {
                    "start": "2026-11-24T10:00:00+01:00",
                    "duration": "30",
                    "timezone": "Europe/Berlin",
                    "name": f"Racer {n}",
                    "email": f"racer{n}@example.com",
                },
            )
            bodies.append((response.status_code, response.content.decode()))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(code for code, _ in bodies) == [302, 409]
    loser = next(body for code, body in bodies if code == 409)
    assert "That time was just taken" in loser and ">10:30<" in loser
    assert Booking.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL constraint")
def test_the_database_itself_refuses_overlapping_reservations(race_link):
    """Even code that skips the re-check cannot double-book: buffers included."""
    from booking import services
    from tests.booking.helpers import attendee, utc

    booking = services.booking_create(
        link=race_link, start=utc(2026, 11, 24, 9, 0), attendee=attendee()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Reservation.objects.create(
            booking=booking,
            host=race_link.owner,
            blocked_start=utc(2026, 11, 24, 9, 29),
            blocked_end=utc(2026, 11, 24, 10, 0),
        )
    # Back to back is fine, and an inactive reservation does not block.
    Reservation.objects.create(
        booking=booking,
        host=race_link.owner,
        blocked_start=utc(2026, 11, 24, 9, 30),
        blocked_end=utc(2026, 11, 24, 10, 0),
    )
    Reservation.objects.create(
        booking=booking,
        host=race_link.owner,
        active=False,
        blocked_start=utc(2026, 11, 24, 9, 0),
        blocked_end=utc(2026, 11, 24, 9, 30) + timedelta(minutes=1),
    )
