"""A new booking: the slot re-checked and its hosts held in one transaction, the emails in the
outbox."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from availability import engine
from booking import answers as answer_files
from booking import locations, selectors, single_use, timeline, verification
from booking.crm_records import crm_records_write
from booking.models import Booking, BookingEvent, BookingLink
from booking.routing import Ticket
from booking.services import payments
from booking.services.common import (
    EXCLUSION_VIOLATION,
    counts_own_bookings,
    enqueue_confirmation,
    lock_link,
    race_safe,
    reserve,
    sqlstate,
)
from booking.services.errors import (
    LinkInactive,
    LocationRefused,
    SingleUseRefused,
    SlotUnavailable,
)
from booking.services.routing import routing_booking_attach, routing_ticket_host
from booking.services.slots import assign_hosts
from integrations.calendars.live import live_check
from workestra.lib import languages
from workestra.models import User


@dataclass(frozen=True)
class Attendee:
    name: str
    email: str
    timezone: str
    phone: str = ""
    guests: tuple[str, ...] = ()
    answers: dict[str, str] = field(default_factory=dict)
    # What was asked for ``answers`` (booking/answers.py ``labels_snapshot``) and the files
    # uploaded as answers, stored before the booking's transaction and removed if it fails.
    answer_labels: list[dict[str, str]] = field(default_factory=list)
    uploads: dict[str, UploadedFile] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # set once stored
    utm: dict[str, str] = field(default_factory=dict)
    location: str = ""  # the kind picked among the link's locations (booking/locations.py)
    # The language their emails come in; blank: the one their page was shown in.
    language: str = ""


def booking_create(
    *,
    link: BookingLink,
    start: datetime,
    attendee: Attendee,
    duration: int | None = None,
    now: datetime | None = None,
    ticket: Ticket | None = None,
    single_use_token: str = "",
) -> Booking:
    """Book ``start`` on ``link`` for ``attendee``.

    ``ticket`` (from a routing form, already checked to be signed for this link) records the
    booking on its response, and on a round-robin link prefers its host when they are free.

    Re-checks the exact slot inside the transaction, inserts the booking and its host reservation,
    finds or creates the CRM contact (and deal; a failure there is retried through the outbox and
    never fails the booking), and writes the outbox rows for every email.
    Raises :class:`BookingError` subclasses with a message for the attendee; nothing is written then
    (uploaded answer files included). With ``single_use_token``, the token is re-checked and
    used up in the same transaction.
    """
    stored = answer_files.store_uploads(attendee.uploads)
    try:
        attendee = replace(attendee, uploads={}, files=stored)
        return _create(
            link=link,
            start=start,
            attendee=attendee,
            duration=duration,
            now=now,
            ticket=ticket,
            single_use_token=single_use_token,
        )
    except BaseException:
        answer_files.delete_stored(stored)
        raise


def _create(
    *,
    link: BookingLink,
    start: datetime,
    attendee: Attendee,
    duration: int | None,
    now: datetime | None,
    ticket: Ticket | None,
    single_use_token: str,
) -> Booking:
    now = now or timezone.now()
    duration = duration or link.duration
    if not link.is_active or link.deleted_at is not None:
        raise LinkInactive
    if duration not in link.duration_choices:
        raise SlotUnavailable(gettext("Pick one of the offered meeting lengths."))
    if link.kind == BookingLink.Kind.INSTANT:
        return _book_instant(
            link, attendee=attendee, duration=duration, now=now, token=single_use_token
        )
    location = _location(link, attendee)
    end = start + timedelta(minutes=duration)
    unsure = _ask_calendars(link, start=start, end=end)
    if ticket is not None and ticket.link_id != link.pk:
        ticket = None
    prefer = routing_ticket_host(ticket, email=attendee.email)

    def book() -> Booking:
        if counts_own_bookings(link):
            lock_link(link)
        host_ids = assign_hosts(link, start=start, duration=duration, now=now, prefer=prefer)
        booking = _insert(
            link,
            host_ids=host_ids,
            start=start,
            end=end,
            attendee=attendee,
            now=now,
            location=location,
            token=single_use_token,
        )
        routing_booking_attach(ticket, booking)
        return booking

    booking = race_safe(book)
    hosts = set(booking.reservations.values_list("host_id", flat=True))
    for host_id, problem in unsure.items():
        if host_id in hosts:
            timeline.record(booking, BookingEvent.Kind.CALENDAR, at=now, detail=problem)
    return booking


def _location(link: BookingLink, attendee: Attendee) -> locations.Location | None:
    try:
        chosen = locations.choose(locations.link_locations(link.locations), attendee.location)
    except locations.LocationError as exc:
        raise LocationRefused(str(exc)) from exc
    if chosen is not None and chosen.needs_phone and not attendee.phone:
        raise LocationRefused(
            gettext("Enter your phone number so the host can call you."), field="phone"
        )
    return chosen


def _ask_calendars(link: BookingLink, *, start: datetime, end: datetime) -> dict[int, str]:
    """Before the transaction: the hosts' providers asked about this exact slot (buffers
    included), briefly; what they say joins the cached busy time the re-check reads."""
    host_ids = [h.id for h in selectors.link_hosts(link)]
    return live_check(
        host_ids,
        start=start - timedelta(minutes=link.buffer_before),
        end=end + timedelta(minutes=link.buffer_after),
        budget=settings.CALENDAR_LIVE_CHECK_SECONDS,
    )


INSTANT_ROUNDING = 5 * 60


def instant_start(now: datetime) -> datetime:
    """ "Now" for an instant meeting: rounded up to the next 5 minutes."""
    ts = engine.to_epoch(now)
    return engine.from_epoch(-(-ts // INSTANT_ROUNDING) * INSTANT_ROUNDING)


def _book_instant(
    link: BookingLink, *, attendee: Attendee, duration: int, now: datetime, token: str = ""
) -> Booking:
    """No slot check: the meeting starts now with a fresh room, and the host hears at once.

    The host's time is still reserved so other links stop offering it, unless it is already
    taken; then the instant meeting goes ahead anyway, as asked for.
    """
    start = instant_start(now)
    with transaction.atomic():
        booking = _insert(
            link,
            host_ids=[],
            start=start,
            end=start + timedelta(minutes=duration),
            attendee=attendee,
            now=now,
            host_id=link.owner_id,
            meeting_url=settings.INSTANT_MEETING_BASE_URL + f"workestra-{secrets.token_hex(8)}",
            token=token,
        )
        try:
            with transaction.atomic():
                reserve(booking, link, [link.owner_id])
        except IntegrityError as exc:
            if sqlstate(exc) != EXCLUSION_VIOLATION:
                raise
    return booking


def _insert(
    link: BookingLink,
    *,
    host_ids: list[int],
    start: datetime,
    end: datetime,
    attendee: Attendee,
    now: datetime,
    host_id: int | None = None,
    meeting_url: str = "",
    location: locations.Location | None = None,
    token: str = "",
) -> Booking:
    claim = _claim(token, link=link, email=attendee.email, now=now) if token else None
    host = host_id or host_ids[0]
    host_name = User.objects.filter(pk=host).values_list("name", flat=True).first() or "The host"
    placed = locations.place(location, attendee_phone=attendee.phone, host_name=host_name)
    booking = Booking(
        workspace=link.workspace,
        link=link,
        host_id=host,
        start=start,
        end=end,
        timezone=attendee.timezone,
        language=languages.supported(attendee.language or translation.get_language()) or "",
        meeting_url=meeting_url or placed.meeting_url,
        location_kind=placed.kind,
        location=placed.text[:500],
        name=attendee.name,
        email=attendee.email,
        phone=attendee.phone,
        guests=list(attendee.guests),
        answers=attendee.answers,
        answer_labels=attendee.answer_labels,
        answer_files=attendee.files,
        utm=attendee.utm,
        created_at=now,
        status=(
            Booking.Status.PENDING_VERIFICATION
            if link.require_email_verification
            else Booking.Status.CONFIRMED
        ),
    )
    price = payments.link_price(link)
    if price is not None:  # held, unannounced, until Stripe says it is paid
        booking.status = Booking.Status.PENDING_PAYMENT
    booking.ical_uid = f"{booking.reschedule_token}@workestra"
    booking.save()
    if claim is not None:
        single_use.record(claim, booking, now=now)
    reserve(booking, link, host_ids)
    crm_records_write(booking)
    if price is not None:
        payments.hold_for_payment(booking, price, now=now)
        timeline.record(booking, BookingEvent.Kind.CREATED, at=now, by=BookingEvent.By.ATTENDEE)
        return booking
    _announce(booking, now=now)
    return booking


def _claim(token: str, *, link: BookingLink, email: str, now: datetime) -> single_use.Claim:
    try:
        return single_use.claim(token, link=link, email=email, now=now)
    except single_use.Refused as exc:
        raise SingleUseRefused(exc.message, field=exc.field) from exc


def _announce(booking: Booking, *, now: datetime) -> None:
    timeline.record(booking, BookingEvent.Kind.CREATED, at=now, by=BookingEvent.By.ATTENDEE)
    if booking.status == Booking.Status.PENDING_VERIFICATION:
        # The code email goes first; confirmation, host email and reminder wait for the code.
        verification.code_issue(booking, now=now)
    else:
        enqueue_confirmation(booking, now=now)
