"""Booking.refusal: the one answer to "can this booking still be changed?", one message a reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from booking.models import EXPIRED_REASON, STARTED_REASON, Booking

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
Change, Status = Booking.Change, Booking.Status
ATTENDEE_CHANGES = (Change.CANCEL, Change.RESCHEDULE, Change.RECONFIRM)


def booking(status: str = Status.CONFIRMED, *, starts_in: int = 60, **fields) -> Booking:
    start = NOW + timedelta(minutes=starts_in)
    return Booking(status=status, start=start, end=start + timedelta(minutes=30), **fields)


def reason(b: Booking, action: str, by: str = "attendee") -> str | None:
    refusal = b.refusal(action, NOW, by)
    return refusal.reason if refusal else None


@pytest.mark.parametrize("action", ATTENDEE_CHANGES)
def test_an_upcoming_confirmed_booking_may_be_changed(action):
    assert booking().refusal(action, NOW) is None


def test_a_started_meeting_is_refused_with_one_wording_for_every_route():
    started = booking(starts_in=-5)
    pending = booking(Status.PENDING_VERIFICATION, starts_in=-5, verification_expires_at=NOW)
    refusals = [started.refusal(a, NOW) for a in ATTENDEE_CHANGES]
    refusals += [started.refusal(Change.VERIFY, NOW), pending.refusal(Change.RESEND_CODE, NOW)]
    assert {r.reason for r in refusals} == {"started"}
    assert {r.message for r in refusals} == {"This meeting has already started."}


def test_the_host_may_cancel_until_the_meeting_ends_then_only_mark_a_no_show():
    running, ended = booking(starts_in=-5), booking(starts_in=-60)
    assert running.refusal(Change.CANCEL, NOW, "host") is None
    refusal = ended.refusal(Change.CANCEL, NOW, "host")
    assert refusal.reason == "ended" and "Mark it as a no-show" in refusal.message
    assert ended.refusal(Change.NO_SHOW, NOW, "host") is None


@pytest.mark.parametrize("action", ATTENDEE_CHANGES)
def test_a_rescheduled_booking_points_to_the_latest_email(action):
    refusal = booking(Status.RESCHEDULED).refusal(action, NOW)
    assert refusal.message == (
        "This booking was already rescheduled. Use the link in the latest confirmation email."
    )


def test_a_closed_booking_names_its_status():
    assert booking(Status.CANCELLED).refusal(Change.RESCHEDULE, NOW).message == (
        "This booking is cancelled."
    )
    assert reason(booking(Status.NO_SHOW), Change.CANCEL, "host") == "closed"
    # A booking waiting for its payment can only be cancelled: moving it would confirm it unpaid.
    assert reason(booking(Status.PENDING_PAYMENT), Change.RECONFIRM) == "unpaid"
    assert reason(booking(Status.PENDING_PAYMENT), Change.RESCHEDULE) == "unpaid"
    assert reason(booking(Status.PENDING_PAYMENT), Change.CANCEL) is None


def test_a_released_hold_says_why_it_was_released():
    expired = booking(Status.CANCELLED, cancel_reason=EXPIRED_REASON)
    assert "no longer held for you" in expired.refusal(Change.VERIFY, NOW).message
    assert reason(booking(Status.CANCELLED, cancel_reason=STARTED_REASON), Change.VERIFY) == (
        "started"
    )


def test_an_unverified_booking_can_be_cancelled_but_not_moved_or_reconfirmed():
    pending = booking(Status.PENDING_VERIFICATION, verification_expires_at=NOW + timedelta(1))
    assert pending.refusal(Change.CANCEL, NOW) is None
    assert pending.refusal(Change.VERIFY, NOW) is None
    for action in (Change.RESCHEDULE, Change.RECONFIRM):
        assert "confirm your email address" in pending.refusal(action, NOW).message


def test_an_expired_code_refuses_verifying_and_resending():
    pending = booking(Status.PENDING_VERIFICATION, verification_expires_at=NOW)
    assert reason(pending, Change.VERIFY) == reason(pending, Change.RESEND_CODE) == "code_expired"


def test_a_verified_booking_may_be_verified_again_but_gets_no_new_code():
    assert booking().refusal(Change.VERIFY, NOW) is None
    assert booking().refusal(Change.RESEND_CODE, NOW).message == "This booking is confirmed."


def test_no_show_needs_a_started_confirmed_meeting_and_undo_needs_a_no_show():
    assert reason(booking(), Change.NO_SHOW, "host") == "not_started"
    cancelled = booking(Status.CANCELLED, starts_in=-60).refusal(Change.NO_SHOW, NOW, "host")
    assert cancelled.message == (
        "This booking is cancelled; only confirmed meetings can be marked as no-shows."
    )
    assert reason(booking(Status.NO_SHOW, starts_in=-60), Change.UNDO_NO_SHOW, "host") is None
    undo = booking(starts_in=-60).refusal(Change.UNDO_NO_SHOW, NOW, "host")
    assert undo.message == "This booking is confirmed, not a no-show."


def test_the_system_is_held_to_no_time_but_to_the_status():
    assert booking(starts_in=-60).refusal(Change.CANCEL, NOW, "system") is None
    assert reason(booking(Status.RESCHEDULED), Change.CANCEL, "system") == "rescheduled"
