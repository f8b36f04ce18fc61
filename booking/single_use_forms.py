"""The forms of ``/calendar/single-use``: making a single-use link and filtering the list.

Choices are limited to the request's workspace, so another workspace's link or contact is an
invalid choice, never a filter that leaks whether it exists.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.filters import check_day_order, day_field, in_days
from booking.models import BookingLink, SingleUseLink
from crm.models import Contact
from workestra.inputs import validate_date_range
from workestra.lib.fields import model_choice_field
from workestra.models import Workspace

MAX_EXPIRY_DAYS = 365


def template_links(workspace: Workspace) -> QuerySet[BookingLink]:
    """Links a single-use link can stand on: live ones of the workspace, instant ones aside."""
    return (
        BookingLink.objects.live()
        .filter(workspace=workspace)
        .exclude(kind=BookingLink.Kind.INSTANT)
        .order_by("title", "pk")
    )


def contact_field(empty_label: Any) -> forms.ModelChoiceField:
    """An optional choice of one of the workspace's contacts (see ``workspace_contacts``)."""
    return forms.ModelChoiceField(
        label=_("Contact"),
        queryset=Contact.objects.none(),
        required=False,
        empty_label=empty_label,
        error_messages={"invalid_choice": _("Choose a contact from the list.")},
    )


def workspace_contacts(workspace: Workspace) -> QuerySet[Contact]:
    """The contacts a single-use link can be made for or filtered by, by email."""
    return Contact.objects.filter(workspace=workspace).order_by("email", "pk")


class SingleUseForm(forms.Form):
    link = forms.ModelChoiceField(
        label=_("Template booking link"),
        queryset=BookingLink.objects.none(),
        help_text=_("The link whose availability and rules apply."),
        error_messages={
            "required": _("Choose the booking link to book on."),
            "invalid_choice": _("Choose a booking link from the list."),
        },
    )
    contact = contact_field(_("A new or other contact (type the email below)"))
    email = forms.EmailField(
        label=_("Or the contact's email"),
        required=False,
        max_length=254,
        error_messages={"invalid": _("Enter an email address, e.g. ada@example.com.")},
    )
    name = forms.CharField(label=_("Contact's name"), required=False, max_length=200)
    expires_on = forms.DateField(
        label=_("Expiration"),
        required=False,
        validators=[validate_date_range],
        help_text=_("Optional: the link works until the end of this day. Default: 30 days."),
        error_messages={"invalid": _("Enter the last day as a date, e.g. 2026-12-31.")},
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    strict_email_match = forms.BooleanField(
        label=_("Strict email match"),
        required=False,
        initial=True,
        help_text=_(
            "Only the contact's email can book. Turn off to allow forwarding: anyone can book "
            "on it, but it still works once."
        ),
    )

    def __init__(self, *args: Any, workspace: Workspace, zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        model_choice_field(self, "link").queryset = template_links(workspace)
        model_choice_field(self, "contact").queryset = workspace_contacts(workspace)

    def clean_expires_on(self) -> Any:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        today = timezone.now().astimezone(ZoneInfo(self.zone)).date()
        if day < today:
            raise forms.ValidationError(_("Pick today or a later day."))
        if day > today + timedelta(days=MAX_EXPIRY_DAYS):
            raise forms.ValidationError(_("Pick a day at most a year from today."))
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("contact") and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("Choose a contact or type their email."))
        return data

    @property
    def expires_at(self) -> datetime | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZoneInfo(self.zone))


class SingleUseFilterForm(forms.Form):
    link = forms.ModelChoiceField(
        label=_("Template"),
        queryset=BookingLink.objects.none(),
        required=False,
        empty_label=_("Any link"),
        error_messages={"invalid_choice": _("Choose a link from the list.")},
    )
    contact = contact_field(_("Any contact"))
    start = day_field(_("Created from"), _("Enter the first day as a date, e.g. 2026-11-23."))
    end = day_field(_("Created to"), _("Enter the last day as a date, e.g. 2026-11-30."))

    def __init__(self, data: Any, *, workspace: Workspace) -> None:
        super().__init__(data)
        model_choice_field(self, "link").queryset = BookingLink.objects.live().filter(
            workspace=workspace
        )
        model_choice_field(self, "contact").queryset = workspace_contacts(workspace)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_day_order(self, data, _("The last day comes before the first; swap them."))
        return data


def apply(
    rows: QuerySet[SingleUseLink], data: dict[str, Any], *, zone: str
) -> QuerySet[SingleUseLink]:
    if data.get("link"):
        rows = rows.filter(link=data["link"])
    if data.get("contact"):
        rows = rows.filter(contact=data["contact"])
    return in_days(rows, "created_at", data, zone)
