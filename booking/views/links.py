"""Host settings for booking links: ``/settings/booking-links``. Plain forms first, HTMX on top."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from booking import selectors, services
from booking.answers import link_questions
from booking.forms import BookingLinkForm
from booking.models import BookingLink
from booking.questions import MAX_QUESTIONS
from booking.views.embed_settings import share_context
from workestra.tenancy import AuthedRequest, scoped, workspace_required


@workspace_required
def link_list(request: AuthedRequest) -> HttpResponse:
    links = scoped(BookingLink.objects.live(), request).select_related("owner")
    return render(request, "booking/links/list.html", {"links": links})


@workspace_required
@require_http_methods(["GET", "POST"])
def link_create(request: AuthedRequest) -> HttpResponse:
    initial = {"timezone": request.user.timezone}
    form = BookingLinkForm(
        request.POST or None,
        workspace=request.workspace,
        initial=initial,
        # A new link has no schedule of its own: it offers the owner's default hours.
        instance=BookingLink(owner=request.user),
    )
    saved, context = _submit(request, form)
    if saved:
        messages.success(request, f"“{saved.title}” is live at {saved.public_url}")
        return redirect("booking:link-list")
    context["creating"] = True
    return render(request, "booking/links/form.html", context, status=context.pop("status"))


@workspace_required
@require_http_methods(["GET", "POST"])
def link_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    link = selectors.link_get_for_user(request.membership, pk, write=request.method == "POST")
    form = BookingLinkForm(
        request.POST or None,
        workspace=request.workspace,
        # A copy: validation writes the submitted values onto the instance, and a rejected
        # submit must not show them as the link's title and public URL.
        instance=copy.copy(link),
    )
    saved, context = _submit(request, form)
    if saved:
        messages.success(request, f"Saved “{saved.title}”.")
        return redirect("booking:link-list")
    context |= {
        "link": link,
        "location_warnings": selectors.location_warnings(link),
        "questions": link_questions(link.questions),
        "max_questions": MAX_QUESTIONS,
        **share_context(link),
    }
    return render(request, "booking/links/form.html", context, status=context.pop("status"))


def _submit(
    request: AuthedRequest, form: BookingLinkForm
) -> tuple[BookingLink | None, dict[str, Any]]:
    """Save a valid submit and return the link; else the page's context. "Update form" only
    redraws for the chosen event type, and a link offering no time needs "Save anyway"."""
    if not form.is_bound:
        return None, {"form": form, "status": 200}
    if request.POST.get("refresh"):
        form.show_without_checking()
        return None, {"form": form, "status": 200, "refreshed": True}
    if form.is_valid():
        try:
            link = services.link_save(
                link=form.save(commit=False),
                hosts=form.cleaned_data["hosts"],
                require_times=not request.POST.get("save_anyway"),
            )
        except services.LinkOffersNoTime:
            return None, {"form": form, "status": 400, "offers_no_time": True}
        return link, {}
    return None, {"form": form, "status": 400}


@workspace_required
@require_POST
def link_toggle(request: AuthedRequest, pk: int) -> HttpResponse:
    link = selectors.link_get_for_user(request.membership, pk, write=True)
    link = services.link_set_active(link=link, active=not link.is_active)
    if request.htmx:
        return render(request, "booking/links/list.html#link-row", {"link": link})
    state = "active" if link.is_active else "paused"
    messages.success(request, f"“{link.title}” is now {state}.")
    return redirect("booking:link-list")


@workspace_required
@require_http_methods(["GET", "POST"])
def link_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    link = selectors.link_get_for_user(request.membership, pk, write=True)
    if request.method == "GET":
        return render(request, "booking/links/delete.html", {"link": link})
    link = services.link_delete(link=link)
    if request.htmx:
        return HttpResponse("")
    messages.success(request, f"Deleted “{link.title}”.")
    return redirect("booking:link-list")
