"""Time off in settings: ``/settings/time-off``. Hosts enter their own; admins enter anyone's."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from availability import selectors, services
from availability.models import TimeOff
from workestra.inputs import validate_date_range
from workestra.lib.fields import model_choice_field
from workestra.models import User
from workestra.tenancy import AuthedRequest, scoped, workspace_required

MAX_DAYS = 366


class TimeOffForm(forms.Form):
    """Start and end are wall-clock times in the host's own zone."""

    user = forms.ModelChoiceField(queryset=User.objects.none(), label="Who", empty_label=None)
    start = forms.DateTimeField(
        label="From",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        error_messages={
            "required": "When does the time off start?",
            "invalid": "Enter a date and time.",
        },
        validators=[validate_date_range],
    )
    end = forms.DateTimeField(
        label="Until",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        error_messages={"required": "When does it end?", "invalid": "Enter a date and time."},
        validators=[validate_date_range],
    )
    reason = forms.CharField(required=False, max_length=200, label="Reason")

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "user").queryset = people

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        user, start, end = data.get("user"), data.get("start"), data.get("end")
        if user is None or start is None or end is None:
            return data
        zone = ZoneInfo(user.timezone or "UTC")
        data["start"] = _in_zone(start, zone)
        data["end"] = _in_zone(end, zone)
        if data["end"] <= data["start"]:
            self.add_error("end", "The end must be after the start.")
        elif (data["end"] - data["start"]).days > MAX_DAYS:
            self.add_error("end", f"Enter at most {MAX_DAYS} days at a time.")
        return data


def _in_zone(moment: datetime, zone: ZoneInfo) -> datetime:
    """The form reads naive wall-clock input in the site's zone; re-read it in the host's."""
    return moment.replace(tzinfo=None).replace(tzinfo=zone)


@workspace_required
@require_http_methods(["GET", "POST"])
def time_off(request: AuthedRequest) -> HttpResponse:
    people = selectors.time_off_people(request.membership)
    form = TimeOffForm(request.POST or None, people=people, initial={"user": request.user.pk})
    if request.method == "POST" and form.is_valid():
        entry = services.time_off_create(
            workspace=request.workspace,
            user=form.cleaned_data["user"],
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            reason=form.cleaned_data["reason"],
            created_by=request.user,
        )
        messages.success(request, f"Time off saved for {entry.user.name or entry.user.email}.")
        return redirect("booking:time-off")
    entries = (
        scoped(TimeOff.objects.all(), request)
        .filter(user__in=people)
        .select_related("user")
        .order_by("-start")[:200]
    )
    return render(
        request,
        "booking/time_off.html",
        {"form": form, "entries": entries},
        status=400 if form.is_bound else 200,
    )


@workspace_required
@require_POST
def time_off_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    entry = selectors.time_off_get_for_user(request.membership, pk)
    services.time_off_delete(entry=entry)
    messages.success(request, "Time off removed.")
    return redirect("booking:time-off")
