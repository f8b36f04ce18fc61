"""The CRM pages: contacts (``/crm/contacts``) and deals (``/crm/deals``), each with its detail.

Lists go through the workspace scope and one row through its ``*_get_for_user`` selector, so
another workspace's contact or deal is a 404. What booking knows (a contact's bookings, the
viewer's booking links) comes through :mod:`crm.hooks`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from crm import hooks, selectors
from crm.hooks import CrmBooking, SchedulingLink
from crm.models import Contact, Pipeline
from workestra.tenancy import AuthedRequest, scoped, workspace_required

PAGE_SIZE = 25
MAX_QUERY = 200


@workspace_required
def contact_list(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:MAX_QUERY].strip()
    contacts = selectors.contacts_matching(scoped(Contact.objects.all(), request), query)
    page = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "crm/contacts.html", {"page": page, "query": query})


@workspace_required
def contact_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get_for_user(request.membership, pk)
    bookings = hooks.bookings_of(request.workspace.pk, contact_id=contact.pk)
    return render(
        request,
        "crm/contact.html",
        {
            "contact": contact,
            "deals": selectors.contact_deals(contact),
            "contact_actions": hooks.contact_actions(contact.pk),
            **_bookings_context(bookings),
            **_schedule_context(request, contact),
        },
    )


@workspace_required
def deal_list(request: AuthedRequest) -> HttpResponse:
    pipelines = list(scoped(Pipeline.objects.all(), request).order_by("name", "pk"))
    wanted = request.GET.get("pipeline", "")
    chosen = next(
        (p for p in pipelines if str(p.pk) == wanted), pipelines[0] if pipelines else None
    )
    return render(
        request,
        "crm/deals.html",
        {
            "pipelines": pipelines,
            "pipeline": chosen,
            "columns": selectors.pipeline_board(chosen) if chosen else [],
        },
    )


@workspace_required
def deal_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    deal = selectors.deal_get_for_user(request.membership, pk)
    bookings = hooks.bookings_of(request.workspace.pk, deal_id=deal.pk)
    return render(
        request,
        "crm/deal.html",
        {
            "deal": deal,
            "contact": deal.contact,
            **_bookings_context(bookings),
            **_schedule_context(request, deal.contact),
        },
    )


@workspace_required
def schedule_call(request: AuthedRequest, pk: int) -> HttpResponse:
    """The chosen link's booking page, prefilled with the contact (the form's way without JS)."""
    contact = selectors.contact_get_for_user(request.membership, pk)
    links = hooks.links_of(request.membership)
    chosen = next((link for link in links if str(link.pk) == request.GET.get("link")), None)
    if chosen is None:
        raise Http404("Pick one of your booking links.")
    return redirect(booking_url(chosen, contact))


def booking_url(link: SchedulingLink, contact: Contact) -> str:
    """The link's public page with the booking form filled in for ``contact``."""
    prefill = {"name": contact.name, "email": contact.email, "phone": contact.phone}
    return f"{link.path}?{urlencode({k: v for k, v in prefill.items() if v})}"


def _bookings_context(bookings: list[CrmBooking]) -> dict[str, Any]:
    now = timezone.now()
    return {
        "upcoming": [b for b in bookings if b.start >= now],
        "past": [b for b in reversed(bookings) if b.start < now],
    }


def _schedule_context(request: AuthedRequest, contact: Contact) -> dict[str, Any]:
    links = hooks.links_of(request.membership)
    return {
        "schedule_links": links,
        "schedule_url": booking_url(links[0], contact) if links else "",
        "user_zone": request.user.timezone,
    }
