"""Single-use links (single-use-links.txt): one contact books one meeting on a template link.

The token is checked when ``/single-use/<token>`` opens and again inside the booking's
transaction, with its row locked, so two tabs cannot both use it. Only a confirmed booking
consumes it (:func:`consumes`); a booking still waiting for its email code or payment holds it
until it is confirmed (consumed then) or released (the token is open again).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from booking.models import Booking, BookingLink, SingleUseLink
from booking.tokens import LOOKUP_CHARS, is_well_formed
from crm.models import Contact
from crm.services import contact_find_or_create

OPEN, CONSUMED, EXPIRED = "open", "consumed", "expired"
#: Booking states that wait for something before the booking counts.
WAITING = (Booking.Status.PENDING_VERIFICATION, Booking.Status.PENDING_PAYMENT)


def expired_message() -> str:
    return gettext("This link has expired.")


def not_for_you_message() -> str:
    return gettext("This link is not for you.")


def used_message() -> str:
    return gettext("This link has already been used to book a meeting.")


def held_message() -> str:
    return gettext(
        "This link was just used for a booking that is waiting to be confirmed. "
        "If that booking is not confirmed, the link opens again."
    )


def wrong_page_message() -> str:
    return gettext("This single-use link is for another booking page.")


class Refused(Exception):
    """The token cannot be used for this booking; ``message`` is shown to the attendee (the
    booking service raises it as ``SingleUseRefused``)."""

    def __init__(self, message: str, *, field: str = "start") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def consumes(status: str) -> bool:
    """Whether a booking reaching ``status`` consumes the single-use token it was made with.

    The spec's table, state by state:

    ===========================================================  ==================================
    Outcome                                                       Token state
    ===========================================================  ==================================
    Visitor abandons before booking                               Still valid until expiration
    Visitor books → payment required → pays                       Consumed at payment confirmation
    Visitor books → payment required → never pays → expires       Stays valid (no consumption on
                                                                  pending_payment)
    Visitor books normally → confirmed                            Consumed
    Visitor books → reschedules later                             Stays consumed
    Visitor books → cancels later                                 Stays consumed
    ===========================================================  ==================================

    So ``confirmed`` consumes (at once, or when an email code or a payment confirms the booking);
    ``pending_payment`` and ``pending_verification`` do not (the booking holds the token until
    then; released unconfirmed, it gives the token back). Rescheduling, cancelling and no-shows
    happen to a booking that already consumed it, and consumption is never undone, so they
    answer ``False`` here: they never consume, and never re-open.
    """
    return status == Booking.Status.CONFIRMED


def status_of(single: SingleUseLink, now: datetime) -> str:
    if single.consumed_at is not None:
        return CONSUMED
    if single.expires_at <= now:
        return EXPIRED
    return OPEN


def status_label(status: str) -> str:
    return {OPEN: gettext("Open"), CONSUMED: gettext("Consumed"), EXPIRED: gettext("Expired")}[
        status
    ]


def find(token: str) -> SingleUseLink | None:
    """The single-use link of ``token`` (compared in constant time), or ``None``."""
    if not is_well_formed(token):
        return None
    rows = SingleUseLink.objects.select_related("link", "contact").filter(
        token__startswith=token[:LOOKUP_CHARS]
    )[:4]
    for single in rows:
        if hmac.compare_digest(single.token.encode(), token.encode()):
            return single
    return None


def refusal(single: SingleUseLink, now: datetime) -> str | None:
    """Why the token cannot be used now (before any email is typed), or ``None``.

    A booking made through it that is no longer waiting and was not released (cancelled) counts
    as using it, even if its confirmation somehow did not record the consumption.
    """
    pending = single.pending_booking
    if single.consumed_at is not None or (
        pending is not None and pending.status not in (*WAITING, Booking.Status.CANCELLED)
    ):
        return used_message()
    if single.expires_at <= now:
        return expired_message()
    if pending is not None and pending.status in WAITING:
        return held_message()
    return None


@dataclass(frozen=True)
class Claim:
    single: SingleUseLink


def claim(token: str, *, link: BookingLink, email: str, now: datetime) -> Claim:
    """Inside the booking's transaction: lock the token's row and check it again."""
    found = find(token)
    if found is None:
        raise Refused(gettext("This single-use link does not exist."))
    single = (
        SingleUseLink.objects.select_for_update(of=("self",))
        .select_related("contact", "pending_booking")
        .get(pk=found.pk)
    )
    problem = refusal(single, now)
    if problem is not None:
        raise Refused(problem)
    if single.link_id != link.pk:
        raise Refused(wrong_page_message())
    if not single.allow_forwarding and email.strip().lower() != single.contact.email.lower():
        raise Refused(not_for_you_message(), field="email")
    return Claim(single)


def record(claim_: Claim, booking: Booking, *, now: datetime) -> None:
    """The booking made through the token: it consumes it, or holds it while it waits."""
    single = claim_.single
    single.pending_booking = booking
    fields = ["pending_booking"]
    if consumes(booking.status):
        single.consumed_at, single.consumed_by_booking = now, booking
        fields += ["consumed_at", "consumed_by_booking"]
    single.save(update_fields=fields)


def settle(booking: Booking, *, now: datetime) -> None:
    """A booking was confirmed later (email code, payment): the token it holds is consumed."""
    if not consumes(booking.status):
        return
    SingleUseLink.objects.filter(pending_booking=booking, consumed_at__isnull=True).update(
        consumed_at=now, consumed_by_booking=booking
    )


def notice(link: BookingLink, token: str, now: datetime) -> str:
    """What the booking page says up front when it was opened with a token that cannot book."""
    found = find(token)
    if found is None:
        return gettext("This single-use link does not exist.")
    if found.link_id != link.pk:
        return wrong_page_message()
    return refusal(found, now) or ""


def prefill(link: BookingLink, token: str) -> dict[str, str]:
    """Name and email from the contact, for the booking form opened through the token."""
    single = find(token)
    if single is None or single.link_id != link.pk:
        return {}
    return {"name": single.contact.name, "email": single.contact.email}


def create(
    *,
    link: BookingLink,
    contact: Contact,
    expires_at: datetime | None = None,
    allow_forwarding: bool = False,
    created_by_id: int | None = None,
    send_key: str | None = None,
) -> SingleUseLink:
    """A fresh token; with ``send_key``, the one already made for that key is returned."""
    fields = {
        "workspace_id": link.workspace_id,
        "link": link,
        "contact": contact,
        "allow_forwarding": allow_forwarding,
        "created_by_id": created_by_id,
        "send_key": send_key,
    }
    if expires_at is not None:
        fields["expires_at"] = expires_at
    if send_key is None:
        return SingleUseLink.objects.create(**fields)
    existing = SingleUseLink.objects.filter(send_key=send_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return SingleUseLink.objects.create(**fields)
    except IntegrityError:
        return SingleUseLink.objects.get(send_key=send_key)


def for_send(booking: Booking, *, send_key: str) -> SingleUseLink | None:
    """The token a workflow message about ``booking`` carries: its contact on its link, fresh
    for every send, the same one again for a retry of the same outbox row (``send_key``)."""
    link = booking.link
    if link.deleted_at is not None or link.kind == BookingLink.Kind.INSTANT:
        return None
    contact = booking.contact or contact_find_or_create(
        workspace=booking.workspace, email=booking.email, name=booking.name
    )
    return create(link=link, contact=contact, send_key=send_key)
