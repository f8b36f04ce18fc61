"""Meeting polls: the host's ``/calendar/polls`` (list, create, detail, finalize, cancel) and the
invitees' ``/poll/<token>``. A GET never changes anything."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from booking import display, polls
from booking.poll_forms import PollForm, VoteForm, default_expiry
from booking.poll_models import Poll, PollVote
from booking.services.polls import (
    PollDraft,
    PollError,
    poll_cancel,
    poll_create,
    poll_finalize,
    poll_vote,
)
from booking.views.manage import _too_many
from workestra.lib import ratelimit
from workestra.models import User
from workestra.tenancy import AuthedRequest, HtmxRequest, workspace_required
from workestra.timezones import is_valid_timezone


def _colleagues(request: AuthedRequest) -> Any:
    return (
        User.objects.filter(
            memberships__workspace_id=request.workspace.pk,
            memberships__deactivated_at__isnull=True,
        )
        .exclude(pk=request.user.pk)
        .order_by("name", "email")
    )


@workspace_required
@require_http_methods(["GET", "POST"])
def poll_list(request: AuthedRequest) -> HttpResponse:
    zone = request.user.timezone or "UTC"
    now = timezone.now()
    form = PollForm(
        request.POST or None,
        colleagues=_colleagues(request),
        zone=zone,
        initial={"expires_at": default_expiry(now, zone)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft = PollDraft(
            title=data["title"],
            duration=data["duration"],
            location=data["location"],
            starts=tuple(data["times"]),
            expires_at=data["expires_at"],
            co_hosts=tuple(data["co_hosts"]),
            invitees=tuple(data["invitees"]),
            hide_tally=data["hide_tally"],
        )
        try:
            poll = poll_create(
                workspace=request.workspace, owner=request.user, draft=draft, now=now
            )
        except PollError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, gettext("Poll created. Share its link with your invitees."))
            return redirect("booking:poll-detail", poll.pk)
    rows = (
        polls.polls_for(request.membership)
        .select_related("owner", "chosen")
        .order_by("-created_at", "-pk")[:200]
    )
    context = {"form": form, "polls": rows, "calendar_tab": "polls", "zone": zone}
    return render(request, "booking/polls/list.html", context, status=400 if form.errors else 200)


@workspace_required
@require_http_methods(["GET"])
def poll_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    poll = polls.poll_get_for_user(request.membership, pk)
    return _detail(request, poll)


def _detail(
    request: AuthedRequest, poll: Poll, *, error: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "poll": poll,
        "tally": polls.poll_tally(poll, best_first=True),
        "votes": list(poll.votes.all()),
        "co_hosts": list(poll.co_hosts.all()),
        "zone": request.user.timezone or "UTC",
        "error": error,
        "calendar_tab": "polls",
    }
    return render(request, "booking/polls/detail.html", context, status=status)


@workspace_required
@require_POST
def poll_finalize_view(request: AuthedRequest, pk: int) -> HttpResponse:
    poll = polls.poll_get_for_user(request.membership, pk)
    time_id = _int(request.POST.get("time"))
    chosen = poll.times.filter(pk=time_id).first() if time_id is not None else None
    if chosen is None:
        return _detail(request, poll, error=gettext("Pick one of the poll's times."), status=400)
    try:
        poll_finalize(poll=poll, time=chosen, now=timezone.now())
    except PollError as exc:
        return _detail(request, poll, error=exc.message, status=409)
    messages.success(request, gettext("Booked. Every voter gets an email with the time."))
    return redirect("booking:poll-detail", poll.pk)


@workspace_required
@require_POST
def poll_cancel_view(request: AuthedRequest, pk: int) -> HttpResponse:
    poll = polls.poll_get_for_user(request.membership, pk)
    try:
        poll_cancel(poll=poll, now=timezone.now())
    except PollError as exc:
        return _detail(request, poll, error=exc.message, status=409)
    messages.success(request, gettext("Poll cancelled; its times are free again."))
    return redirect("booking:poll-detail", poll.pk)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


# --- The invitees' page ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def poll_vote_page(request: HtmxRequest, token: str) -> HttpResponse:
    if not ratelimit.hit(
        "token", ratelimit.client_ip(request), limit=settings.RATELIMIT_TOKENS_PER_MINUTE
    ):
        return _too_many(request)
    poll = polls.poll_for_token(token)
    if poll is None:
        raise Http404("This link is not valid.")
    source = request.POST if request.method == "POST" else request.GET
    zone = source.get("timezone") or source.get("tz") or ""
    if not is_valid_timezone(zone):
        zone = poll.link.timezone if poll.link_id else "UTC"
    clock = display.clock_for(source.get("clock"), request.headers.get("Accept-Language", ""))
    times = list(poll.times.all())
    labelled = [(t, display.time_range(t.start, t.end, zone, clock)) for t in times]
    form = VoteForm(request.POST or None, labelled_times=labelled)
    error, saved, status = "", None, 200
    if request.method == "POST" and form.is_valid():
        try:
            saved = poll_vote(
                poll=poll,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                zone=zone,
                answers=form.answers(),
                now=timezone.now(),
                language=translation.get_language(),
            )
        except PollError as exc:
            error, status = exc.message, 409
    elif request.method == "POST":
        error, status = gettext("Please fix the answers marked below."), 400
    if saved is not None:
        form = VoteForm(labelled_times=labelled, initial=_initial(saved))
    context = _vote_context(poll, form, zone, clock, error=error, saved=saved)
    # Only a first visit asks the browser for its zone; a chosen zone or a POST keeps its own.
    context["detect_timezone"] = request.method == "GET" and not request.GET.get("tz")
    return render(request, "booking/polls/vote.html", context, status=status)


def _initial(vote: PollVote) -> dict[str, str]:
    return {"name": vote.name, "email": vote.email} | {
        f"time-{key}": answer for key, answer in vote.answers.items()
    }


def _vote_context(
    poll: Poll,
    form: VoteForm,
    zone: str,
    clock: str,
    *,
    error: str,
    saved: PollVote | None,
) -> dict[str, Any]:
    now = timezone.now()
    chosen = None
    if poll.chosen_id is not None:
        chosen_time = get_object_or_404(poll.times, pk=poll.chosen_id)
        chosen = display.time_range(chosen_time.start, chosen_time.end, zone, clock)
    tally = None
    if not poll.hide_tally:
        tally = [
            (display.time_range(row.time.start, row.time.end, zone, clock), row)
            for row in polls.poll_tally(poll)
        ]
    return {
        "poll": poll,
        "form": form,
        "zone": zone,
        "clock": clock,
        "timezones": display.zone_choices(now, first=zone, clock=clock),
        "open": poll.is_open,
        "chosen": chosen,
        "tally": tally,
        "error": error,
        "saved": saved,
    }
