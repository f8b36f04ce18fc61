"""One booking of the host's calendar, with its timeline and what the host can do with it.

Every query goes through the workspace scope: another workspace's booking is a 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from booking import answers, selectors, services, timeline
from booking.models import Booking, BookingEvent
from booking.services import BookingError
from workestra.lib.formatting import local_range
from workestra.tenancy import AuthedRequest, workspace_required


class HostCancelForm(forms.Form):
    reason = forms.CharField(
        max_length=services.MAX_REASON,
        error_messages={
            "required": "Give a reason: the attendee will see it in the cancellation email.",
            "max_length": "Keep the reason under %(limit_value)d characters "
            "(it has %(show_value)d).",
        },
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "The attendee sees this in the cancellation email"}
        ),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(self.fields["reason"].error_messages["required"])
        return reason


class NewTimeForm(forms.Form):
    note = forms.CharField(
        label="Message to the attendee (optional)",
        required=False,
        max_length=services.MAX_NOTE,
        error_messages={
            "max_length": "Keep the message under %(limit_value)d characters "
            "(it has %(show_value)d).",
        },
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": "Sorry, something came up. Could we move this?"}
        ),
    )


def _zone(request: AuthedRequest) -> str:
    return request.user.timezone


def _detail(
    request: AuthedRequest,
    booking: Booking,
    *,
    form: HostCancelForm | None = None,
    new_time_form: NewTimeForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    now, host = timezone.now(), BookingEvent.By.HOST
    zone = _zone(request)
    context: dict[str, Any] = {
        "booking": booking,
        "zone": zone,
        "when": local_range(booking.start, booking.end, zone),
        "when_attendee": local_range(booking.start, booking.end, booking.timezone),
        "entries": timeline.booking_timeline(booking, zone=zone),
        "answers": answers.booking_answer_rows(booking, downloads=True),
        "routed": selectors.routing_response_of(booking),
        "may_change": selectors.booking_may_change(request.membership, booking),
        "can_cancel": booking.refusal(Booking.Change.CANCEL, now, by=host) is None,
        "can_mark_no_show": booking.refusal(Booking.Change.NO_SHOW, now, by=host) is None,
        "cancel_form": form or HostCancelForm(),
        "new_time_form": new_time_form or NewTimeForm(),
        "new_time_refusal": services.new_time_refusal(booking, now),
        "error": error,
    }
    return render(request, "booking/calendar/detail.html", context, status=status)


@workspace_required
def booking_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.booking_get_for_user(request.membership, pk))


@workspace_required
@require_POST
def booking_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_get_for_user(request.membership, pk, write=True)
    form = HostCancelForm(request.POST)
    if not form.is_valid():
        return _detail(request, booking, form=form, status=400)
    try:
        services.booking_host_cancel(
            booking=booking, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except BookingError as exc:
        return _detail(request, booking, form=form, error=exc.message, status=409)
    messages.success(request, "The meeting is cancelled. The attendee is being notified.")
    return redirect("booking:calendar-booking", booking.pk)


@workspace_required
@require_POST
def booking_no_show(request: AuthedRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_get_for_user(request.membership, pk, write=True)
    undo = request.POST.get("undo") == "1"
    action = services.booking_undo_no_show if undo else services.booking_mark_no_show
    try:
        action(booking=booking, actor=request.user)
    except BookingError as exc:
        return _detail(request, booking, error=exc.message, status=409)
    messages.success(request, "Marked as attended again." if undo else "Marked as a no-show.")
    return redirect("booking:calendar-booking", booking.pk)


@workspace_required
@require_POST
def booking_ask_to_reschedule(request: AuthedRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_get_for_user(request.membership, pk, write=True)
    form = NewTimeForm(request.POST)
    if not form.is_valid():
        return _detail(request, booking, new_time_form=form, status=400)
    try:
        services.booking_ask_new_time(
            booking=booking, actor=request.user, note=form.cleaned_data["note"]
        )
    except BookingError as exc:
        return _detail(request, booking, new_time_form=form, error=exc.message, status=409)
    messages.success(
        request,
        f"We're emailing {booking.name} a link to pick a new time. The meeting stays "
        "booked until they do.",
    )
    return redirect("booking:calendar-booking", booking.pk)


#: What a downloaded answer file is served as: its type read from its content when it came in.
_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "text": "text/plain; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@workspace_required
def answer_file(request: AuthedRequest, token: str) -> HttpResponseBase:
    """A file an attendee uploaded, through the signed link on the booking's page: it must be
    fresh, and the booking in the host's workspace (another workspace's booking is a 404)."""
    try:
        booking_id, key = answers.read_download_token(token)
    except answers.DownloadRefused as exc:
        raise PermissionDenied(exc.message) from None
    booking = selectors.booking_get_for_user(request.membership, booking_id)
    info = (booking.answer_files or {}).get(key)
    if not isinstance(info, dict) or not default_storage.exists(info.get("key", "")):
        raise Http404("This file is no longer kept.")
    response = FileResponse(
        default_storage.open(info["key"], "rb"),
        as_attachment=True,
        filename=info.get("name") or "file",
        content_type=_CONTENT_TYPES.get(info.get("type", ""), "application/octet-stream"),
    )
    response["Cache-Control"] = "private, no-store"
    return response
