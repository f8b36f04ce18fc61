"""Every host-side query is scoped to the request's workspace through this module.

The middleware resolves ``request.workspace`` and ``request.membership`` for signed-in users;
views use :func:`workspace_required`, annotate their request as :class:`AuthedRequest`, list
rows through :func:`scoped` and fetch one through its app's ``<entity>_get_for_user(membership,
pk)`` selector, so another tenant's row is a 404.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django_htmx.middleware import HtmxDetails

from workestra.models import Membership, User, Workspace

SESSION_KEY = "workspace_id"
M = TypeVar("M", bound=Model)
R = TypeVar("R", bound=HttpResponseBase)  # a view's response: rendered, streamed or a file


class HtmxRequest(HttpRequest):
    """Any request, as the htmx middleware leaves it."""

    htmx: HtmxDetails


class TenantRequest(HtmxRequest):
    """Any request once :class:`WorkspaceMiddleware` ran: no workspace for a visitor."""

    workspace: Workspace | None
    membership: Membership | None


class AuthedRequest(HtmxRequest):
    """A request :func:`workspace_required` let through: a signed-in member of a workspace."""

    user: User
    workspace: Workspace
    membership: Membership


class WorkspaceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: TenantRequest) -> HttpResponse:
        request.workspace = None
        request.membership = None
        if isinstance(request.user, User):  # signed in: the anonymous user is no User
            membership = _membership_for(request, request.user)
            if membership is not None:
                request.membership = membership
                request.workspace = membership.workspace
        return self.get_response(request)


def _membership_for(request: HttpRequest, user: User) -> Membership | None:
    memberships = Membership.objects.select_related("workspace").filter(
        user=user, deactivated_at__isnull=True
    )
    wanted = request.session.get(SESSION_KEY)
    if wanted is not None:
        chosen = memberships.filter(workspace_id=wanted).first()
        if chosen is not None:
            return chosen
    chosen = memberships.order_by("created_at", "pk").first()
    if chosen is not None:
        request.session[SESSION_KEY] = chosen.workspace_id
    return chosen


def workspace_required(view: Callable[..., R]) -> Callable[..., R | HttpResponse]:
    """Sign-in plus a membership; a user with no workspace gets a page saying so."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: TenantRequest, *args: Any, **kwargs: Any) -> R | HttpResponse:
        if request.workspace is None:
            return render(request, "workestra/no_workspace.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def scoped(queryset: QuerySet[M], request: AuthedRequest) -> QuerySet[M]:
    """Limit a host-side queryset to the current workspace (the only way views read tenant data)."""
    return queryset.filter(workspace=request.workspace)


def workspace_context(request: HttpRequest) -> dict[str, Any]:
    return {"current_workspace": getattr(request, "workspace", None)}
