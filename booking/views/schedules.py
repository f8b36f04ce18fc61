"""Schedules: ``/calendar/schedules``. Named weekly hours with date overrides, in one zone.

Each member edits their own; the editor's buttons post the form back (no JavaScript needed).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from availability import selectors, services
from availability.models import Schedule
from availability.schedules import ScheduleError
from booking import schedule_conflicts, schedule_form
from workestra.tenancy import AuthedRequest, workspace_required

SAVE = "save"


@workspace_required
@require_http_methods(["GET", "POST"])
def schedule_list(request: AuthedRequest) -> HttpResponse:
    form = schedule_form.metadata(None, request.POST or None)
    if not form.is_bound:
        form.initial = {"timezone": request.user.timezone or "UTC"}
    if request.method == "POST" and form.is_valid():
        try:
            schedule = services.schedule_create(
                workspace=request.workspace,
                owner=request.user,
                name=form.cleaned_data["name"],
                timezone=form.cleaned_data["timezone"],
                # A new schedule starts from the member's working hours, ready to adjust.
                weekly=dict(request.user.working_hours),
            )
        except ScheduleError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, f"Created “{schedule.name}”. Set its hours below.")
            return redirect("booking:schedule-edit", pk=schedule.pk)
    return _list(request, form=form, status=400 if form.is_bound else 200)


def _list(
    request: AuthedRequest,
    *,
    form: schedule_form.ScheduleMetaForm,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    schedules = selectors.schedules_of(request.workspace.pk, request.user.pk)
    context = {"form": form, "schedules": schedules, "error": error}
    return render(request, "booking/schedules/list.html", context, status=status)


@workspace_required
@require_http_methods(["GET", "POST"])
def schedule_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    schedule = selectors.schedule_get_for_user(request.membership, pk)
    if request.method == "GET":
        found = schedule_form.from_schedule(schedule)
        return _editor(request, schedule, schedule_form.metadata(schedule, None), found)
    meta = schedule_form.metadata(schedule, request.POST)
    found = schedule_form.from_post(request.POST)
    action = request.POST.get("action", SAVE)
    if action != SAVE:
        # Add, remove or copy: show the changed rows; nothing is saved until "Save".
        notice = "Not saved yet: press “Save schedule” to keep the change."
        return _editor(request, schedule, meta, found, notice=notice)
    weekly, overrides = schedule_form.clean(found)
    if meta.is_valid() and not found.errors:
        try:
            services.schedule_update(
                schedule=schedule,
                name=meta.cleaned_data["name"],
                timezone=meta.cleaned_data["timezone"],
                weekly=weekly,
                overrides=overrides,
            )
        except ScheduleError as exc:
            found.errors.append(str(exc))
        else:
            messages.success(request, f"Saved “{schedule.name}”.")
            _warn_of_bookings_outside(request, schedule)
            return redirect("booking:schedule-edit", pk=schedule.pk)
    return _editor(request, schedule, meta, found, status=400)


def _warn_of_bookings_outside(request: AuthedRequest, schedule: Schedule) -> None:
    count = len(schedule_conflicts.bookings_outside(schedule, now=timezone.now()))
    if count == 1:
        messages.warning(request, "1 upcoming booking falls outside these hours; it stays booked.")
    elif count:
        messages.warning(
            request, f"{count} upcoming bookings fall outside these hours; they stay booked."
        )


def _editor(
    request: AuthedRequest,
    schedule: Schedule,
    meta: schedule_form.ScheduleMetaForm,
    found: schedule_form.ScheduleInput,
    *,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "schedule": schedule,
        "meta": meta,
        "found": found,
        "notice": notice,
        "used_by": selectors.schedule_users(schedule),
    }
    return render(request, "booking/schedules/edit.html", context, status=status)


@workspace_required
@require_POST
def schedule_default(request: AuthedRequest, pk: int) -> HttpResponse:
    schedule = selectors.schedule_get_for_user(request.membership, pk)
    services.schedule_set_default(schedule=schedule)
    messages.success(request, f"“{schedule.name}” is now your default schedule.")
    return redirect("booking:schedule-list")


@workspace_required
@require_POST
def schedule_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    schedule = selectors.schedule_get_for_user(request.membership, pk)
    try:
        services.schedule_delete(schedule=schedule)
    except ScheduleError as exc:
        form = schedule_form.metadata(None, None)
        form.initial = {"timezone": request.user.timezone or "UTC"}
        return _list(request, form=form, error=str(exc), status=400)
    messages.success(request, f"Deleted “{schedule.name}”.")
    return redirect("booking:schedule-list")
