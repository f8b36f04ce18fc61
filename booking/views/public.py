"""The public booking page, ``/book/<slug>``: no login, works without JavaScript, HTMX on top."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.views.decorators.http import require_http_methods

from availability import engine
from booking import display, routing, selectors, services, single_use, tokens
from booking.answer_fields import prefill, question_keys
from booking.embed import embeddable, is_embed, link_by_slug
from booking.forms import BookingRequestForm, clean_answers, clean_utm
from booking.models import BookingLink
from booking.views.after import after_booking_url
from booking.views.checkout import checkout_in_new_tab, checkout_redirect
from booking.views.instant import instant
from workestra.inputs import date_in_range, parse_moment, text_problem
from workestra.lib import ratelimit
from workestra.tenancy import HtmxRequest
from workestra.timezones import is_valid_timezone

CONFIRM_MAX_AGE = 7 * 24 * 3600
PREFILL_KEYS = ("name", "email", "phone", "guests")
SINGLE_USE = "single_use"  # the single-use token's query parameter and form field


@dataclass
class Picker:
    """Everything the month/day/slot picker shows, computed once per request."""

    link: BookingLink
    query: QueryDict
    zone: str  # the zone times are displayed in
    attendee_zone: str
    duration: int
    month: date
    selected: date | None
    slots_by_day: dict[date, list[datetime]]
    slot: datetime | None
    base_path: str
    fixed_duration: bool = False
    seats_left: dict[datetime, int] = field(default_factory=dict)  # group links only
    clock: str = "24h"  # set from the query or the attendee's language when the page renders

    def url(self, **changes: Any) -> str:
        params = self.query.copy()
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = str(value)
        return f"{self.base_path}?{params.urlencode()}"

    @property
    def today(self) -> date:
        return timezone.now().astimezone(ZoneInfo(self.zone)).date()

    @property
    def weekdays(self) -> list[dict[str, str]]:
        return [{"short": WEEKDAYS_ABBR[i], "full": WEEKDAYS[i]} for i in range(7)]

    @property
    def weeks(self) -> list[list[dict[str, Any]]]:
        today, weeks = self.today, []
        for week in calendar.Calendar().monthdatescalendar(self.month.year, self.month.month):
            weeks.append(
                [
                    {
                        "date": d,
                        "in_month": d.month == self.month.month,
                        "available": bool(self.slots_by_day.get(d)),
                        "selected": d == self.selected,
                        "today": d == today,
                        "label": display.day_label(d, len(self.slots_by_day.get(d, []))),
                        "url": self.url(date=d.isoformat(), month=d.strftime("%Y-%m"), slot=None),
                    }
                    for d in week
                ]
            )
        return weeks

    @property
    def day_slots(self) -> list[dict[str, Any]]:
        zone, local = ZoneInfo(self.zone), ZoneInfo(self.attendee_zone)
        return [
            {
                "start": s,
                "label": display.time_label(s.astimezone(zone), self.clock),
                "attendee_label": display.time_label(s.astimezone(local), self.clock),
                "url": self.url(slot=s.astimezone(zone).isoformat()),
                "chosen": s == self.slot,
                "seats_left": self.seats_left.get(s),
            }
            for s in (self.slots_by_day.get(self.selected, []) if self.selected else [])
        ]

    @property
    def announcement(self) -> str:
        """What the live region says once the picker has changed."""
        if self.selected is None:
            return ""
        return display.times_on(self.selected, len(self.slots_by_day.get(self.selected, [])))

    @property
    def clock_options(self) -> list[dict[str, Any]]:
        return [
            {"clock": c, "url": self.url(clock=c), "chosen": c == self.clock}
            for c in display.CLOCKS
        ]

    @property
    def slot_heading(self) -> str:
        if self.slot is None:
            return ""
        end = self.slot + timedelta(minutes=self.duration)
        return display.time_range(self.slot, end, self.zone, self.clock)

    @property
    def prev_month_url(self) -> str | None:
        today = timezone.now().astimezone(ZoneInfo(self.zone)).date().replace(day=1)
        if self.month <= today:
            return None
        prev = (self.month - timedelta(days=1)).replace(day=1)
        return self.url(month=prev.strftime("%Y-%m"), date=None, slot=None)

    @property
    def next_month_url(self) -> str | None:
        nxt = (self.month + timedelta(days=32)).replace(day=1)
        if nxt > horizon_month(self.link, ZoneInfo(self.zone)):
            return None  # nothing can be booked that far ahead
        return self.url(month=nxt.strftime("%Y-%m"), date=None, slot=None)

    @property
    def duration_options(self) -> list[dict[str, Any]]:
        return [
            {"minutes": d, "url": self.url(duration=d, slot=None), "chosen": d == self.duration}
            for d in self.link.duration_choices
        ]


def horizon_month(link: BookingLink, zone: ZoneInfo) -> date:
    """The last month that can hold a bookable day: the link takes bookings this far ahead."""
    last_day = timezone.now().astimezone(zone).date() + timedelta(days=link.max_days_ahead)
    return last_day.replace(day=1)


def _month_param(value: str | None, link: BookingLink, zone: ZoneInfo) -> tuple[date, bool]:
    """The month asked for, kept between this month and the booking horizon's."""
    today = timezone.now().astimezone(zone).date()
    try:
        month = datetime.strptime(value or "", "%Y-%m").date()  # noqa: DTZ007 - a calendar month
    except ValueError:
        return today.replace(day=1), False
    if not date_in_range(month):
        return today.replace(day=1), False
    return min(max(month, today.replace(day=1)), horizon_month(link, zone)), True


def _date_param(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


def _slot_param(value: str | None) -> datetime | None:
    try:
        return parse_moment(value or "", invalid="")
    except ValidationError:
        return None


def _slots_in_month(
    link: BookingLink, month: date, zone: ZoneInfo, duration: int, exclude_booking_id: int | None
) -> tuple[dict[date, list[datetime]], dict[datetime, int]]:
    """Offered starts per local day, and the seats left at each on a group link."""
    next_month = (month + timedelta(days=32)).replace(day=1)
    start = engine.from_epoch(engine.local_midnight_epoch(month, zone))
    end = engine.from_epoch(engine.local_midnight_epoch(next_month, zone))
    found = selectors.link_availability(
        link,
        start=start,
        end=end,
        now=timezone.now(),
        duration=duration,
        exclude_booking_id=exclude_booking_id,
        cached=True,
    )
    by_day: dict[date, list[datetime]] = {}
    seats: dict[datetime, int] = {}
    for ts in found.offered_starts():
        moment = engine.from_epoch(ts)
        by_day.setdefault(moment.astimezone(zone).date(), []).append(moment)
        left = found.seats_left(ts)
        if left is not None:
            seats[moment] = left
    return by_day, seats


def build_picker(
    link: BookingLink,
    query: QueryDict,
    *,
    base_path: str | None = None,
    fixed_duration: int | None = None,
    exclude_booking_id: int | None = None,
) -> Picker:
    """The picker's state from the query string; bad values fall back to sensible defaults."""
    attendee_zone = query.get("tz", "")
    if not is_valid_timezone(attendee_zone):
        attendee_zone = link.timezone
    zone_name = link.timezone if link.lock_timezone else attendee_zone
    zone = ZoneInfo(zone_name)
    try:
        duration = fixed_duration or int(query.get("duration", link.duration))
    except ValueError:
        duration = link.duration
    if duration not in link.duration_choices and not fixed_duration:
        duration = link.duration
    month, month_chosen = _month_param(query.get("month"), link, zone)
    slots, seats = _slots_in_month(link, month, zone, duration, exclude_booking_id)
    if not slots and not month_chosen and month < horizon_month(link, zone):
        month = (month + timedelta(days=32)).replace(day=1)
        slots, seats = _slots_in_month(link, month, zone, duration, exclude_booking_id)
    selected = _date_param(query.get("date"))
    if selected is None or selected not in slots:
        selected = min(slots) if slots else None
    slot = _slot_param(query.get("slot"))
    if slot is not None and slot not in slots.get(slot.astimezone(zone).date(), []):
        slot = None
    if slot is not None:
        selected = slot.astimezone(zone).date()
    return Picker(
        link=link,
        query=query,
        zone=zone_name,
        attendee_zone=attendee_zone,
        duration=duration,
        month=month,
        selected=selected,
        slots_by_day=slots,
        slot=slot,
        base_path=base_path or link.public_path,
        fixed_duration=fixed_duration is not None,
        seats_left=seats,
    )


def _form_initial(link: BookingLink, query: QueryDict, picker: Picker) -> dict[str, Any]:
    initial: dict[str, Any] = {key: query.get(key, "")[:200] for key in PREFILL_KEYS}
    if token := query.get(SINGLE_USE, ""):
        for key, value in single_use.prefill(link, token).items():
            initial[key] = initial[key] or value
    initial.update(
        timezone=picker.attendee_zone,
        duration=picker.duration,
        start=picker.slot.isoformat() if picker.slot else "",
    )
    initial.update(prefill(link, query))
    return initial


def _hidden_extras(link: BookingLink, query: QueryDict) -> dict[str, str]:
    """UTM values and pre-filled answers travel with the form as hidden fields (any that could
    not be stored are left behind; the posted form refuses them). Answers to the link's own
    questions are not among them: those fields show, pre-filled."""
    asked = question_keys(link)
    flat = {
        k: value for k in query if k not in asked and not text_problem(value := query.get(k, ""))
    }
    extras = {**clean_utm(flat), **clean_answers(flat)}
    ticket = flat.get(routing.TICKET_PARAM, "")
    if ticket and len(ticket) <= routing.MAX_TICKET_CHARS:
        extras[routing.TICKET_PARAM] = ticket  # checked when the booking is made
    return extras


def _single_use_extra(query: QueryDict) -> dict[str, str]:
    token = query.get(SINGLE_USE, "")
    return {SINGLE_USE: token} if tokens.is_well_formed(token) else {}


def render_picker_page(
    request: HtmxRequest,
    link: BookingLink,
    *,
    picker: Picker,
    form: forms.Form | None = None,
    error: str = "",
    status: int = 200,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """The booking page (or just its picker for HTMX), shared by booking and rescheduling."""
    form = form or BookingRequestForm(link=link, initial=_form_initial(link, picker.query, picker))
    if not error and (token := _single_use_extra(picker.query).get(SINGLE_USE)):
        error = single_use.notice(link, token, timezone.now())
    picker.clock = display.clock_for(
        picker.query.get("clock"), request.headers.get("Accept-Language", "")
    )
    context = {
        "link": link,
        "picker": picker,
        "form": form,
        "error": error,
        "extras": {**_hidden_extras(link, picker.query), **_single_use_extra(picker.query)},
        # Only a first visit asks the browser for its zone: an answer to a POST already shows
        # the zone the attendee used, and swapping it would throw their message and entries away.
        "detect_timezone": request.method == "GET" and not request.GET.get("tz"),
        **(extra or {}),
    }
    if moving := context.get("rescheduling"):
        # On the attendee's clock and in the zone the picker shows, like the times to move to.
        context["rescheduling_from"] = display.time_range(
            moving.start, moving.end, picker.zone, picker.clock
        )
    if not request.htmx:
        # The long list of zones is part of the full page only, outside the part HTMX swaps.
        context["timezone_options"] = display.zone_options(
            timezone.now(), selected=picker.zone, clock=picker.clock
        )
    template = "booking/book.html#picker" if request.htmx else "booking/book.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@embeddable(link_by_slug)
@require_http_methods(["GET", "POST"])
def book(request: HtmxRequest, slug: str) -> HttpResponse:
    link = selectors.link_get_public(slug)
    if link is None:
        if selectors.link_was_deleted(slug):
            return render(request, "booking/inactive.html", {"deleted": True}, status=404)
        raise Http404("No booking link here.")
    if not link.is_active:
        # Paused: the page says so in words that do not suggest the link is gone for good (the
        # status stays 410, as the API answers for a paused link).
        return render(request, "booking/inactive.html", {"link": link}, status=410)
    if link.kind == BookingLink.Kind.INSTANT:
        return instant(request, link)
    if request.method == "POST":
        return _book_post(request, link)
    return render_picker_page(request, link, picker=build_picker(link, request.GET))


def _book_post(request: HtmxRequest, link: BookingLink) -> HttpResponse:
    # The picker is rebuilt from what was posted, so an error shows the same day and zone, and
    # the slot links carry the attendee's details forward.
    query = request.GET.copy()
    query["tz"] = request.POST.get("timezone", "")
    for posted, param in (("duration", "duration"), ("start", "slot")):
        if request.POST.get(posted):
            query[param] = request.POST[posted]
    for key in PREFILL_KEYS:
        if request.POST.get(key):
            query[key] = request.POST[key][:200]
    for key in question_keys(link):
        # Short answers ride along in the picker's links: choosing another time keeps them.
        if values := [v for v in request.POST.getlist(key) if len(v) <= 200]:
            query.setlist(key, values)
    for key, value in _hidden_extras(link, request.POST).items():
        query.setdefault(key, value)
    single_use_token = _single_use_extra(request.POST).get(SINGLE_USE, "")
    if single_use_token:
        query[SINGLE_USE] = single_use_token
    if not ratelimit.hit(
        "book", ratelimit.client_ip(request), limit=settings.RATELIMIT_BOOKINGS_PER_MINUTE
    ):
        picker = build_picker(link, query)
        return render_picker_page(
            request,
            link,
            picker=picker,
            status=429,
            error="Too many attempts. Please wait a minute and try again.",
        )
    flat = {k: request.POST.get(k, "") for k in request.POST}
    form = BookingRequestForm(request.POST, request.FILES, link=link, answers=flat, utm=flat)
    if not form.is_valid():
        # Errors on the hidden fields (time, length, zone) are shown above the picker.
        hidden = [str(m) for k in ("start", "duration", "timezone") for m in form.errors.get(k, [])]
        picker = build_picker(link, query)
        return render_picker_page(
            request, link, picker=picker, form=form, error=" ".join(hidden), status=400
        )
    data = form.cleaned_data
    attendee = services.Attendee(
        name=data["name"],
        email=data["email"],
        timezone=data["timezone"],
        phone=data.get("phone", ""),
        guests=tuple(data.get("guests", [])),
        answers=data["answers"],
        answer_labels=data["answer_labels"],
        uploads=data["uploads"],
        utm=data["utm"],
        location=data.get("location", ""),
    )
    ticket = routing.ticket_read(request.POST.get(routing.TICKET_PARAM, ""), link_id=link.pk)
    try:
        booking = services.booking_create(
            link=link,
            start=data["start"],
            attendee=attendee,
            duration=data["duration"],
            single_use_token=single_use_token,
            ticket=ticket,
        )
    except services.BookingError as exc:
        keep_day(query, link, data["start"])
        picker = build_picker(link, query)
        status = 409 if isinstance(exc, services.SlotTaken) else 400
        return render_picker_page(
            request, link, picker=picker, form=form, error=exc.message, status=status
        )
    if booking.status == booking.Status.PENDING_PAYMENT:
        return _to_checkout(request, link, booking, query=query, form=form)
    return redirect(after_booking_url(booking, embedded=is_embed(request)), permanent=False)


def _to_checkout(
    request: HtmxRequest, link: BookingLink, booking: Any, *, query: QueryDict, form: Any
) -> HttpResponse:
    """A paid link: the time is held; the attendee pays on Stripe Checkout."""
    try:
        if is_embed(request):
            return checkout_in_new_tab(request, booking)
        return checkout_redirect(booking)
    except services.BookingError as exc:
        picker = build_picker(link, query)
        return render_picker_page(
            request, link, picker=picker, form=form, error=exc.message, status=400
        )


def keep_day(query: QueryDict, link: BookingLink, start: datetime | None) -> None:
    """A refused time leaves the list: show the fresh list of its day, in the zone the attendee
    was looking at, rather than the first open day of this month."""
    query.pop("slot", None)
    if start is None:
        return
    zone = query.get("tz", "")
    if link.lock_timezone or not is_valid_timezone(zone):
        zone = link.timezone
    try:
        day = start.astimezone(ZoneInfo(zone)).date()
    except (OverflowError, ValueError):
        return
    query["date"] = day.isoformat()
    query["month"] = day.strftime("%Y-%m")
