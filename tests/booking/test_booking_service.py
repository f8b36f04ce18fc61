"""booking_create: one transaction that re-checks the slot and writes everything, or nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from booking import services
from booking.models import Booking, Reservation
from crm.models import Contact, Deal
from tests.booking.helpers import attendee, utc
from tests.factories import StageFactory
from workflows.models import OutboxMessage

# NOW (conftest) is Monday 2026-11-23 07:00 UTC; the link is open 09:00-17:00 Berlin (UTC+1).
SLOT = utc(2026, 11, 23, 9, 0)  # 10:00 in Berlin


def nothing_written() -> bool:
    return not (
        Booking.objects.exists()
        or Reservation.objects.exists()
        or Contact.objects.exists()
        or Deal.objects.exists()
        or OutboxMessage.objects.exists()
    )


def test_booking_a_listed_slot_confirms_it_and_holds_the_host(link, frozen):
    booking = services.booking_create(link=link, start=SLOT, attendee=attendee())

    assert booking.status == Booking.Status.CONFIRMED
    assert (booking.start, booking.end) == (SLOT, SLOT + timedelta(minutes=30))
    assert len(booking.reschedule_token) == 32
    int(booking.reschedule_token, 16)  # hex
    reservation = booking.reservations.get()
    assert (reservation.host, reservation.blocked_start, reservation.active) == (
        link.owner,
        SLOT,
        True,
    )


def test_tokens_differ_between_bookings(link, frozen):
    first = services.booking_create(link=link, start=SLOT, attendee=attendee())
    second = services.booking_create(
        link=link, start=SLOT + timedelta(hours=1), attendee=attendee(email="bob@example.com")
    )
    assert first.reschedule_token != second.reschedule_token


def test_buffers_are_held_with_the_booking_and_block_neighbours(link, frozen):
    link.buffer_before, link.buffer_after = 10, 15
    link.save()
    booking = services.booking_create(link=link, start=SLOT, attendee=attendee())

    reservation = booking.reservations.get()
    assert reservation.blocked_start == SLOT - timedelta(minutes=10)
    assert reservation.blocked_end == SLOT + timedelta(minutes=45)
    # 09:30 UTC would need 09:20-10:15 free, but the first meeting holds until 09:45.
    with pytest.raises(services.SlotTaken):
        services.booking_create(
            link=link,
            start=SLOT + timedelta(minutes=30),
            attendee=attendee(email="bob@example.com"),
        )


def test_contact_is_found_by_email_whatever_its_case(link, frozen):
    first = services.booking_create(link=link, start=SLOT, attendee=attendee())
    second = services.booking_create(
        link=link, start=SLOT + timedelta(hours=1), attendee=attendee(email="ALICE@Example.com")
    )
    assert first.contact == second.contact
    assert Contact.objects.count() == 1


def test_deal_is_created_in_the_default_stage_when_the_link_asks(link, frozen):
    stage = StageFactory(
        workspace=link.workspace, pipeline__workspace=link.workspace, name="New leads"
    )
    link.create_deal, link.deal_stage, link.deal_value = True, stage, Decimal("1500.00")
    link.save()

    booking = services.booking_create(link=link, start=SLOT, attendee=attendee())

    deal = Deal.objects.get()
    assert (deal.stage, deal.value, deal.contact) == (stage, Decimal("1500.00"), booking.contact)
    assert booking.deal == deal


def test_no_deal_without_the_setting(link, frozen):
    services.booking_create(link=link, start=SLOT, attendee=attendee())
    assert not Deal.objects.exists()


def test_side_effects_are_outbox_rows_with_the_reminder_due_a_day_before(link, frozen):
    start = utc(2026, 11, 25, 9, 0)
    booking = services.booking_create(link=link, start=start, attendee=attendee())

    rows = {m.kind: m for m in OutboxMessage.objects.filter(subject=f"booking:{booking.pk}")}
    assert set(rows) == {"booking.confirmation", "booking.host_notification", "booking.reminder"}
    assert rows["booking.reminder"].due_at == start - timedelta(hours=24)
    assert rows["booking.confirmation"].due_at <= rows["booking.reminder"].due_at


def test_no_reminder_when_the_meeting_is_less_than_a_day_away(link, frozen):
    services.booking_create(link=link, start=SLOT, attendee=attendee())
    assert not OutboxMessage.objects.filter(kind="booking.reminder").exists()


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (utc(2026, 11, 23, 6, 0), "already passed"),
        (utc(2026, 11, 23, 17, 0), "not available"),  # 18:00 Berlin, after hours
        (utc(2026, 11, 28, 10, 0), "not available"),  # Saturday
        (utc(2026, 11, 23, 9, 10), "not available"),  # off the 30-minute grid
        (utc(2027, 1, 4, 9, 0), "too far ahead"),  # beyond 30 days
    ],
)
def test_times_that_were_never_offered_are_refused_and_nothing_is_written(
    link, frozen, start, message
):
    with pytest.raises(services.SlotUnavailable, match=message):
        services.booking_create(link=link, start=start, attendee=attendee())
    assert nothing_written()


def test_minimum_notice_is_enforced_at_booking_time(link, frozen):
    link.min_notice_hours = 4
    link.save()
    with pytest.raises(services.SlotUnavailable, match="at least 4 hours"):
        services.booking_create(link=link, start=SLOT, attendee=attendee())
    assert nothing_written()


def test_a_duration_the_link_does_not_offer_is_refused(link, frozen):
    with pytest.raises(services.SlotUnavailable, match="meeting lengths"):
        services.booking_create(link=link, start=SLOT, attendee=attendee(), duration=45)
    assert nothing_written()


def test_an_offered_extra_duration_books_that_long(link, frozen):
    link.durations = [60]
    link.save()
    booking = services.booking_create(link=link, start=SLOT, attendee=attendee(), duration=60)
    assert booking.end - booking.start == timedelta(hours=1)


def test_a_taken_slot_is_refused_and_the_first_booking_stands(link, frozen):
    first = services.booking_create(link=link, start=SLOT, attendee=attendee())
    with pytest.raises(services.SlotTaken, match="just taken"):
        services.booking_create(link=link, start=SLOT, attendee=attendee(email="b@example.com"))
    assert list(Booking.objects.all()) == [first]


def test_a_booking_on_another_link_of_the_same_host_blocks_the_time(link, frozen):
    from tests.factories import LinkFactory

    other = LinkFactory(workspace=link.workspace, owner=link.owner, slug="other")
    services.booking_create(link=other, start=SLOT, attendee=attendee())
    with pytest.raises(services.SlotTaken):
        services.booking_create(link=link, start=SLOT, attendee=attendee(email="b@example.com"))


def test_a_paused_link_takes_no_bookings(link, frozen):
    link.is_active = False
    link.save()
    with pytest.raises(services.LinkInactive):
        services.booking_create(link=link, start=SLOT, attendee=attendee())
    assert nothing_written()


def test_a_cancelled_booking_frees_its_time(link, frozen):
    first = services.booking_create(link=link, start=SLOT, attendee=attendee())
    services.booking_cancel(booking=first, reason="clash")
    second = services.booking_create(
        link=link, start=SLOT, attendee=attendee(email="b@example.com")
    )
    assert second.status == Booking.Status.CONFIRMED
