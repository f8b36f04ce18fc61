"""Writes of one-off meetings: offering times (each checked and held), booking one of them,
cancelling the offer and letting it expire. Every release deletes the holds and removes their
placeholder events through the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from booking import one_off_events
from booking.models import BookingLink, OneOffHold, OneOffMeeting, OneOffTime
from booking.one_off import OFFER_DAYS, busy_starts, host_free_times, step_for
from booking.one_off_models import MAX_TIMES
from booking.services.create import Attendee, booking_create
from booking.services.errors import BookingClosed, SlotUnavailable
from workestra.lib.formatting import local_range
from workestra.models import User, Workspace

DEFAULT_EXPIRY = timedelta(days=14)


class OneOffRefused(Exception):
    """The offer can't be made as asked; ``message`` says why, ``field`` which input."""

    def __init__(self, message: str, *, field: str = "times") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Offer:
    title: str
    duration: int
    starts: tuple[datetime, ...]
    location: tuple[dict[str, str], ...] = ()  # a link's locations ([{"kind", "detail"}])
    invitee_name: str = ""
    invitee_email: str = ""
    expires_at: datetime | None = None  # None: in 14 days, or at the first time if sooner


def one_off_create(
    *, workspace: Workspace, host: User, offer: Offer, now: datetime | None = None
) -> OneOffMeeting:
    """Offer ``offer.starts`` to one invitee and hold them on the host's calendar.

    Each time must be in the future, within four weeks, inside the host's default hours and free;
    the first busy one is refused with its time in the message, and nothing is stored.
    """
    now = now or timezone.now()
    starts = sorted(set(offer.starts))
    expires_at = _check(offer, starts, now)
    with transaction.atomic():
        # One offer of a host at a time, so two offers cannot both take the same free time.
        User.objects.select_for_update().filter(pk=host.pk).values_list("pk").first()
        _refuse_busy(workspace, host, offer, starts, now)
        meeting = OneOffMeeting.objects.create(
            workspace=workspace,
            host=host,
            link=_hidden_link(workspace, host, offer),
            title=offer.title,
            duration=offer.duration,
            invitee_name=offer.invitee_name,
            invitee_email=offer.invitee_email,
            expires_at=expires_at,
            created_at=now,
        )
        length = timedelta(minutes=offer.duration)
        times = OneOffTime.objects.bulk_create(
            OneOffTime(meeting=meeting, start=s, end=s + length) for s in starts
        )
        OneOffHold.objects.bulk_create(
            OneOffHold(time=t, meeting=meeting, host=host, start=t.start, end=t.end) for t in times
        )
        one_off_events.enqueue_holds(meeting, times)
    return meeting


def _check(offer: Offer, starts: list[datetime], now: datetime) -> datetime:
    if not starts:
        raise OneOffRefused(gettext("Pick at least one time to offer."))
    if len(starts) > MAX_TIMES:
        raise OneOffRefused(
            gettext("Offer at most %(max)s times; you picked %(count)s.")
            % {"max": MAX_TIMES, "count": len(starts)}
        )
    if starts[0] <= now:
        raise OneOffRefused(gettext("One of the times has already passed. Pick future times."))
    expires_at = offer.expires_at or min(now + DEFAULT_EXPIRY, starts[0])
    if expires_at <= now:
        raise OneOffRefused(gettext("The offer must expire in the future."), field="expires_at")
    if expires_at > starts[0]:
        raise OneOffRefused(
            gettext("The offer must expire no later than the first offered time."),
            field="expires_at",
        )
    return expires_at


def _refuse_busy(
    workspace: Workspace, host: User, offer: Offer, starts: list[datetime], now: datetime
) -> None:
    free = set(
        host_free_times(
            workspace_id=workspace.pk,
            host_id=host.pk,
            duration=offer.duration,
            now=now,
            start=starts[0],
            end=starts[-1] + timedelta(seconds=1),
        )
    )
    busy = busy_starts(host_id=host.pk, starts=starts, duration=offer.duration)
    for start in starts:
        if start in busy or start not in free:
            when = local_range(
                start, start + timedelta(minutes=offer.duration), host.timezone or "UTC"
            )
            reason = (
                gettext("you are busy then")
                if start in busy
                else gettext("it is outside your hours or more than %(days)s days ahead")
                % {"days": OFFER_DAYS}
            )
            raise OneOffRefused(
                gettext("%(when)s can't be offered: %(reason)s.") % {"when": when, "reason": reason}
            )


def _hidden_link(workspace: Workspace, host: User, offer: Offer) -> BookingLink:
    """The link the booking will be made on: the host's, with the offer's title, length and
    location, and rules that take exactly what the picker offered."""
    return BookingLink.objects.create(
        workspace=workspace,
        owner=host,
        title=offer.title,
        slug=f"one-off-{one_off_events.short_id()}",
        duration=offer.duration,
        slot_interval=step_for(offer.duration),
        max_days_ahead=OFFER_DAYS,
        timezone=host.timezone or "UTC",
        locations=list(offer.location),
        calendar_provider=one_off_events.hold_provider(host.pk),
    )


def one_off_book(
    *, meeting: OneOffMeeting, start: datetime, attendee: Attendee, now: datetime | None = None
) -> OneOffMeeting:
    """Book one of the offered times through the normal booking service and consume the offer.

    The offer's row is locked first, so of two picks (of the same or different times) exactly one
    books; the other is told it is already booked. Raises ``BookingError`` with a message.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = OneOffMeeting.objects.select_for_update().select_related("link").get(pk=meeting.pk)
        _refuse_closed(locked, now)
        time = locked.times.filter(start=start).first()
        if time is None:
            raise SlotUnavailable(gettext("Pick one of the offered times."))
        # Its own holds would make the re-check refuse the time: release them in this
        # transaction (a refused booking rolls the release back too).
        locked.holds.all().delete()
        booking = booking_create(link=locked.link, start=start, attendee=attendee, now=now)
        locked.status = OneOffMeeting.Status.BOOKED
        locked.booking = booking
        locked.closed_at = now
        locked.save(update_fields=["status", "booking", "closed_at"])
        one_off_events.enqueue_removals(locked)
    return locked


def _refuse_closed(meeting: OneOffMeeting, now: datetime) -> None:
    if meeting.status == OneOffMeeting.Status.BOOKED:
        raise BookingClosed(gettext("This meeting is already booked."))
    if meeting.status == OneOffMeeting.Status.CANCELLED:
        raise BookingClosed(gettext("The host withdrew this offer."))
    if meeting.is_expired(now):
        raise BookingClosed(gettext("This offer has expired. Ask the host for new times."))


def one_off_cancel(*, meeting: OneOffMeeting, now: datetime | None = None) -> OneOffMeeting:
    """The host withdraws an open offer: its holds are released. A closed offer is unchanged."""
    return _close(meeting, OneOffMeeting.Status.CANCELLED, now=now or timezone.now())


def _close(meeting: OneOffMeeting, status: str, *, now: datetime) -> OneOffMeeting:
    with transaction.atomic():
        locked = OneOffMeeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status != OneOffMeeting.Status.OPEN:
            return locked
        locked.status = status
        locked.closed_at = now
        locked.save(update_fields=["status", "closed_at"])
        locked.holds.all().delete()
        one_off_events.enqueue_removals(locked)
    return locked


def one_offs_expire(now: datetime) -> None:
    """The periodic job: open offers past their expiry release their holds."""
    due = OneOffMeeting.objects.filter(status=OneOffMeeting.Status.OPEN, expires_at__lte=now)
    for meeting in due.only("pk")[:500]:
        _close(meeting, OneOffMeeting.Status.EXPIRED, now=now)
