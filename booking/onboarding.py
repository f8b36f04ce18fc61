"""The short set-up after sign-up: the host's zone, working hours and first booking link."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import transaction

from availability.services import schedule_default_ensure, schedule_update
from booking.forms import free_slug
from booking.hours import WEEKDAYS, parse_windows, windows_text
from booking.models import BookingLink
from booking.services import link_save
from workestra.models import User, Workspace
from workestra.timezones import is_valid_timezone, timezone_names


def _zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in timezone_names()]


class OnboardingForm(forms.Form):
    timezone = forms.ChoiceField(label="Your time zone", choices=_zone_choices)
    #: Filled by the page's script with the browser's zone; used when no zone was chosen.
    detected_timezone = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    title = forms.CharField(
        label="Name of your first booking link",
        max_length=200,
        initial="30-minute meeting",
        help_text="What people see when they pick a time, e.g. “Intro call”.",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["timezone"].initial = user.timezone
        for i, day in enumerate(WEEKDAYS):
            self.fields[f"hours_{i}"] = forms.CharField(
                label=day,
                required=False,
                max_length=200,
                initial=windows_text(user.working_hours.get(str(i), [])),
                help_text="Blank: not available that day.",
                widget=forms.TextInput(attrs={"placeholder": "e.g. 09:00-12:00, 13:00-17:00"}),
            )

    def hours_fields(self) -> list[forms.BoundField]:
        return [self[f"hours_{i}"] for i in range(len(WEEKDAYS))]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("timezone") and is_valid_timezone(data.get("detected_timezone") or ""):
            data["timezone"] = data["detected_timezone"]
            self.errors.pop("timezone", None)
        weekly: dict[str, list[list[str]]] = {}
        for i in range(len(WEEKDAYS)):
            try:
                windows = parse_windows(data.get(f"hours_{i}") or "")
            except forms.ValidationError as exc:
                self.add_error(f"hours_{i}", exc)
                continue
            if windows:
                weekly[str(i)] = windows
        if not self.errors and not weekly:
            raise forms.ValidationError("Give the hours of at least one day.")
        data["weekly_hours"] = weekly
        return data


def onboarding_complete(
    *, user: User, workspace: Workspace, timezone: str, weekly_hours: dict, title: str
) -> BookingLink:
    """Store the host's zone and hours as their default schedule, and make their first link,
    which uses it."""
    with transaction.atomic():
        user.timezone = timezone
        user.working_hours = weekly_hours
        user.save(update_fields=["timezone", "working_hours"])
        default = schedule_default_ensure(workspace=workspace, user=user)
        schedule_update(
            schedule=default,
            name=default.name,
            timezone=timezone,
            weekly=weekly_hours,
            overrides=default.overrides,
        )
        link = BookingLink(
            workspace=workspace,
            owner=user,
            title=title.strip(),
            slug=free_slug(title),
            timezone=timezone,
        )
        return link_save(link=link, hosts=[])
