"""The no-double-booking exclusion constraint: declared on the model, enforced by PostgreSQL."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from booking.models import Reservation
from tests.booking.helpers import utc

POSTGRESQL = connection.vendor == "postgresql"


def reservation(booking, start, end, **fields) -> Reservation:
    return Reservation(
        booking=booking, host=booking.host, blocked_start=start, blocked_end=end, **fields
    )


@pytest.fixture
def held(link, frozen, booked):
    """Olga's booking Tuesday 10:00-10:30 Berlin, holding her time."""
    return booked(link, utc(2026, 11, 24, 9, 0))


def test_the_database_has_the_constraints_the_model_declares(db):
    with connection.cursor() as cursor:
        in_database = set(connection.introspection.get_constraints(cursor, "booking_reservation"))
    declared = {constraint.name for constraint in Reservation._meta.constraints}

    assert "reservation_no_host_overlap" in declared
    if POSTGRESQL:
        assert declared <= in_database
    else:  # SQLite has no exclusion constraints; IMMEDIATE transactions serialise bookings
        assert "reservation_no_host_overlap" not in in_database


@pytest.mark.skipif(not POSTGRESQL, reason="exclusion constraints are PostgreSQL's")
def test_an_overlapping_reservation_fails_validation_with_a_message(held):
    overlapping = reservation(held, utc(2026, 11, 24, 9, 29), utc(2026, 11, 24, 10, 0))

    with pytest.raises(ValidationError) as caught:
        overlapping.full_clean()

    assert caught.value.messages == ["This host already has a meeting at that time."]


def test_back_to_back_inactive_and_shared_reservations_pass_validation(held):
    reservation(held, utc(2026, 11, 24, 9, 30), utc(2026, 11, 24, 10, 0)).full_clean()
    reservation(held, utc(2026, 11, 24, 9, 0), utc(2026, 11, 24, 9, 30), active=False).full_clean()
    Reservation.objects.filter(booking=held).update(share_key="session-1")
    seat = reservation(
        held, utc(2026, 11, 24, 9, 0), utc(2026, 11, 24, 9, 30), share_key="session-1"
    )
    seat.full_clean()


def test_the_held_reservation_validates_against_itself(held):
    held.reservations.get().full_clean()
