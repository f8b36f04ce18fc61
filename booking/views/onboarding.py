"""``/onboarding``: right after sign-up, the new host's zone, hours and first link, then an offer
to connect a calendar. It lives in booking because it makes a booking link; the zone and hours
it stores are the host's own (``User.timezone``, ``User.working_hours``)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from booking.models import BookingLink
from booking.onboarding import OnboardingForm, onboarding_complete
from workestra.tenancy import AuthedRequest, workspace_required


@workspace_required
@require_http_methods(["GET", "POST"])
def onboarding(request: AuthedRequest) -> HttpResponse:
    form = OnboardingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        link = onboarding_complete(
            user=request.user,
            workspace=request.workspace,
            timezone=form.cleaned_data["timezone"],
            weekly_hours=form.cleaned_data["weekly_hours"],
            title=form.cleaned_data["title"],
        )
        return redirect("booking:onboarding-calendar", pk=link.pk)
    status = 400 if form.is_bound else 200
    return render(request, "booking/onboarding.html", {"form": form}, status=status)


@workspace_required
@require_GET
def onboarding_calendar(request: AuthedRequest, pk: int) -> HttpResponse:
    link = BookingLink.objects.filter(pk=pk, owner=request.user, deleted_at__isnull=True).first()
    return render(request, "booking/onboarding_calendar.html", {"link": link})
