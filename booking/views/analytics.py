"""The Analytics tab, ``/calendar/analytics``, and one CSV per chart.

An admin's figures cover the workspace, a member's their own meetings; days are the viewer's.
A period that can't be read falls back to the last 30 days with a message (and a 400).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from booking import analytics as figures
from booking import analytics_page, periods
from booking.analytics_tables import TABLES, Report, to_csv
from workestra.tenancy import AuthedRequest, workspace_required


def _report(request: AuthedRequest) -> tuple[Report, str]:
    now = timezone.now()
    zone = ZoneInfo(request.user.timezone)
    period, error = periods.parse_period(request.GET, zone=zone, now=now)
    return Report(request.membership, request.user, period, now), error


@workspace_required
@require_GET
def analytics(request: AuthedRequest) -> HttpResponse:
    report, error = _report(request)
    period = report.period
    presets = [
        {"days": days, "current": period.preset == days, "query": f"period={days}"}
        for days in periods.PRESETS
    ]
    context = {
        "period": period,
        "presets": presets,
        "error": error,
        "zone": request.user.timezone,
        "whole_workspace": request.membership.is_admin,
        "sections": analytics_page.sections(report),
        "rates": report.rates,
        "total": report.over_time.total.total,
        "median_lead": figures.format_span(report.lead_time.median),
    }
    return render(request, "booking/calendar/analytics.html", context, status=400 if error else 200)


@workspace_required
@require_GET
def analytics_csv(request: AuthedRequest, chart: str) -> HttpResponse:
    table = TABLES.get(chart)
    if table is None:
        raise Http404("No such chart.")
    report, error = _report(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    period = report.period
    response = HttpResponse(to_csv(table(report)), content_type="text/csv; charset=utf-8")
    filename = f"{chart}-{period.first.isoformat()}-to-{period.last.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
