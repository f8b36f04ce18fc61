"""The tabs of the host's calendar: Overview (``/calendar``), Bookings with its filters and CSV,
Event Types, and Admin (owners and admins).

The Overview and Bookings show the member's own meetings (the ones they host or hold a
reservation of), as the calendar always has; Admin shows the whole workspace. Every query goes
through the workspace scope.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from booking import bookings_csv, dashboard, filters, overview
from booking.models import Booking, BookingLink, LinkHost
from workestra.models import Membership
from workestra.tenancy import AuthedRequest, scoped, workspace_required

PAGE_SIZE = 50
ADMIN_BOOKINGS_SHOWN = 10


def _mine(request: AuthedRequest) -> QuerySet[Booking]:
    return dashboard.bookings_for_user(scoped(Booking.objects.all(), request), request.user)


@workspace_required
@require_GET
def overview_page(request: AuthedRequest) -> HttpResponse:
    if "tab" in request.GET:  # the booking lists lived here before the overview
        return redirect(f"{reverse('booking:calendar-bookings')}?{request.GET.urlencode()}")
    now, zone = timezone.now(), request.user.timezone
    figures = overview.overview(_mine(request), now=now, zone=zone)
    context = {
        "calendar_tab": "overview",
        "zone": zone,
        "o": figures,
        "rate_days": overview.RATE_DAYS,
        "time_off": dashboard.time_off_ahead(request.user, now),
        "upcoming_url": overview.bookings_url("upcoming"),
    }
    return render(request, "booking/calendar/overview.html", context)


def _filter(request: AuthedRequest) -> tuple[filters.BookingFilterForm, QuerySet[Booking] | None]:
    """The filter form and the member's bookings it leaves (every status), or ``None`` when a
    filter is wrong. ``tab`` is the old name of ``status``, kept for bookmarked links."""
    data = request.GET.copy()
    if "status" not in data and "tab" in data:
        data["status"] = data.get("tab", "")
    form = filters.BookingFilterForm(data, workspace=request.workspace)
    if not form.is_valid():
        return form, None
    return form, filters.apply(_mine(request), form.cleaned_data, zone=request.user.timezone)


def _query(request: AuthedRequest, **changes: str) -> str:
    query = request.GET.copy()
    query.pop("tab", None)
    query.pop("page", None)
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@workspace_required
@require_GET
def bookings_page(request: AuthedRequest) -> HttpResponse:
    now = timezone.now()
    form, found = _filter(request)
    context: dict[str, Any] = {
        "calendar_tab": "bookings",
        "zone": request.user.timezone,
        "form": form,
    }
    if found is None:
        context |= {"tabs": [], "rows": [], "page": None, "tab": dashboard.TABS[0]}
        status = 400
    else:
        tab = form.tab
        page = Paginator(dashboard.tab_bookings(found, tab, now), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        counts = dashboard.tab_counts(found, now)
        context |= {
            "tab": tab,
            "tabs": [
                {
                    "tab": t,
                    "count": counts.get(t.key),
                    "current": t == tab,
                    "query": _query(request, status=t.key),
                }
                for t in (*dashboard.TABS, dashboard.ALL)
            ],
            "page": page,
            "page_query": _query(request, status=tab.key),
            "rows": dashboard.rows(list(page.object_list)),
        }
        status = 200
    template = "booking/calendar/bookings.html"
    if request.htmx:
        # htmx swaps only 2xx answers: the fragment saying which filter is wrong comes as a 200
        # so it replaces the list (the page without JavaScript answers 400).
        template += "#booking-results"
        status = 200
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@workspace_required
@require_GET
def bookings_export(request: AuthedRequest) -> HttpResponseBase:
    form, found = _filter(request)
    if found is None:
        context = {"calendar_tab": "bookings", "form": form, "tabs": [], "rows": [], "page": None}
        return render(request, "booking/calendar/bookings.html", context, status=400)
    rows = dashboard.tab_bookings(found, form.tab, timezone.now())
    stamp = timezone.localtime(timezone.now()).strftime("%Y-%m-%d")
    response = StreamingHttpResponse(
        bookings_csv.lines(rows, zone=request.user.timezone), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="bookings-{stamp}.csv"'
    return response


def _links(request: AuthedRequest) -> QuerySet[BookingLink]:
    hosts = Prefetch("link_hosts", LinkHost.objects.select_related("user"))
    return (
        scoped(BookingLink.objects.live(), request)
        .select_related("owner", "team")
        .prefetch_related(hosts)
    )


@workspace_required
@require_GET
def event_types(request: AuthedRequest) -> HttpResponse:
    context = {"calendar_tab": "event-types", "links": _links(request)}
    return render(request, "booking/calendar/event_types.html", context)


@workspace_required
@require_GET
def admin_page(request: AuthedRequest) -> HttpResponse:
    if not request.membership.is_admin:
        raise PermissionDenied("Only the workspace's owners and admins can see every member.")
    now = timezone.now()
    members = (
        scoped(Membership.objects.filter(deactivated_at__isnull=True), request)
        .select_related("user")
        .order_by("user__name", "user__email")
    )
    upcoming = scoped(Booking.objects.filter(dashboard.tab_filter("upcoming", now)), request)
    counts = dict(
        upcoming.order_by()
        .values_list("host_id")
        .annotate(n=Count("pk"))
        .values_list("host_id", "n")
    )
    # The first few of each member's, in one query, however many they have.
    first = Window(RowNumber(), partition_by=F("host_id"), order_by=[F("start"), F("pk")])
    shown = list(
        upcoming.annotate(n=first)
        .filter(n__lte=ADMIN_BOOKINGS_SHOWN)
        .select_related("link", "host")
        .order_by("start", "pk")
    )
    links = list(_links(request))
    sections = []
    for membership in members:
        count = counts.get(membership.user_id, 0)
        sections.append(
            {
                "membership": membership,
                "bookings": [b for b in shown if b.host_id == membership.user_id],
                "more": max(0, count - ADMIN_BOOKINGS_SHOWN),
                "count": count,
                "links": [link for link in links if link.owner_id == membership.user_id],
            }
        )
    context = {"calendar_tab": "admin", "sections": sections, "zone": request.user.timezone}
    return render(request, "booking/calendar/admin.html", context)
