"""HubSpot: the contact owner of an email address, for routing forms.

A workspace's owner or admin connects the workspace's HubSpot portal (OAuth 2.0 with PKCE; the
client credentials go in the token form). The lookup searches contacts by email (CRM v3
``POST /crm/v3/objects/contacts/search``, property ``hubspot_owner_id``), then reads that owner
(``GET /crm/v3/owners/{id}``) for their email.

Settings: ``HUBSPOT_CLIENT_ID`` / ``HUBSPOT_CLIENT_SECRET``, ``HUBSPOT_AUTH_BASE`` (the
authorize page, ``{base}/oauth/authorize``) and ``HUBSPOT_API_BASE`` (the token endpoint
``/oauth/v1/token`` and the CRM API).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx
from django.conf import settings

from integrations.calendars.provider import ProviderError
from integrations.conferencing import oauth_http
from integrations.conferencing.oauth_http import OAuthApp
from integrations.crm_accounts.http import Budget, call, json_body, revoke_quietly, status_error
from integrations.crm_accounts.oauth_client import OAuthCrm
from integrations.crm_accounts.provider import FOUND, NO_OWNER, NOT_FOUND, CrmGrant, Owner

if TYPE_CHECKING:
    from integrations.models import CrmConnection

LABEL = "HubSpot"
SCOPES = ("oauth", "crm.objects.contacts.read", "crm.objects.owners.read")
OWNER_ID = re.compile(r"^\d{1,20}$")

APP = OAuthApp(
    label=LABEL,
    authorize_url=lambda: f"{settings.HUBSPOT_AUTH_BASE}/oauth/authorize",
    token_url=lambda: f"{settings.HUBSPOT_API_BASE}/oauth/v1/token",
    client_id=lambda: settings.HUBSPOT_CLIENT_ID,
    client_secret=lambda: settings.HUBSPOT_CLIENT_SECRET,
    scopes=SCOPES,
    basic_auth=False,
)


def _api(path: str) -> str:
    return f"{settings.HUBSPOT_API_BASE}{path}"


class HubSpot(OAuthCrm):
    key = "hubspot"
    label = LABEL
    app = APP

    def grant(self, tokens: dict[str, Any]) -> CrmGrant:
        access = str(tokens["access_token"])
        return CrmGrant(
            account=_portal(access),
            refresh_token=str(tokens.get("refresh_token") or ""),
            access_token=access,
            expires_at=oauth_http.expires_at(tokens),
        )

    def revoke(self, connection: CrmConnection) -> None:
        """End the app's access in HubSpot (best effort: the admin is disconnecting anyway)."""
        _revoke(connection)

    def find_owner(self, connection: CrmConnection, email: str, budget: Budget) -> Owner:
        owner_id = _contact_owner_id(connection, email, budget)
        if owner_id is None:
            return Owner(NOT_FOUND, detail="HubSpot has no contact with this email.")
        if not OWNER_ID.match(owner_id):
            return Owner(NO_OWNER, detail="The HubSpot contact has no owner.")
        response = call(APP, connection, "GET", _api(f"/crm/v3/owners/{owner_id}"), budget)
        if response.status_code == 404:
            return Owner(NO_OWNER, detail="The HubSpot contact's owner no longer exists.")
        if response.status_code != 200:
            raise status_error(LABEL, response)
        owner = json_body(LABEL, response)
        owner_email = str(owner.get("email") or "") if isinstance(owner, dict) else ""
        if not owner_email or (isinstance(owner, dict) and owner.get("archived")):
            return Owner(NO_OWNER, detail="The HubSpot contact's owner has no active user.")
        return Owner(FOUND, email=owner_email.lower(), detail="Owner found in HubSpot.")


def _contact_owner_id(connection: CrmConnection, email: str, budget: Budget) -> str | None:
    """The ``hubspot_owner_id`` of the contact with that email ("" when it has none), or None
    when there is no such contact."""
    search = {
        "filterGroups": [
            {"filters": [{"propertyName": "email", "operator": "EQ", "value": email}]}
        ],
        "properties": ["email", "hubspot_owner_id"],
        "limit": 1,
    }
    url = _api("/crm/v3/objects/contacts/search")
    response = call(APP, connection, "POST", url, budget, json=search)
    if response.status_code != 200:
        raise status_error(LABEL, response)
    body = json_body(LABEL, response)
    results = body.get("results") if isinstance(body, dict) else None
    if not results or not isinstance(results[0], dict):
        return None
    properties: dict[str, Any] = results[0].get("properties") or {}
    return str(properties.get("hubspot_owner_id") or "")


def _portal(access_token: str) -> str:
    """The connected portal, as the page shows it (``Portal 62515``)."""
    try:
        response = httpx.get(
            _api("/account-info/v3/details"),
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
            timeout=oauth_http.TIMEOUT,
        )
    except httpx.HTTPError as exc:
        raise ProviderError(f"{LABEL} could not be reached: {exc!r}") from exc
    portal = response.json().get("portalId") if response.status_code == 200 else None
    if not portal:
        raise ProviderError(
            f"{LABEL} did not tell us which portal was connected ({response.status_code}).",
            retry=response.status_code == 429 or response.status_code >= 500,
        )
    return f"Portal {portal}"


def _revoke(connection: CrmConnection) -> None:
    token = connection.refresh_token
    if token:
        revoke_quietly(LABEL, "DELETE", _api(f"/oauth/v1/refresh-tokens/{quote(token, safe='')}"))
