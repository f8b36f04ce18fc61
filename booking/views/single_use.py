"""Single-use links: the public ``/single-use/<token>`` and the host's ``/calendar/single-use``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from booking import single_use, single_use_csv
from booking.models import SingleUseLink
from booking.single_use_forms import SingleUseFilterForm, SingleUseForm, apply
from crm import services as crm_services
from crm.models import Contact
from workestra.lib import ratelimit
from workestra.tenancy import AuthedRequest, scoped, workspace_required

#: The query parameter (and form field) that carries the token on the booking page.
PARAM = "single_use"
PAGE_SIZE = 50


@require_GET
def single_use_open(request: HttpRequest, token: str) -> HttpResponse:
    """Check the token, then send the visitor on to the template link's booking page."""
    if not ratelimit.hit(
        "token", ratelimit.client_ip(request), limit=settings.RATELIMIT_TOKENS_PER_MINUTE
    ):
        return _message(request, gettext("Please wait a minute and try again."), status=429)
    found = single_use.find(token)
    if found is None or found.link.deleted_at is not None:
        raise Http404("This link is not valid.")
    problem = single_use.refusal(found, timezone.now())
    if problem is not None:
        return _message(request, problem, status=410)
    # The token rides along in the address and the form, so the page works without scripts;
    # the booking page also keeps it in sessionStorage (static/js/single_use.js).
    response = redirect(f"{found.link.public_path}?{urlencode({PARAM: found.token})}")
    add_never_cache_headers(response)
    return response


def _message(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    response = render(
        request, "booking/single_use/refused.html", {"message": message}, status=status
    )
    add_never_cache_headers(response)
    return response


def _filter(request: AuthedRequest) -> tuple[SingleUseFilterForm, QuerySet[SingleUseLink] | None]:
    form = SingleUseFilterForm(request.GET or None, workspace=request.workspace)
    rows = scoped(SingleUseLink.objects.all(), request).select_related("link", "contact")
    if form.is_bound and not form.is_valid():
        return form, None
    data = form.cleaned_data if form.is_bound else {}
    return form, apply(rows, data, zone=request.user.timezone)


@workspace_required
@require_http_methods(["GET", "POST"])
def single_use_list(request: AuthedRequest) -> HttpResponse:
    zone = request.user.timezone
    if request.method == "POST":
        create_form = SingleUseForm(request.POST, workspace=request.workspace, zone=zone)
        if create_form.is_valid():
            made = _create(request, create_form)
            messages.success(
                request, gettext("Single-use link made. Copy it: %(url)s") % {"url": made.url}
            )
            return redirect(f"{request.path}#single-use-{made.pk}")
    else:
        create_form = SingleUseForm(
            workspace=request.workspace, zone=zone, initial=_initial(request)
        )
    filter_form, found = _filter(request)
    now = timezone.now()
    page = None if found is None else Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [] if page is None else list(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context: dict[str, Any] = {
        "calendar_tab": "single-use",
        "zone": zone,
        "create_form": create_form,
        "form": filter_form,
        "rows": [
            {"single": s, "status": single_use.status_label(single_use.status_of(s, now))}
            for s in rows
        ],
        "page": page,
        "query": query.urlencode(),
    }
    invalid = (request.method == "POST") or found is None
    return render(request, "booking/single_use/list.html", context, status=400 if invalid else 200)


def _initial(request: AuthedRequest) -> dict[str, Any]:
    """``?contact=<id>`` (the contact page's button) picks the contact, in this workspace only."""
    raw = request.GET.get("contact", "")
    if raw.isdigit() and scoped(Contact.objects.filter(pk=int(raw)), request).exists():
        return {"contact": int(raw)}
    return {}


def _create(request: AuthedRequest, form: SingleUseForm) -> SingleUseLink:
    data = form.cleaned_data
    contact = data.get("contact") or crm_services.contact_find_or_create(
        workspace=request.workspace, email=data["email"], name=data.get("name", "")
    )
    return single_use.create(
        link=data["link"],
        contact=contact,
        expires_at=form.expires_at,
        allow_forwarding=not data.get("strict_email_match"),
        created_by_id=request.user.pk,
    )


@workspace_required
@require_GET
def single_use_export(request: AuthedRequest) -> HttpResponseBase:
    _form, found = _filter(request)
    if found is None:
        return single_use_list(request)
    stamp = timezone.localtime(timezone.now()).strftime("%Y-%m-%d")
    response = StreamingHttpResponse(
        single_use_csv.lines(found, zone=request.user.timezone, now=timezone.now()),
        content_type="text/csv",
    )
    response["Content-Disposition"] = f'attachment; filename="single-use-links-{stamp}.csv"'
    return response
