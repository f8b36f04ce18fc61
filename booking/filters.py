"""The filters of the host's booking list (``/calendar/bookings``) and its CSV export.

A GET form: search by attendee, link, host, status and a range of dates in the host's zone.
Choices are limited to the request's workspace, so another workspace's link or member is an
invalid choice, never a filter that leaks whether it exists.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Model, Q, QuerySet

from booking import dashboard
from booking.models import Booking, BookingLink
from workestra.inputs import validate_date_range
from workestra.lib.fields import model_choice_field
from workestra.models import User, Workspace

MAX_SEARCH = 200
M = TypeVar("M", bound=Model)


def status_choices() -> list[tuple[str, str]]:
    # The default tab first: a form with no status shows the list it names.
    keys = [*dashboard.TABS, dashboard.BOOKED, dashboard.ALL]
    return [(tab.key, tab.label) for tab in keys]


def day_field(label: Any, invalid: Any) -> forms.DateField:
    """An optional end of a filter's range of days, typed in a date input; ``invalid`` is what
    an unreadable date is told."""
    return forms.DateField(
        label=label,
        required=False,
        validators=[validate_date_range],
        error_messages={"invalid": invalid},
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def check_day_order(form: forms.Form, data: dict[str, Any], message: Any) -> None:
    """Refuse a range whose ``end`` day comes before its ``start`` day, on ``end``."""
    start, end = data.get("start"), data.get("end")
    if start and end and end < start:
        form.add_error("end", message)


class BookingFilterForm(forms.Form):
    q = forms.CharField(
        label="Search attendee",
        required=False,
        max_length=MAX_SEARCH,
        error_messages={
            "max_length": "Search for at most %(limit_value)d characters (this has %(show_value)d)."
        },
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or email"}),
    )
    # Free text checked in clean_status: an unknown status falls back instead of failing.
    status = forms.CharField(label="Status", required=False, widget=forms.Select)
    link = forms.ModelChoiceField(
        label="Link",
        queryset=BookingLink.objects.none(),
        required=False,
        empty_label="Any link",
        error_messages={"invalid_choice": "Choose a link from the list."},
    )
    host = forms.ModelChoiceField(
        label="Host",
        queryset=User.objects.none(),
        required=False,
        empty_label="Any host",
        error_messages={"invalid_choice": "Choose a host from the list."},
    )
    start = day_field("From", "Enter the first day as a date, e.g. 2026-11-23.")
    end = day_field("To", "Enter the last day as a date, e.g. 2026-11-30.")

    def __init__(self, data: Any, *, workspace: Workspace) -> None:
        super().__init__(data)
        model_choice_field(self, "link").queryset = BookingLink.objects.live().filter(
            workspace=workspace
        )
        model_choice_field(self, "host").queryset = User.objects.filter(
            memberships__workspace=workspace
        ).order_by("name", "email")
        select = self.fields["status"].widget
        assert isinstance(select, forms.Select)
        select.choices = status_choices()

    def clean_status(self) -> str:
        # The status tabs are links people bookmark: an unknown one shows the default tab.
        status: str = self.cleaned_data.get("status") or ""
        return status if status in dashboard.TAB_KEYS else dashboard.TABS[0].key

    def clean_q(self) -> str:
        q: str = self.cleaned_data.get("q") or ""
        return q.strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_day_order(self, data, "The last day comes before the first; swap them.")
        return data

    @property
    def tab(self) -> dashboard.Tab:
        return dashboard.TAB_KEYS[self.cleaned_data["status"]]


def apply(bookings: QuerySet[Booking], data: dict[str, Any], *, zone: str) -> QuerySet[Booking]:
    """``bookings`` narrowed by the form's cleaned filters except the status (the tabs count
    each status of what the other filters leave)."""
    if data.get("q"):
        q = data["q"]
        bookings = bookings.filter(Q(name__icontains=q) | Q(email__icontains=q))
    if data.get("link"):
        bookings = bookings.filter(link=data["link"])
    if data.get("host"):
        bookings = bookings.filter(host=data["host"])
    return in_days(bookings, "start", data, zone)


def in_days(rows: QuerySet[M], field: str, data: dict[str, Any], zone: str) -> QuerySet[M]:
    """``rows`` whose ``field`` falls on the filter's range of days (``start``/``end`` of the
    cleaned ``data``, days in ``zone``)."""
    first, until = day_bounds(data, zone)
    if first:
        rows = rows.filter(**{f"{field}__gte": first})
    if until:
        rows = rows.filter(**{f"{field}__lt": until})
    return rows


def day_bounds(data: dict[str, Any], zone: str) -> tuple[datetime | None, datetime | None]:
    """The instants the range of days in ``data`` begins and ends (the end day included);
    ``None`` for a side left open."""
    start, end = data.get("start"), data.get("end")
    return (
        local_midnight(start, zone) if start else None,
        local_midnight(end + timedelta(days=1), zone) if end else None,
    )


def local_midnight(day: date, zone: str) -> datetime:
    """The instant ``day`` begins in ``zone`` (zoneinfo resolves a DST gap at midnight)."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(zone))
