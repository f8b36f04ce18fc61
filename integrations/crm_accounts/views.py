"""The CRM part of ``/settings/integrations``: owners and admins connect the workspace's HubSpot
or Salesforce (OAuth with PKCE and a state bound to the session and the workspace) and
disconnect it. A refused or failed sign-in stores nothing."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from integrations.calendars import oauth
from integrations.calendars.provider import ProviderError
from integrations.calendars.views import page
from integrations.crm_accounts import registry, services
from integrations.crm_accounts.provider import CrmClient
from workestra.lib import crypto
from workestra.tenancy import AuthedRequest, workspace_required

PURPOSE = "crm"
NOT_ALLOWED = "Only the workspace's owners and admins can connect or disconnect its CRM."


def _back() -> HttpResponse:
    return redirect(reverse("integrations:settings") + "#crm")


def callback_uri(provider: str) -> str:
    return settings.PUBLIC_BASE_URL + reverse("crm_accounts:callback", args=[provider])


def _refuse(request: AuthedRequest, message: str) -> HttpResponse:
    messages.error(request, message)
    return page(request, status=400)


@workspace_required
@require_POST
def connect(request: AuthedRequest, provider: str) -> HttpResponse:
    if not request.membership.is_admin:
        return HttpResponseForbidden(NOT_ALLOWED, content_type="text/plain")
    client = registry.get(provider)
    if not client.is_configured():
        return _refuse(request, f"{client.label} is not set up on this server.")
    if not crypto.is_configured():
        return _refuse(request, crypto.MISSING_KEY_MESSAGE)
    state, verifier = oauth.pending_start(
        request, provider, purpose=PURPOSE, extra={"workspace": request.workspace.pk}
    )
    return redirect(
        client.authorization_url(
            state=state,
            code_challenge=oauth.code_challenge(verifier),
            redirect_uri=callback_uri(provider),
        )
    )


@workspace_required
@require_GET
def callback(request: AuthedRequest, provider: str) -> HttpResponse:
    client = registry.get(provider)
    state = request.GET.get("state", "")
    if request.GET.get("error"):
        oauth.oauth_cancel(request, state)
        messages.info(request, f"{client.label} didn't give access, so nothing was connected.")
        return _back()
    try:
        entry = oauth.pending_finish(
            request, provider, state, request.GET.get("code", ""), purpose=PURPOSE
        )
    except oauth.OAuthRefused as exc:
        return _refuse(request, str(exc))
    if (entry.get("extra") or {}).get("workspace") != request.workspace.pk:
        return _refuse(request, oauth.REFUSED_MESSAGE)
    if not request.membership.is_admin:
        return HttpResponseForbidden(NOT_ALLOWED, content_type="text/plain")
    return _finish(request, client, str(entry["verifier"]))


def _finish(request: AuthedRequest, client: CrmClient, verifier: str) -> HttpResponse:
    try:
        grant = client.exchange_code(
            code=request.GET.get("code", ""),
            code_verifier=verifier,
            redirect_uri=callback_uri(client.key),
        )
        connection = services.connection_save(
            workspace=request.workspace, provider=client.key, grant=grant, by=request.user
        )
    except (ProviderError, crypto.MissingKey) as exc:
        return _refuse(request, str(exc))
    messages.success(
        request,
        f"Connected {client.label} ({connection.account}). Routing forms now ask it who owns "
        "a visitor's email.",
    )
    return _back()


@workspace_required
@require_POST
def disconnect(request: AuthedRequest, provider: str) -> HttpResponse:
    if not request.membership.is_admin:
        return HttpResponseForbidden(NOT_ALLOWED, content_type="text/plain")
    client = registry.get(provider)
    if services.connection_delete(workspace=request.workspace, provider=provider):
        messages.success(
            request, f"Disconnected {client.label}: routing forms no longer ask it for owners."
        )
    return _back()
