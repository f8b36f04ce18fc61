"""One-off meetings: the host's list and offer form at ``/calendar/one-off``, and the invitee's
page at ``/one-off/<token>``. Both work without JavaScript."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from booking import display, locations
from booking.models import OneOffMeeting
from booking.one_off import (
    host_free_times,
    one_off_get_for_user,
    one_off_get_public,
    one_offs_for,
    open_times,
)
from booking.one_off_models import MAX_TIMES
from booking.services.create import Attendee
from booking.services.errors import BookingClosed, BookingError, SlotTaken
from booking.services.one_off import (
    Offer,
    OneOffRefused,
    one_off_book,
    one_off_cancel,
    one_off_create,
)
from booking.views.after import after_booking_url
from workestra.inputs import parse_moment, validate_date_range
from workestra.lib import ratelimit
from workestra.tenancy import AuthedRequest, HtmxRequest, workspace_required
from workestra.timezones import is_valid_timezone

DURATIONS = (15, 30, 45, 60, 90, 120)
#: Where a one-off can take place: the kinds that need nothing from the invitee.
LOCATION_KINDS = [("", "To be agreed")] + [
    (k.value, k.label) for k in locations.Kind if k != locations.Kind.PHONE_HOST
]


class OfferForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={"required": "Give the meeting a title."},
    )
    duration = forms.TypedChoiceField(
        label="Length",
        coerce=int,
        choices=[(d, f"{d} minutes") for d in DURATIONS],
        initial=30,
        error_messages={"invalid_choice": "Pick one of the listed lengths."},
    )
    location_kind = forms.ChoiceField(label="Where", choices=LOCATION_KINDS, required=False)
    location_detail = forms.CharField(
        label="Address, number or meeting link",
        max_length=500,
        required=False,
        help_text="Needed for in person, a number to call, or a custom meeting link.",
    )
    invitee_name = forms.CharField(label="Invitee's name", max_length=200, required=False)
    invitee_email = forms.EmailField(
        label="Invitee's email",
        required=False,
        help_text="Optional: who the offer is for.",
        error_messages={"invalid": "Enter a valid email address."},
    )
    expires_at = forms.DateTimeField(
        label="Offer expires",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="In your time zone. Empty: in 14 days, or at the first offered time if sooner.",
        error_messages={"invalid": "Enter a date and time."},
        validators=[validate_date_range],
    )
    times = forms.MultipleChoiceField(
        label="Times to offer",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "One of the picked times is not a time."},
    )

    def __init__(self, *args: Any, zone: ZoneInfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        # Any ISO time is accepted here; the service checks each against the host's hours.
        posted = self.data.getlist("times") if hasattr(self.data, "getlist") else []
        self.fields["times"].choices = [(v, v) for v in posted]  # type: ignore[attr-defined]

    def clean_times(self) -> list[datetime]:
        picked = []
        for value in self.cleaned_data.get("times") or []:
            try:
                picked.append(parse_moment(value, invalid="One of the picked times is not a time."))
            except forms.ValidationError as exc:
                raise forms.ValidationError(exc.messages[0]) from None
        return picked

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, detail = data.get("location_kind"), data.get("location_detail", "")
        if kind and kind in locations.DETAIL_LABELS and not detail:
            self.add_error("location_detail", f"Enter the {locations.DETAIL_LABELS[kind].lower()}.")
        if data.get("expires_at") is not None:
            data["expires_at"] = _in_zone(data["expires_at"], self.zone)
        return data

    def offer(self) -> Offer:
        data = self.cleaned_data
        kind = data.get("location_kind") or ""
        place = ({"kind": kind, "detail": data.get("location_detail", "")},) if kind else ()
        return Offer(
            title=data["title"],
            duration=data["duration"],
            starts=tuple(data["times"]),
            location=place,
            invitee_name=data.get("invitee_name", ""),
            invitee_email=data.get("invitee_email", ""),
            expires_at=data.get("expires_at"),
        )


def _in_zone(moment: datetime, zone: ZoneInfo) -> datetime:
    """The form reads naive wall-clock input in the site's zone; re-read it in the host's."""
    return moment.replace(tzinfo=None).replace(tzinfo=zone)


def _picker_days(
    request: AuthedRequest, *, duration: int, zone: ZoneInfo, picked: set[str]
) -> list[dict[str, Any]]:
    """The host's free times for the next four weeks, by day, in their zone."""
    now = timezone.now()
    starts = host_free_times(
        workspace_id=request.workspace.pk, host_id=request.user.pk, duration=duration, now=now
    )
    days: dict[date, list[dict[str, Any]]] = {}
    for start in starts:
        local = start.astimezone(zone)
        value = start.astimezone(UTC).isoformat()
        days.setdefault(local.date(), []).append(
            {"value": value, "label": display.time_label(local, "24h"), "checked": value in picked}
        )
    return [
        {"day": display.day_name(d), "id": d.isoformat(), "times": times}
        for d, times in days.items()
    ]


@workspace_required
@require_http_methods(["GET", "POST"])
def one_off_list(request: AuthedRequest) -> HttpResponse:
    zone = ZoneInfo(request.user.timezone or "UTC")
    creating = request.method == "POST"
    form = OfferForm(request.POST if creating else None, zone=zone)
    if creating and form.is_valid():
        try:
            meeting = one_off_create(
                workspace=request.workspace, host=request.user, offer=form.offer()
            )
        except OneOffRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request, f"Offer “{meeting.title}” created. Send the invitee {meeting.public_url}"
            )
            return redirect("booking:one-off-list")
    duration = _duration(request)
    picked = set(request.POST.getlist("times"))
    context = {
        "form": form,
        "meetings": one_offs_for(request.membership)[:100],
        "days": _picker_days(request, duration=duration, zone=zone, picked=picked),
        "duration": duration,
        "durations": [(d, f"{d} minutes") for d in DURATIONS],
        "zone": str(zone),
        "max_times": MAX_TIMES,
        "now": timezone.now(),
        "base_url": settings.PUBLIC_BASE_URL,
    }
    status = 400 if creating else 200
    return render(request, "booking/one_off/list.html", context, status=status)


def _duration(request: AuthedRequest) -> int:
    raw = request.POST.get("duration") or request.GET.get("duration") or "30"
    try:
        value = int(raw)
    except ValueError:
        return 30
    return value if value in DURATIONS else 30


@workspace_required
@require_POST
def one_off_cancel_view(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = one_off_get_for_user(request.membership, pk)
    meeting = one_off_cancel(meeting=meeting)
    if meeting.status == OneOffMeeting.Status.CANCELLED:
        messages.success(request, f"Offer “{meeting.title}” withdrawn; its times are free again.")
    else:
        messages.info(
            request, f"Offer “{meeting.title}” is already {meeting.get_status_display().lower()}."
        )
    return redirect("booking:one-off-list")


# The invitee's page.


class PickForm(forms.Form):
    start = forms.CharField(error_messages={"required": gettext_lazy("Pick one of the times.")})
    name = forms.CharField(
        label=gettext_lazy("Your name"),
        max_length=200,
        error_messages={"required": gettext_lazy("Enter your name.")},
    )
    email = forms.EmailField(
        label=gettext_lazy("Email"),
        max_length=254,
        error_messages={
            "required": gettext_lazy("Enter your email address."),
            "invalid": gettext_lazy("Enter a valid email address."),
        },
    )
    timezone = forms.CharField(required=False)

    def clean_start(self) -> datetime:
        return parse_moment(self.cleaned_data["start"], invalid=gettext("Pick one of the times."))

    def clean_timezone(self) -> str:
        zone = self.cleaned_data.get("timezone") or ""
        return zone if is_valid_timezone(zone) else "UTC"


def _invitee_page(
    request: HtmxRequest,
    meeting: OneOffMeeting,
    *,
    form: PickForm | None = None,
    zone_name: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    if not is_valid_timezone(zone_name):
        zone_name = meeting.link.timezone
    zone = ZoneInfo(zone_name)
    chosen = form.data.get("start", "") if form is not None and form.is_bound else ""
    if form is None:
        form = PickForm(initial={"name": meeting.invitee_name, "email": meeting.invitee_email})
    days: dict[date, list[dict[str, Any]]] = {}
    for time in open_times(meeting, now=now):
        local = time.start.astimezone(zone)
        value = time.start.astimezone(UTC).isoformat()
        days.setdefault(local.date(), []).append(
            {
                "value": value,
                "label": display.time_range(time.start, time.end, zone_name, "24h"),
                "short": display.time_label(local, "24h"),
                "checked": value == chosen,
            }
        )
    context = {
        "meeting": meeting,
        "form": form,
        "closed": _closed_message(meeting, now),
        "days": [{"day": display.day_name(d), "times": t} for d, t in days.items()],
        "zone": zone_name,
        "timezones": display.zone_choices(now, first=zone_name, clock="24h"),
        "error": error,
        "places": [loc.public_label for loc in locations.link_locations(meeting.link.locations)],
        "expires": display.time_label(meeting.expires_at.astimezone(zone), "24h"),
        "expires_day": display.day_name(meeting.expires_at.astimezone(zone).date()),
    }
    return render(request, "booking/one_off/invitee.html", context, status=status)


def _closed_message(meeting: OneOffMeeting, now: datetime) -> str:
    if meeting.status == OneOffMeeting.Status.BOOKED:
        return gettext("This meeting is already booked.")
    if meeting.status == OneOffMeeting.Status.CANCELLED:
        return gettext("The host withdrew this offer.")
    if meeting.is_expired(now):
        return gettext("This offer has expired. Ask the host for new times.")
    return ""


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "booking/manage_message.html",
        {
            "title": gettext("Too many attempts"),
            "message": gettext("Please wait a minute and try again."),
        },
        status=429,
    )


@require_http_methods(["GET", "POST"])
def one_off_public(request: HtmxRequest, token: str) -> HttpResponse:
    if not ratelimit.hit(
        "token", ratelimit.client_ip(request), limit=settings.RATELIMIT_TOKENS_PER_MINUTE
    ):
        return _too_many(request)
    meeting = one_off_get_public(token)
    if meeting is None:
        raise Http404("This link is not valid.")
    if request.method == "GET":
        return _invitee_page(request, meeting, zone_name=request.GET.get("tz", ""))
    form = PickForm(request.POST)
    zone_name = request.POST.get("timezone", "")
    if not form.is_valid():
        return _invitee_page(request, meeting, form=form, zone_name=zone_name, status=400)
    data = form.cleaned_data
    attendee = Attendee(name=data["name"], email=data["email"], timezone=data["timezone"])
    try:
        meeting = one_off_book(meeting=meeting, start=data["start"], attendee=attendee)
    except BookingError as exc:
        meeting.refresh_from_db()
        status = 409 if isinstance(exc, (SlotTaken, BookingClosed)) else 400
        return _invitee_page(
            request, meeting, form=form, zone_name=zone_name, error=exc.message, status=status
        )
    assert meeting.booking is not None
    return redirect(after_booking_url(meeting.booking), permanent=False)
