"""Writing a booking's event into a host's calendar, updating it in place and removing it.

The event is found again by the booking's iCal UID (stable across reschedules), so a reschedule
moves the same event. Each call is idempotent: a retry after a timeout updates the event the
first try created instead of writing a second one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone

from availability.busy_cache import forget
from availability.models import ExternalBusy
from integrations.calendars import provider as providers
from integrations.calendars.provider import EventData, ProviderError, WrittenEvent
from integrations.calendars.services import connection_mark_broken
from integrations.models import Calendar, CalendarConnection, CalendarEvent

#: Providers that send the attendees a real invitation themselves when the event lists them.
INVITING = frozenset({"google", "microsoft", "exchange"})


def receiving_calendar(user_id: int, preferred: str) -> Calendar | None:
    """Where a booking of ``user_id`` goes, for a link whose calendar setting is ``preferred``.

    The host's receiving calendar when it is of that provider; else that provider's primary
    calendar; else (a team of mixed providers) the host's receiving calendar whatever it is.
    """
    if not preferred:
        return None
    calendars = list(
        Calendar.objects.select_related("connection").filter(
            user_id=user_id, writable=True, connection__status=CalendarConnection.Status.ACTIVE
        )
    )
    receiving = [c for c in calendars if c.receives_bookings]
    of_provider = [c for c in calendars if c.connection.provider == preferred]
    for group in (
        [c for c in receiving if c.connection.provider == preferred],
        [c for c in of_provider if c.is_primary],
        of_provider,
        receiving,
    ):
        if group:
            return group[0]
    return None


def provider_invites(user_id: int, preferred: str) -> bool:
    """Whether the provider, not our email, invites the attendee to this host's event."""
    calendar = receiving_calendar(user_id, preferred)
    return calendar is not None and calendar.connection.provider in INVITING


def makes_meeting_link(user_id: int, preferred: str) -> bool:
    calendar = receiving_calendar(user_id, preferred)
    return calendar is not None and providers.get(calendar.connection.provider).can_add_meeting


def _existing(user_id: int, ical_uid: str) -> CalendarEvent | None:
    return (
        CalendarEvent.objects.select_related("calendar__connection")
        .filter(user_id=user_id, ical_uid=ical_uid)
        .first()
    )


def event_write(*, user_id: int, preferred: str, data: EventData) -> WrittenEvent | None:
    """Create or update the host's event for ``data``; ``None`` when the host has no calendar
    to write to. Raises :class:`ProviderError`."""
    existing = _existing(user_id, data.ical_uid)
    if existing is not None and not existing.deleted and not existing.calendar.connection.is_broken:
        calendar = existing.calendar
        api = providers.get(calendar.connection.provider)
        with broken_on_auth(calendar.connection):
            written = api.update_event(
                calendar.connection, calendar.external_id, existing.external_id, data
            )
    else:
        found = receiving_calendar(user_id, preferred)
        if found is None:
            return None
        calendar = found
        api = providers.get(calendar.connection.provider)
        with broken_on_auth(calendar.connection):
            written = api.create_event(calendar.connection, calendar.external_id, data)
    _remember(calendar, user_id=user_id, data=data, written=written)
    return written


@contextmanager
def broken_on_auth(connection: CalendarConnection) -> Iterator[None]:
    """A provider that no longer accepts the account marks the connection broken (the banner)."""
    try:
        yield
    except ProviderError as exc:
        if exc.auth:
            connection_mark_broken(connection, reason=str(exc), now=timezone.now())
        raise


def _remember(calendar: Calendar, *, user_id: int, data: EventData, written: WrittenEvent) -> None:
    with transaction.atomic():
        CalendarEvent.objects.update_or_create(
            user_id=user_id,
            ical_uid=data.ical_uid,
            defaults={
                "calendar": calendar,
                "external_id": written.external_id,
                "start": data.start,
                "end": data.end,
                "meeting_url": written.meeting_url,
                "deleted": False,
                "updated_at": timezone.now(),
            },
        )
        # A sync that ran between the write and now took our event for someone else's.
        ExternalBusy.objects.filter(
            source=calendar.busy_source, calendar_id=str(calendar.pk), event_id=written.external_id
        ).delete()
        forget([user_id])


def event_remove(*, user_id: int, ical_uid: str, notify: bool) -> bool:
    """Delete the host's event for ``ical_uid`` (cancelled booking); ``False`` when there is
    none. An event already gone at the provider counts as removed. Raises ProviderError."""
    existing = _existing(user_id, ical_uid)
    if existing is None or existing.deleted:
        return False
    calendar = existing.calendar
    with broken_on_auth(calendar.connection):
        providers.get(calendar.connection.provider).delete_event(
            calendar.connection, calendar.external_id, existing.external_id, notify=notify
        )
    existing.deleted = True
    existing.updated_at = timezone.now()
    existing.save(update_fields=["deleted", "updated_at"])
    return True


def meeting_url_of(user_id: int, ical_uid: str) -> str:
    event = _existing(user_id, ical_uid)
    return event.meeting_url if event is not None and not event.deleted else ""


__all__ = [
    "INVITING",
    "ProviderError",
    "broken_on_auth",
    "event_remove",
    "event_write",
    "makes_meeting_link",
    "meeting_url_of",
    "provider_invites",
    "receiving_calendar",
]
