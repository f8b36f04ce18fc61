"""Settings → Webhooks: ``/settings/webhooks``. Everyone in the workspace sees the endpoints and
their delivery log; admins add, delete and re-enable them and can reveal the signing secrets."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.validators import URLValidator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from workestra.lib import outbound
from workestra.tenancy import AuthedRequest, scoped, workspace_required
from workflows import selectors, services
from workflows.models import WebhookDelivery, WebhookEndpoint

LOG_SIZE = 50
MAX_ENDPOINTS = 20
URL_MAX_LENGTH = 2000


class EndpointForm(forms.Form):
    url = forms.CharField(
        label="Endpoint URL",
        max_length=URL_MAX_LENGTH,
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/webhooks/workestra"}),
        help_text="We POST signed JSON (Standard Webhooks) to this address. It must be public.",
        error_messages={
            "required": "Enter the URL that should receive the events.",
            "max_length": f"Keep the URL under {URL_MAX_LENGTH} characters.",
        },
    )

    def __init__(self, *args: Any, workspace: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        problem = outbound.url_problem(url, loopback_ok=settings.WEBHOOK_ALLOW_LOOPBACK)
        if problem:
            raise forms.ValidationError(problem)
        try:
            URLValidator(schemes=["http", "https"])(url)
        except forms.ValidationError:
            raise forms.ValidationError(
                "Enter a full URL, e.g. https://example.com/webhooks."
            ) from None
        endpoints = WebhookEndpoint.objects.filter(workspace=self.workspace)
        if endpoints.filter(url=url).exists():
            raise forms.ValidationError("This URL is already an endpoint of this workspace.")
        if endpoints.count() >= MAX_ENDPOINTS:
            raise forms.ValidationError(
                f"A workspace can have up to {MAX_ENDPOINTS} endpoints; delete one first."
            )
        return url


def _is_admin(request: AuthedRequest) -> bool:
    return bool(request.membership.is_admin)


def _require_admin(request: AuthedRequest) -> None:
    if not _is_admin(request):
        raise PermissionDenied("Only workspace admins can change webhooks.")


def _page(request: AuthedRequest, form: EndpointForm | None, *, status: int = 200) -> HttpResponse:
    recent = WebhookDelivery.objects.order_by("-created_at", "-pk")[:LOG_SIZE]
    endpoints = scoped(WebhookEndpoint.objects.all(), request).prefetch_related(
        Prefetch("deliveries", queryset=recent, to_attr="recent_deliveries")
    )
    context = {
        "endpoints": endpoints,
        "form": form,
        "is_admin": _is_admin(request),
        "log_size": LOG_SIZE,
    }
    return render(request, "webhooks/list.html", context, status=status)


@workspace_required
@require_GET
def webhook_list(request: AuthedRequest) -> HttpResponse:
    form = EndpointForm(workspace=request.workspace) if _is_admin(request) else None
    return _page(request, form)


@workspace_required
@require_POST
def webhook_create(request: AuthedRequest) -> HttpResponse:
    _require_admin(request)
    form = EndpointForm(request.POST, workspace=request.workspace)
    if not form.is_valid():
        return _page(request, form, status=400)
    endpoint = services.webhook_endpoint_create(
        workspace=request.workspace,
        url=form.cleaned_data["url"],
    )
    messages.success(
        request,
        f"Added {endpoint.url}. Reveal its signing secret below and add it to your receiver "
        "to verify our signatures.",
    )
    return redirect("webhooks:list")


@workspace_required
@require_POST
def webhook_enable(request: AuthedRequest, pk: int) -> HttpResponse:
    endpoint = selectors.webhook_endpoint_get_for_user(request.membership, pk)
    _require_admin(request)
    services.webhook_endpoint_enable(endpoint=endpoint)
    messages.success(request, f"{endpoint.url} is active again; new events will be sent to it.")
    return redirect("webhooks:list")


@workspace_required
@require_http_methods(["GET", "POST"])
def webhook_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    endpoint = selectors.webhook_endpoint_get_for_user(request.membership, pk)
    _require_admin(request)
    if request.method == "GET":
        return render(request, "webhooks/delete.html", {"endpoint": endpoint})
    url = endpoint.url
    services.webhook_endpoint_delete(endpoint=endpoint)
    messages.success(request, f"Deleted {url}. Workflow steps that used it will fail visibly.")
    return redirect("webhooks:list")
