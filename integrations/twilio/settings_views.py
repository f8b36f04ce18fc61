"""The Twilio part of ``/settings/integrations``: owners and admins save or remove the
workspace's own account; it is checked with Twilio before anything is stored."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from integrations.calendars.views import page
from integrations.models import TwilioAccount
from integrations.twilio import client, section
from integrations.twilio.forms import TwilioAccountForm
from workestra.lib import crypto
from workestra.tenancy import AuthedRequest, workspace_required

NOT_ALLOWED = "Only the workspace's owners and admins can change its Twilio account."


def _back() -> HttpResponse:
    return redirect(reverse("integrations:settings") + "#twilio")


def _token(form: TwilioAccountForm, account: TwilioAccount | None) -> str:
    """The token typed in, else the saved one; "" (with an error on the form) when neither."""
    token: str = form.cleaned_data["auth_token"]
    if token or account is None:
        return token
    try:
        return account.auth_token
    except (crypto.MissingKey, crypto.Undecryptable):
        form.add_error("auth_token", "The saved auth token can't be read: enter it again.")
        return ""


def _checked(form: TwilioAccountForm, account: TwilioAccount | None) -> client.Credentials | None:
    if not crypto.is_configured():
        form.add_error(None, crypto.MISSING_KEY_MESSAGE)
        return None
    token = _token(form, account)
    if not token:
        return None
    data = form.cleaned_data
    credentials = client.Credentials(data["account_sid"], token, data["from_number"], own=True)
    try:
        client.check_account(credentials)
    except client.TwilioError as exc:
        form.add_error(None, str(exc))
        return None
    return credentials


@workspace_required
@require_POST
def save(request: AuthedRequest) -> HttpResponse:
    if not request.membership.is_admin:
        return HttpResponseForbidden(NOT_ALLOWED, content_type="text/plain")
    account = section.workspace_account(request)
    form = TwilioAccountForm(request.POST, has_token=account is not None)
    credentials = _checked(form, account) if form.is_valid() else None
    if credentials is None:
        return page(request, status=400, twilio_form=form)
    account = account or TwilioAccount(workspace=request.workspace)
    account.account_sid = credentials.account_sid
    account.auth_token = credentials.auth_token
    account.from_number = credentials.from_number
    account.save()
    messages.success(
        request, f"Twilio connected: texts and calls now come from {account.from_number}."
    )
    return _back()


@workspace_required
@require_POST
def remove(request: AuthedRequest) -> HttpResponse:
    if not request.membership.is_admin:
        return HttpResponseForbidden(NOT_ALLOWED, content_type="text/plain")
    TwilioAccount.objects.filter(workspace=request.workspace).delete()
    if client.server_credentials() is not None:
        messages.success(request, "Twilio account removed: the server's Twilio account is used.")
    else:
        messages.success(request, "Twilio account removed: no texts or calls can be sent.")
    return _back()
