"""The Stripe part of ``/settings/integrations``: owners and admins save or remove the
workspace's Stripe account; the key is checked with Stripe before anything is stored, and both
secrets are stored only encrypted."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from integrations.calendars.views import page
from integrations.models import StripeAccount
from integrations.stripe import client, section
from integrations.stripe.forms import StripeAccountForm
from workestra.lib import crypto
from workestra.tenancy import AuthedRequest, workspace_required

NOT_ALLOWED = "Only the workspace's owners and admins can change its Stripe account."


def _back() -> HttpResponse:
    return redirect(reverse("integrations:settings") + "#stripe")


def _saved(account: StripeAccount | None, name: str) -> str:
    if account is None:
        return ""
    try:
        value: str = getattr(account, name)
    except (crypto.MissingKey, crypto.Undecryptable):
        return ""
    return value


def _checked(form: StripeAccountForm, account: StripeAccount | None) -> tuple[str, str, str]:
    """The key, the secret and the account's name; blanks (with errors on the form) when not."""
    if not crypto.is_configured():
        form.add_error(None, crypto.MISSING_KEY_MESSAGE)
        return "", "", ""
    key = form.cleaned_data["api_key"] or _saved(account, "api_key")
    secret = form.cleaned_data["webhook_secret"] or _saved(account, "webhook_secret")
    if not key or not secret:
        form.add_error(None, "The saved secrets can't be read: enter both again.")
        return "", "", ""
    try:
        name = client.check_key(key)
    except client.StripeError as exc:
        form.add_error("api_key", exc.message)
        return "", "", ""
    return key, secret, name


@workspace_required
@require_POST
def save(request: AuthedRequest) -> HttpResponse:
    if not request.membership.is_admin:
        return HttpResponseForbidden(NOT_ALLOWED, content_type="text/plain")
    account = section.workspace_account(request)
    form = StripeAccountForm(request.POST, has_secrets=account is not None)
    key, secret, name = _checked(form, account) if form.is_valid() else ("", "", "")
    if not key:
        return page(request, status=400, stripe_form=form)
    account = account or StripeAccount(workspace=request.workspace)
    account.api_key, account.webhook_secret = key, secret
    account.account_name = name[:200]
    account.save()
    messages.success(request, "Stripe connected: paid links now take payments.")
    return _back()


@workspace_required
@require_POST
def remove(request: AuthedRequest) -> HttpResponse:
    if not request.membership.is_admin:
        return HttpResponseForbidden(NOT_ALLOWED, content_type="text/plain")
    StripeAccount.objects.filter(workspace=request.workspace).delete()
    messages.success(request, "Stripe disconnected: paid links can't be booked until it is back.")
    return _back()
