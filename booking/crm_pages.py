"""What the CRM pages show of booking: a contact's or a deal's bookings and the viewer's links.

``BookingConfig.ready()`` provides these through ``crm.hooks``, since crm cannot import booking.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext

from booking.models import Booking, BookingLink
from crm.hooks import ContactAction, CrmBooking, SchedulingLink
from workestra.models import Membership

# A contact page is a summary; the calendar lists everything.
MAX_BOOKINGS = 200


def crm_bookings(
    workspace_id: int, *, contact_id: int | None = None, deal_id: int | None = None
) -> list[CrmBooking]:
    rows = Booking.objects.filter(workspace_id=workspace_id)
    if contact_id is not None:
        rows = rows.filter(contact_id=contact_id)
    if deal_id is not None:
        rows = rows.filter(deal_id=deal_id)
    rows = rows.select_related("link", "host").order_by("start", "pk")[:MAX_BOOKINGS]
    return [
        CrmBooking(
            title=booking.link.title,
            start=booking.start,
            end=booking.end,
            status=booking.get_status_display(),
            host=booking.host.display_name,
            url=reverse("booking:calendar-booking", args=[booking.pk]),
        )
        for booking in rows
    ]


def member_links(membership: Membership) -> list[SchedulingLink]:
    links = BookingLink.objects.live().filter(
        workspace_id=membership.workspace_id, owner_id=membership.user_id, is_active=True
    )
    return [
        SchedulingLink(pk=link.pk, title=link.title, path=link.public_path)
        for link in links.order_by("title", "pk")
    ]


def contact_actions(contact_id: int) -> list[ContactAction]:
    """A single-use link for the contact: the form on /calendar/single-use, the contact picked."""
    url = f"{reverse('booking:single-use-list')}?contact={contact_id}#single-use-new"
    return [ContactAction(label=gettext("Create single-use link"), url=url)]
