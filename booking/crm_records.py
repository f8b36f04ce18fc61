"""A booking's CRM contact and deal: useful, not essential (booking links, "Behind the scenes").

The booking's transaction tries to write them; when that fails the booking still stands, the
failure shows on its timeline as the outbox row that retries it, and the retry creates what is
missing, once.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import QuerySet

from booking import kinds
from booking.models import Booking
from crm.services import contact_find_or_create, deal_create
from workflows import outbox
from workflows.models import OutboxMessage

logger = logging.getLogger(__name__)


def crm_records_write(booking: Booking) -> None:
    """Find or create the booking's contact and create the deal its link asks for, inside the
    caller's transaction; a failure is handed to the outbox instead of failing the booking."""
    try:
        _attach(booking)
    except Exception as exc:  # a non-essential step never fails the booking
        logger.warning(
            "CRM records for booking %s failed; retrying later", booking.pk, exc_info=True
        )
        outbox.enqueue_failed(
            kind=kinds.CRM_RECORDS,
            key=f"booking:{booking.pk}:crm-records",
            payload={"booking_id": booking.pk},
            subject=booking.subject,
            error=f"{type(exc).__name__}: {exc}",
        )


def _attach(booking: Booking) -> None:
    """Each write in its own savepoint, so a failing deal keeps the contact, and the booking's
    fields change in memory only once their row is in."""
    link = booking.link
    if booking.contact_id is None:
        with transaction.atomic():
            contact = contact_find_or_create(
                workspace=link.workspace,
                email=booking.email,
                name=booking.name,
                phone=booking.phone,
            )
            _chain(booking).filter(contact__isnull=True).update(contact=contact)
        booking.contact = contact
    if booking.deal_id is None and link.create_deal and link.deal_stage_id:
        deal_contact, stage = booking.contact, link.deal_stage
        assert deal_contact is not None and stage is not None  # attached above; the stage id is set
        with transaction.atomic():
            deal = deal_create(
                workspace=link.workspace,
                contact=deal_contact,
                stage=stage,
                title=f"{link.title}: {booking.name}",
                value=link.deal_value,
            )
            _chain(booking).filter(deal__isnull=True).update(deal=deal)
        booking.deal = deal


def _chain(booking: Booking) -> QuerySet[Booking]:
    """The booking and the rows it was moved to since (a move copies contact and deal, so a move
    made before a retry gets them too)."""
    ids = [booking.pk]
    while True:
        moved_to = Booking.objects.filter(rescheduled_from_id=ids[-1]).values_list("pk", flat=True)
        following = moved_to.first()
        if following is None:
            return Booking.objects.filter(pk__in=ids)
        ids.append(following)


def retry_crm_records(message: OutboxMessage) -> None:
    # The row lock makes a repeat (a second worker after a lease ran out) see the first's deal.
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("link", "link__workspace")
            .filter(pk=message.payload.get("booking_id"))
            .first()
        )
        if booking is None:
            raise outbox.Drop("the booking no longer exists")
        _attach(booking)
