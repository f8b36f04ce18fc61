"""``/accounts/with/<provider>/start`` and ``.../callback``: "Continue with Google / Microsoft"
on the login and sign-up pages (see ``signin.py`` for why this is our own flow)."""

from __future__ import annotations

from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from integrations.calendars import oauth, services, signin
from integrations.calendars import provider as providers
from integrations.calendars.provider import Grant, ProviderError
from workestra.lib import crypto
from workestra.models import User

PURPOSE = "signin"
LOGIN_URL = "login"


def _label(provider_key: str) -> str:
    if provider_key not in signin.SIGNIN_KEYS:
        raise Http404("No such provider.")
    try:
        client = providers.get(provider_key)
    except KeyError:
        raise Http404("No such provider.") from None
    if not getattr(client, "uses_oauth", False):
        raise Http404("No such provider.")
    return str(client.label)


@require_POST
def start(request: HttpRequest, provider_key: str) -> HttpResponse:
    _label(provider_key)
    if request.user.is_authenticated:  # signed in already; calendars connect in Settings
        return redirect("home")
    connect = request.POST.get("connect_calendar") == "on"
    try:
        url = oauth.oauth_begin(
            request, provider_key, purpose=PURPOSE, extra={"connect_calendar": connect}
        )
    except oauth.OAuthRefused as exc:
        messages.error(request, str(exc))
        return redirect(LOGIN_URL)
    return redirect(url)


@require_GET
def callback(request: HttpRequest, provider_key: str) -> HttpResponse:
    label = _label(provider_key)
    state = request.GET.get("state", "")
    if request.GET.get("error"):
        oauth.oauth_cancel(request, state)
        messages.info(request, f"You didn't finish signing in at {label}, so nothing changed.")
        return redirect(LOGIN_URL)
    try:
        extra, grant = oauth.oauth_finish_entry(
            request, provider_key, state, request.GET.get("code", ""), purpose=PURPOSE
        )
        user, is_new = signin.user_for_grant(grant, label=label)
    except oauth.OAuthRefused:
        messages.error(
            request,
            "We couldn't confirm that this sign-in was started here, so nothing changed. "
            "Please start again.",
        )
        return redirect(LOGIN_URL)
    except (ProviderError, signin.SigninRefused) as exc:
        messages.error(request, str(exc))
        return redirect(LOGIN_URL)
    response = perform_login(
        request,
        user,
        email_verification=settings.ACCOUNT_EMAIL_VERIFICATION,
        redirect_url=settings.ACCOUNT_SIGNUP_REDIRECT_URL if is_new else None,
        signup=is_new,
        email=user.email,
    )
    if extra.get("connect_calendar"):
        _connect_calendar(request, user, provider_key, grant, label)
    return response


def _connect_calendar(
    request: HttpRequest, user: User, provider_key: str, grant: Grant, label: str
) -> None:
    """Keep the same grant as the user's calendar connection, once they are fully signed in
    (an account that still owes its MFA code connects nothing yet)."""
    if not request.user.is_authenticated or request.user.pk != user.pk:
        messages.info(
            request,
            f"Once you are signed in, connect your {label} calendar in Settings → Integrations.",
        )
        return
    workspace = signin.home_workspace(user)
    if workspace is None:
        return
    try:
        services.connection_create(
            user=user, workspace=workspace, provider_key=provider_key, grant=grant
        )
    except (ProviderError, crypto.MissingKey) as exc:
        messages.warning(request, f"Signed in, but your {label} calendar was not connected: {exc}")
        return
    messages.success(request, f"Connected your {label} calendar ({grant.account}).")
