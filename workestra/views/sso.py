"""``/accounts/sso`` (anyone: sign in through your workspace's IdP) and ``/settings/sso``
(owners: connect the workspace's OIDC or SAML identity provider)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from workestra import plans
from workestra.models import Membership, SsoConnection
from workestra.sso import selectors, services
from workestra.sso.adapter import START_ERRORS, SsoAdapter
from workestra.sso.forms import SsoConnectionForm, SsoStartForm
from workestra.tenancy import AuthedRequest, workspace_required


@require_http_methods(["GET", "POST"])
def sso_start(request: HttpRequest) -> HttpResponse:
    """The work address decides the IdP; a GET only shows the form (prefilled from ``?email``)."""
    if request.method == "GET":
        form = SsoStartForm(initial={"email": request.GET.get("email", "")[:254]})
        return render(request, "account/sso_start.html", {"form": form})
    form = SsoStartForm(request.POST)
    if not form.is_valid():
        return render(request, "account/sso_start.html", {"form": form}, status=400)
    email = form.cleaned_data["email"]
    connection = selectors.connection_for_email(email)
    if connection is None:
        form.add_error(
            "email",
            f"No workspace signs in {selectors.domain_of(email)} addresses with SSO. "
            "Log in with your email and password instead.",
        )
        return render(request, "account/sso_start.html", {"form": form}, status=400)
    provider = SsoAdapter(request).get_provider(request, connection.provider_key)
    try:
        return provider.redirect(request, process="login", next_url=reverse("home"))
    except START_ERRORS:
        form.add_error(
            None,
            "Your identity provider could not be reached. Try again in a minute, or ask your "
            "workspace owner to check the SSO settings.",
        )
        # Not a 5xx of ours: the page works and says what went wrong elsewhere.
        return render(request, "account/sso_start.html", {"form": form})


def _owner_only(request: AuthedRequest) -> None:
    if request.membership.role != Membership.Role.OWNER:
        raise PermissionDenied("Only owners manage single sign-on.")


def _owner_domains(request: AuthedRequest) -> set[str]:
    addresses = EmailAddress.objects.filter(user=request.user, verified=True)
    return {selectors.domain_of(a.email) for a in addresses}


def _page(request: AuthedRequest, form: SsoConnectionForm, *, status: int = 200) -> HttpResponse:
    connection = SsoConnection.objects.filter(workspace_id=request.workspace.pk).first()
    key = SsoConnection(workspace_id=request.workspace.pk).provider_key
    base = settings.PUBLIC_BASE_URL
    context = {
        "form": form,
        "connection": connection,
        "allowed": plans.allows(request.workspace.plan, "sso"),
        "needed_plan": plans.plan_label(plans.min_plan("sso") or ""),
        "redirect_uri": base + reverse("openid_connect_callback", kwargs={"provider_id": key}),
        "acs_url": base + reverse("saml_acs", args=[key]),
        "metadata_url": base + reverse("saml_metadata", args=[key]),
    }
    return render(request, "workestra/sso.html", context, status=status)


@require_http_methods(["GET", "POST"])
@workspace_required
def sso_settings(request: AuthedRequest) -> HttpResponse:
    _owner_only(request)
    existing = SsoConnection.objects.filter(workspace=request.workspace).first()
    instance = existing or SsoConnection(workspace=request.workspace)
    domains = _owner_domains(request)
    if request.method == "GET":
        return _page(request, SsoConnectionForm(instance=instance, owner_domains=domains))
    form = SsoConnectionForm(request.POST, instance=instance, owner_domains=domains)
    if not plans.allows(request.workspace.plan, "sso"):
        label = plans.plan_label(plans.min_plan("sso") or "")
        form.add_error(None, f"Single sign-on needs the {label} plan.")
        return _page(request, form, status=403)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        services.sso_connection_save(
            workspace=request.workspace,
            by=request.user,
            values=form.cleaned_data,
            secret=form.cleaned_data.get("oidc_client_secret", ""),
        )
    except services.SsoConnectionError as exc:
        form.add_error("domain", str(exc))
        return _page(request, form, status=400)
    messages.success(request, "Single sign-on is saved. Try it in a private window first.")
    return redirect("members:sso")


@require_POST
@workspace_required
def sso_delete(request: AuthedRequest) -> HttpResponse:
    _owner_only(request)
    connection = SsoConnection.objects.filter(workspace=request.workspace).first()
    if connection is not None:
        services.sso_connection_delete(connection=connection)
        messages.success(
            request, "Single sign-on is off. Members sign in with their email and a password."
        )
    return redirect("members:sso")
