"""``/settings/scim``: owners create and revoke the workspace's SCIM tokens.

A new token is shown once, on the page that answers its creation; only its hash is kept.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from workestra import plans
from workestra.models import Membership, ScimToken
from workestra.scim import services
from workestra.tenancy import AuthedRequest, workspace_required


def _owner_only(request: AuthedRequest) -> None:
    if request.membership.role != Membership.Role.OWNER:
        raise PermissionDenied("Only owners manage SCIM provisioning.")


def _page(request: AuthedRequest, *, secret: str = "", error: str = "", status: int = 200):
    allowed = plans.allows(request.workspace.plan, "scim")
    context = {
        "tokens": ScimToken.objects.filter(workspace=request.workspace).select_related(
            "created_by"
        ),
        "allowed": allowed,
        "needed_plan": plans.plan_label(plans.min_plan("scim") or ""),
        "base_url": f"{settings.PUBLIC_BASE_URL}/scim/v2",
        "secret": secret,
        "error": error,
    }
    return render(request, "workestra/scim.html", context, status=status)


@require_GET
@workspace_required
def scim_settings(request: AuthedRequest) -> HttpResponse:
    _owner_only(request)
    return _page(request)


@require_POST
@workspace_required
def scim_token_create(request: AuthedRequest) -> HttpResponse:
    _owner_only(request)
    if not plans.allows(request.workspace.plan, "scim"):
        label = plans.plan_label(plans.min_plan("scim") or "")
        return _page(request, error=f"SCIM provisioning needs the {label} plan.", status=403)
    _, secret = services.scim_token_create(
        workspace=request.workspace, by=request.user, now=timezone.now()
    )
    return _page(request, secret=secret, status=201)


@require_POST
@workspace_required
def scim_token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    _owner_only(request)
    token = ScimToken.objects.filter(workspace=request.workspace, pk=pk).first()
    if token is None:
        raise Http404("No such token.")
    services.scim_token_revoke(token=token, now=timezone.now())
    messages.success(request, "The token was revoked; requests using it are now refused.")
    return redirect("members:scim")
