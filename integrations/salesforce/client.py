"""Salesforce: the owner of an email address's contact or lead, for routing forms.

A workspace's owner or admin connects the org (OAuth 2.0 web server flow with PKCE; the org's
API lives at the ``instance_url`` the token response names). The lookup, in SOQL through
``GET {instance_url}/services/data/{version}/query?q=``:

1. the most recently changed Contact with that Email: its owner, or, when that owner is not a
   user, the owner of its Account;
2. else the most recently changed unconverted Lead with that Email: its owner (a lead owned by a
   queue has no owner to route to);
3. the owner's User record for the Email, when the user is active.

The email is a quoted SOQL string literal, escaped as Salesforce documents; ids are checked
against the id format before they go into a query.

Settings: ``SALESFORCE_CLIENT_ID`` / ``SALESFORCE_CLIENT_SECRET``, ``SALESFORCE_AUTH_BASE``
(``/services/oauth2/authorize`` and ``/token``; a sandbox uses https://test.salesforce.com) and
``SALESFORCE_API_VERSION``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

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

LABEL = "Salesforce"
SCOPES = ("api", "refresh_token")
#: A User id (15 or 18 characters, key prefix 005); queues and groups start with 00G.
USER_ID = re.compile(r"^005[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$")
SOQL_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}

APP = OAuthApp(
    label=LABEL,
    authorize_url=lambda: f"{settings.SALESFORCE_AUTH_BASE}/services/oauth2/authorize",
    token_url=lambda: f"{settings.SALESFORCE_AUTH_BASE}/services/oauth2/token",
    client_id=lambda: settings.SALESFORCE_CLIENT_ID,
    client_secret=lambda: settings.SALESFORCE_CLIENT_SECRET,
    scopes=SCOPES,
    basic_auth=False,
)


CONTACT_QUERY = (
    "SELECT Id, OwnerId, AccountId, Account.OwnerId FROM Contact "
    "WHERE Email = {email} ORDER BY LastModifiedDate DESC LIMIT 1"
)
LEAD_QUERY = (
    "SELECT Id, OwnerId FROM Lead WHERE Email = {email} "
    "AND IsConverted = false ORDER BY LastModifiedDate DESC LIMIT 1"
)
USER_QUERY = "SELECT Email, IsActive FROM User WHERE Id = {id}"


def soql(template: str, **values: str) -> str:
    """``template`` with each ``{name}`` replaced by its value as an escaped string literal."""
    return template.format(**{name: soql_string(value) for name, value in values.items()})


def soql_string(value: str) -> str:
    """``value`` as a SOQL string literal, quotes included."""
    return "'" + "".join(SOQL_ESCAPES.get(char, char) for char in value) + "'"


def _no_expiry(tokens: dict[str, Any]) -> None:
    """Salesforce says nothing of when a session ends: the token is used until refused."""
    return None


class Salesforce(OAuthCrm):
    key = "salesforce"
    label = LABEL
    app = APP

    def grant(self, tokens: dict[str, Any]) -> CrmGrant:
        instance_url = _instance_url(str(tokens.get("instance_url") or ""))
        access = str(tokens["access_token"])
        return CrmGrant(
            account=_username(instance_url, access),
            refresh_token=str(tokens.get("refresh_token") or ""),
            access_token=access,
            expires_at=None,
            instance_url=instance_url,
        )

    def revoke(self, connection: CrmConnection) -> None:
        """End the app's access in Salesforce (best effort: the admin is disconnecting anyway)."""
        token = connection.refresh_token
        if token:
            url = f"{settings.SALESFORCE_AUTH_BASE}/services/oauth2/revoke"
            revoke_quietly(LABEL, "POST", url, data={"token": token})

    def find_owner(self, connection: CrmConnection, email: str, budget: Budget) -> Owner:
        contact = _first(connection, budget, soql(CONTACT_QUERY, email=email))
        if contact is not None:
            account = contact.get("Account") or {}
            candidates = [contact.get("OwnerId"), account.get("OwnerId")]
            what = "contact"
        else:
            lead = _first(connection, budget, soql(LEAD_QUERY, email=email))
            if lead is None:
                return Owner(NOT_FOUND, detail="Salesforce has no contact or lead with this email.")
            candidates = [lead.get("OwnerId")]
            what = "lead"
        owner_id = next((str(c) for c in candidates if c and USER_ID.match(str(c))), None)
        if owner_id is None:
            return Owner(NO_OWNER, detail=f"The Salesforce {what} has no owner who is a user.")
        user = _first(connection, budget, soql(USER_QUERY, id=owner_id))
        if user is None or not user.get("IsActive") or not user.get("Email"):
            return Owner(NO_OWNER, detail=f"The Salesforce {what}'s owner is not an active user.")
        return Owner(FOUND, email=str(user["Email"]).lower(), detail="Owner found in Salesforce.")


def _first(connection: CrmConnection, budget: Budget, soql: str) -> dict[str, Any] | None:
    """The first record the query answers, or None."""
    url = f"{connection.instance_url}/services/data/{settings.SALESFORCE_API_VERSION}/query"
    response = call(APP, connection, "GET", url, budget, params={"q": soql}, expires_at=_no_expiry)
    if response.status_code != 200:
        raise status_error(LABEL, response)
    body = json_body(LABEL, response)
    records = body.get("records") if isinstance(body, dict) else None
    if not records or not isinstance(records[0], dict):
        return None
    return records[0]


def _instance_url(value: str) -> str:
    """The org's API address from the token response; https only (unless the sign-in server
    itself is plain http, as in tests)."""
    parts = urlsplit(value)
    allowed = {"https", urlsplit(settings.SALESFORCE_AUTH_BASE).scheme}
    if parts.scheme not in allowed or not parts.netloc:
        raise ProviderError(f"{LABEL} did not name a usable address for the org.", retry=False)
    return f"{parts.scheme}://{parts.netloc}"


def _username(instance_url: str, access_token: str) -> str:
    """The connected user's name, as the page shows it."""
    try:
        response = httpx.get(
            f"{instance_url}/services/oauth2/userinfo",
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
            timeout=oauth_http.TIMEOUT,
        )
    except httpx.HTTPError as exc:
        raise ProviderError(f"{LABEL} could not be reached: {exc!r}") from exc
    if response.status_code != 200:
        raise ProviderError(
            f"{LABEL} did not tell us which user signed in ({response.status_code}).",
            retry=response.status_code == 429 or response.status_code >= 500,
        )
    info = response.json()
    return str(info.get("preferred_username") or info.get("email") or "Salesforce org")
