"""Every host-side query is scoped to the request's workspace through this module.

The middleware resolves ``request.workspace`` and ``request.membership`` for signed-in users;
views use :func:`workspace_required` and :func:`scoped` so another tenant's row is a 404.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from workestra.models import Membership, Workspace

SESSION_KEY = "workspace_id"
M = TypeVar("M", bound=Model)


class WorkspaceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.workspace = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        if request.user.is_authenticated:
            membership = _membership_for(request)
            if membership is not None:
                request.membership = membership  # type: ignore[attr-defined]
                request.workspace = membership.workspace  # type: ignore[attr-defined]
        return self.get_response(request)


def _membership_for(request: HttpRequest) -> Membership | None:
    memberships = Membership.objects.select_related("workspace").filter(user=request.user)
    wanted = request.session.get(SESSION_KEY)
    if wanted is not None:
        chosen = memberships.filter(workspace_id=wanted).first()
        if chosen is not None:
            return chosen
    chosen = memberships.order_by("created_at", "pk").first()
    if chosen is not None:
        request.session[SESSION_KEY] = chosen.workspace_id
    return chosen


def workspace_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Sign-in plus a membership; a user with no workspace gets a page saying so."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.workspace is None:  # type: ignore[attr-defined]
            return render(request, "workestra/no_workspace.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def scoped(queryset: QuerySet[M], request: HttpRequest) -> QuerySet[M]:
    """Limit a host-side queryset to the current workspace (the only way views read tenant data)."""
    workspace: Workspace = request.workspace  # type: ignore[attr-defined]
    return queryset.filter(workspace=workspace)


def workspace_context(request: HttpRequest) -> dict[str, Any]:
    return {"current_workspace": getattr(request, "workspace", None)}
