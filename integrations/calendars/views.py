"""Settings → Integrations: ``/settings/integrations``. A host connects calendar accounts
(OAuth sign-in or a password), chooses which calendars are checked for conflicts and which one
receives new bookings, reconnects a broken account and disconnects one. Each host sees and
changes only their own connections."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from integrations.calendars import forms, oauth, selectors, services
from integrations.calendars import provider as providers
from integrations.calendars.provider import PasswordProvider, ProviderError
from integrations.crm_accounts import section as crm_section
from integrations.models import CalendarConnection, Provider
from integrations.stripe import section as stripe_section
from integrations.stripe.forms import StripeAccountForm
from integrations.twilio import section as twilio_section
from integrations.twilio.forms import TwilioAccountForm
from workestra.lib import crypto
from workestra.tenancy import AuthedRequest, workspace_required

# What an operator sets to offer an OAuth provider (shown while it is not set up).
OAUTH_SETTINGS = {
    "google": ("GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"),
    "microsoft": ("MICROSOFT_CLIENT_ID", "MICROSOFT_CLIENT_SECRET"),
}
SETTINGS_URL = "integrations:settings"


def _sections(
    request: AuthedRequest, bound: forms.PasswordConnectForm | None
) -> list[dict[str, Any]]:
    """One section per provider this server offers, with the host's connections in it."""
    registered = providers.available()
    connections = list(selectors.connections_for_member(request.membership))
    reconnect = _reconnect_target(request, connections)
    sections = []
    for key, label in Provider.choices:
        client = registered.get(key)
        if client is None:
            continue
        section: dict[str, Any] = {
            "key": key,
            "label": label,
            "uses_oauth": client.uses_oauth,
            "configured": client.is_configured(),
            "settings_names": OAUTH_SETTINGS.get(key, ()),
            "connections": [_connection_row(c) for c in connections if c.provider == key],
        }
        if not client.uses_oauth and key in forms.FORMS:
            section["form"] = _password_form(key, bound, reconnect)
        sections.append(section)
    return sections


def _connection_row(connection: CalendarConnection) -> dict[str, Any]:
    calendars = list(connection.calendars.all())
    return {
        "connection": connection,
        "calendars": calendars,
        "writable": [c for c in calendars if c.writable],
    }


def _reconnect_target(
    request: AuthedRequest, connections: list[CalendarConnection]
) -> CalendarConnection | None:
    wanted = request.GET.get("reconnect", "")
    return next((c for c in connections if str(c.pk) == wanted), None)


def _password_form(
    key: str, bound: forms.PasswordConnectForm | None, reconnect: CalendarConnection | None
) -> forms.PasswordConnectForm:
    if bound is not None and bound.provider_key == key:
        return bound
    initial = {}
    if reconnect is not None and reconnect.provider == key:
        initial = {"server_url": reconnect.server_url, "username": reconnect.username}
    return forms.FORMS[key](initial=initial)


def _page(
    request: AuthedRequest,
    *,
    status: int = 200,
    bound: forms.PasswordConnectForm | None = None,
    preferences_error: str = "",
    twilio_form: TwilioAccountForm | None = None,
    stripe_form: StripeAccountForm | None = None,
) -> HttpResponse:
    sections = _sections(request, bound)
    rows = [row for s in sections for row in s["connections"]]
    has_calendars = any(row["calendars"] for row in rows)
    has_receiving = any(c.receives_bookings for row in rows for c in row["calendars"])
    context = {
        "sections": sections,
        "has_calendars": has_calendars,
        "has_receiving": has_receiving,
        "encryption_ready": crypto.is_configured(),
        "missing_key_message": crypto.MISSING_KEY_MESSAGE,
        "preferences_error": preferences_error,
        "twilio": twilio_section.context(request, twilio_form),
        "stripe": stripe_section.context(request, stripe_form),
        "crm": crm_section.context(request),
    }
    return render(request, "integrations/settings.html", context, status=status)


page = _page  # the whole page, for the other sections' views (Twilio)


@workspace_required
@require_GET
def integrations_settings(request: AuthedRequest) -> HttpResponse:
    return _page(request)


def _client(provider_key: str) -> providers.CalendarProvider:
    try:
        return providers.get(provider_key)
    except KeyError:
        raise Http404("No such calendar provider.") from None


@workspace_required
@require_POST
def connect(request: AuthedRequest, provider_key: str) -> HttpResponse:
    client = _client(provider_key)
    if client.uses_oauth:
        return _connect_oauth(request, provider_key)
    if provider_key not in forms.FORMS:
        raise Http404("No such calendar provider.")
    return _connect_password(request, provider_key, cast(PasswordProvider, client))


def _connect_oauth(request: AuthedRequest, provider_key: str) -> HttpResponse:
    if not crypto.is_configured():
        messages.error(request, crypto.MISSING_KEY_MESSAGE)
        return _page(request, status=400)
    try:
        return redirect(oauth.oauth_begin(request, provider_key))
    except oauth.OAuthRefused as exc:
        messages.error(request, str(exc))
        return _page(request, status=400)


def _connect_password(
    request: AuthedRequest, provider_key: str, client: PasswordProvider
) -> HttpResponse:
    form = forms.FORMS[provider_key](request.POST)
    if not form.is_valid():
        return _page(request, status=400, bound=form)
    if not crypto.is_configured():
        form.add_error(None, crypto.MISSING_KEY_MESSAGE)
        return _page(request, status=400, bound=form)
    data = form.cleaned_data
    try:
        grant = client.login(
            server_url=data["server_url"], username=data["username"], password=data["password"]
        )
        connection = services.connection_create(
            user=request.user,
            workspace=request.workspace,
            provider_key=provider_key,
            grant=grant,
            server_url=data["server_url"],
            username=data["username"],
        )
    except (ProviderError, crypto.MissingKey) as exc:
        form.add_error(None, str(exc))
        return _page(request, status=400, bound=form)
    messages.success(request, _connected_message(connection))
    return redirect(SETTINGS_URL)


def _connected_message(connection: CalendarConnection) -> str:
    name = connection.get_provider_display()
    if connection.provider in providers.CONFERENCING_CLASSES:
        return (
            f"Connected {name} ({connection.account}). Bookings of links that meet on {name} "
            "now get a meeting of their own."
        )
    return (
        f"Connected {name} ({connection.account}). "
        "Choose below which calendars to check for conflicts."
    )


@workspace_required
@require_GET
def callback(request: AuthedRequest, provider_key: str) -> HttpResponse:
    client = _client(provider_key)
    state = request.GET.get("state", "")
    error = request.GET.get("error", "")
    if error:
        oauth.oauth_cancel(request, state)
        if error == "access_denied":
            messages.info(
                request, f"You didn't give access at {client.label}, so nothing was connected."
            )
        else:
            messages.error(
                request, f"{client.label} couldn't complete the sign-in; nothing was connected."
            )
        return redirect(SETTINGS_URL)
    try:
        grant = oauth.oauth_finish(request, provider_key, state, request.GET.get("code", ""))
        connection = services.connection_create(
            user=request.user, workspace=request.workspace, provider_key=provider_key, grant=grant
        )
    except (oauth.OAuthRefused, ProviderError, crypto.MissingKey) as exc:
        messages.error(request, str(exc))
        return _page(request, status=400)
    messages.success(request, _connected_message(connection))
    return redirect(SETTINGS_URL)


@workspace_required
@require_POST
def preferences(request: AuthedRequest) -> HttpResponse:
    try:
        conflict_ids = {int(v) for v in request.POST.getlist("conflicts")}
        receiving = request.POST.get("receiving", "")
        receiving_id = int(receiving) if receiving else None
    except ValueError:
        return _page(request, status=400, preferences_error="Choose calendars from the list.")
    try:
        services.calendar_preferences_save(
            user=request.user, conflict_ids=conflict_ids, receiving_id=receiving_id
        )
    except services.CalendarNotFound:
        raise Http404("No such calendar.") from None
    except services.PreferenceError as exc:
        return _page(request, status=400, preferences_error=str(exc))
    messages.success(request, "Calendar choices saved.")
    return redirect(SETTINGS_URL)


@workspace_required
@require_POST
def disconnect(request: AuthedRequest, pk: int) -> HttpResponse:
    connection = selectors.connection_get_for_user(request.membership, pk)
    name = f"{connection.get_provider_display()} ({connection.account})"
    services.connection_disconnect(connection)
    messages.success(
        request,
        f"Disconnected {name}. Its calendars are no longer checked and get no new bookings.",
    )
    return redirect(SETTINGS_URL)
