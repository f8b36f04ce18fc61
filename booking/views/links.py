"""Host settings for booking links: ``/settings/booking-links``. Plain forms first, HTMX on top."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from booking import selectors, services
from booking.forms import BookingLinkForm
from booking.models import BookingLink
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
        # A new link starts with the owner's default hours (set during onboarding).
        instance=BookingLink(owner=request.user, weekly_hours=dict(request.user.working_hours)),
    )
    if request.method == "POST" and form.is_valid():
        link = services.link_save(link=form.save(commit=False), hosts=form.cleaned_data["hosts"])
        messages.success(request, f"“{link.title}” is live at {link.public_url}")
        return redirect("booking:link-list")
    status = 400 if form.is_bound else 200
    return render(
        request, "booking/links/form.html", {"form": form, "creating": True}, status=status
    )


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
    if request.method == "POST" and form.is_valid():
        link = services.link_save(link=form.save(commit=False), hosts=form.cleaned_data["hosts"])
        messages.success(request, f"Saved “{link.title}”.")
        return redirect("booking:link-list")
    status = 400 if form.is_bound else 200
    context = {"form": form, "link": link, "location_warnings": selectors.location_warnings(link)}
    return render(request, "booking/links/form.html", context, status=status)


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
