"""Outbox handlers for booking emails. Each runs in a worker, outside the booking's transaction."""

from __future__ import annotations

from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from booking import verification
from booking.answers import booking_answer_rows
from booking.calendar_events import calendar_of
from booking.ics import booking_hosts, booking_ics
from booking.models import Booking, BookingLink
from integrations.calendars.events import provider_invites
from workestra.lib.formatting import local_range
from workflows import outbox
from workflows.models import OutboxMessage


def sender_for(link: BookingLink) -> tuple[str, list[str]]:
    """The From address and Reply-To list for a link's emails, per its no-reply setting."""
    if link.use_no_reply:
        return settings.NOREPLY_EMAIL, []
    host = link.owner
    address = formataddr((host.name, host.email))
    return address, [address]


def _booking(message: OutboxMessage) -> Booking:
    booking = (
        Booking.objects.select_related("link", "link__owner", "host")
        .filter(pk=message.payload.get("booking_id"))
        .first()
    )
    if booking is None:
        raise outbox.Drop("the booking no longer exists")
    return booking


def attendee_language(booking: Booking) -> str:
    """The language the attendee booked in; hosts read English."""
    return booking.language or settings.LANGUAGE_CODE


def _send(
    booking: Booking,
    *,
    template: str,
    to: list[str],
    cc: list[str],
    method: str,
    when_zone: str,
    language: str = settings.LANGUAGE_CODE,
) -> None:
    with translation.override(language):
        _render_and_send(
            booking, template=template, to=to, cc=cc, method=method, when_zone=when_zone
        )


def _render_and_send(
    booking: Booking, *, template: str, to: list[str], cc: list[str], method: str, when_zone: str
) -> None:
    context = {
        "booking": booking,
        "link": booking.link,
        "host": booking.host,
        "when": local_range(booking.start, booking.end, when_zone),
        "answers": booking_answer_rows(booking),
        "files": booking.answer_files or {},
        "booking_page": settings.PUBLIC_BASE_URL
        + reverse("booking:calendar-booking", args=[booking.pk]),
        "payment": booking.payments.order_by("-created_at", "-pk").first(),
    }
    subject = render_to_string(f"booking/email/{template}_subject.txt", context).strip()
    body = render_to_string(f"booking/email/{template}.txt", context)
    from_email, reply_to = sender_for(booking.link)
    email = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=body,
        from_email=from_email,
        to=to,
        cc=cc,
        reply_to=reply_to,
    )
    link = booking.link
    invite_mode = link.notification_mode == BookingLink.NotificationMode.CALENDAR_INVITE
    if not (invite_mode and provider_invites(booking.host_id, calendar_of(booking))):
        # Without a connected calendar sending the invitation, ours goes with the email.
        ics = booking_ics(booking, method=method)
        if invite_mode:
            # An inline text/calendar part with METHOD makes mail clients show Accept/Decline.
            email.attach_alternative(ics.decode(), f"text/calendar; method={method}; charset=utf-8")
        email.attach("invite.ics", ics, "application/ics")
    email.send()


def send_plain(booking: Booking, *, subject: str, body: str, to: list[str]) -> None:
    """A plain email about a booking from the link's sender (no invite attached)."""
    from_email, reply_to = sender_for(booking.link)
    EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=body,
        from_email=from_email,
        to=to,
        reply_to=reply_to,
    ).send()


def send_confirmation(message: OutboxMessage) -> None:
    booking = _booking(message)
    _send(
        booking,
        template="confirmation",
        to=[booking.email],
        cc=list(booking.guests),
        method="REQUEST",
        when_zone=booking.timezone,
        language=attendee_language(booking),
    )


def send_host_notification(message: OutboxMessage) -> None:
    booking = _booking(message)
    _send(
        booking,
        template="host_notification",
        to=[h.email for h in booking_hosts(booking)],
        cc=[],
        method="REQUEST",
        when_zone=booking.link.timezone,
    )


def send_reminder(message: OutboxMessage) -> None:
    booking = _booking(message)
    if booking.status != Booking.Status.CONFIRMED:
        raise outbox.Drop(f"the booking is {booking.get_status_display().lower()}")
    _send(
        booking,
        template="reminder",
        to=[booking.email],
        cc=list(booking.guests),
        method="REQUEST",
        when_zone=booking.timezone,
        language=attendee_language(booking),
    )


def _send_to_audience(message: OutboxMessage, *, template: str, method: str) -> None:
    booking = _booking(message)
    if message.payload.get("audience") == "host":
        _send(
            booking,
            template=template,
            to=[h.email for h in booking_hosts(booking)],
            cc=[],
            method=method,
            when_zone=booking.link.timezone,
        )
    else:
        _send(
            booking,
            template=template,
            to=[booking.email],
            cc=list(booking.guests),
            method=method,
            when_zone=booking.timezone,
            language=attendee_language(booking),
        )


def send_cancellation(message: OutboxMessage) -> None:
    _send_to_audience(message, template="cancellation", method="CANCEL")


def send_rescheduled(message: OutboxMessage) -> None:
    _send_to_audience(message, template="rescheduled", method="REQUEST")


def send_verification_code(message: OutboxMessage) -> None:
    booking = _booking(message)
    if booking.status != Booking.Status.PENDING_VERIFICATION:
        raise outbox.Drop(f"the booking is {booking.get_status_display().lower()}")
    with translation.override(attendee_language(booking)):
        _send_code(booking, message)


def _send_code(booking: Booking, message: OutboxMessage) -> None:
    context = {
        "booking": booking,
        "link": booking.link,
        "host": booking.host,
        "code": verification.unseal(message.payload["sealed"], message.payload["nonce"]),
        "minutes": int(verification.CODE_TTL.total_seconds() // 60),
        "when": local_range(booking.start, booking.end, booking.timezone),
        "verify_url": settings.PUBLIC_BASE_URL
        + reverse("booking:verify", args=[booking.reschedule_token]),
    }
    subject = render_to_string("booking/email/verification_code_subject.txt", context)
    from_email, reply_to = sender_for(booking.link)
    EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string("booking/email/verification_code.txt", context),
        from_email=from_email,
        to=[booking.email],
        reply_to=reply_to,
    ).send()


def send_not_reconfirmed(message: OutboxMessage) -> None:
    booking = _booking(message)
    with translation.override(attendee_language(booking)):
        body = render_to_string("booking/email/not_reconfirmed.txt", {"booking": booking})
        subject = gettext("Your booking was cancelled: %(title)s") % {"title": booking.link.title}
    send_plain(booking, subject=subject, body=body, to=[booking.email])


def send_new_time_request(message: OutboxMessage) -> None:
    """The host asks the attendee to pick a new time, with the booking's reschedule link."""
    booking = _booking(message)
    if booking.status != Booking.Status.CONFIRMED:
        raise outbox.Drop(f"the booking is {booking.get_status_display().lower()}")
    if booking.start <= timezone.now():
        raise outbox.Drop("the meeting has already started")
    with translation.override(attendee_language(booking)):
        _send_new_time_request(booking, note=message.payload.get("message", ""))


def _send_new_time_request(booking: Booking, *, note: str) -> None:
    context = {
        "booking": booking,
        "link": booking.link,
        "host": booking.host,
        "note": note,
        "when": local_range(booking.start, booking.end, booking.timezone),
    }
    subject = render_to_string("booking/email/new_time_request_subject.txt", context)
    body = render_to_string("booking/email/new_time_request.txt", context)
    send_plain(booking, subject=subject, body=body, to=[booking.email])
