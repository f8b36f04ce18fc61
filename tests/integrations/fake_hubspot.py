"""A fake HubSpot over real HTTP: OAuth at ``/oauth/v1/token``, and the CRM v3 calls the owner lookup makes (contacts
search by email, an owner by id), ``/account-info/v3/details`` and the refresh-token revoke. ``contacts`` (email -> owner id, "" for none) and ``owners``
(id -> email, archived) are the portal's state. See ``fake_crm`` for the switches."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from tests.integrations import fake_http
from tests.integrations.fake_crm import FakeCrm
from tests.integrations.fake_http import Answer, Recorded

CLIENT_ID = "hubspot-test-client"
CLIENT_SECRET = "test-hubspot-client-secret"
PORTAL_ID = "62515"
PORTAL = f"Portal {PORTAL_ID}"  # how the settings page names the connected portal
OWNER_PATH = re.compile(r"^/crm/v3/owners/([^/]+)$")
REVOKE_PATH = re.compile(r"^/oauth/v1/refresh-tokens/([^/]+)$")


@dataclass
class FakeHubSpot(FakeCrm):
    contacts: dict[str, str] = field(default_factory=dict)
    owners: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add_contact(self, email: str, owner_email: str | None, *, archived: bool = False) -> None:
        """A contact; its owner (a new owner id) unless ``owner_email`` is None."""
        if owner_email is None:
            self.contacts[email.lower()] = ""
            return
        owner_id = str(1000 + len(self.owners))
        self.owners[owner_id] = {
            "id": owner_id,
            "email": owner_email,
            "firstName": "Owner",
            "lastName": owner_id,
            "archived": archived,
        }
        self.contacts[email.lower()] = owner_id

    def searches(self) -> list[Recorded]:
        return [r for r in self.requests if r.path == "/crm/v3/objects/contacts/search"]

    def error(self, status: int, message: str) -> Answer:
        category = {401: "INVALID_AUTHENTICATION", 429: "RATE_LIMITS"}.get(status, "ERROR")
        return status, {"status": "error", "message": message, "category": category}, {}

    def public(self, recorded: Recorded) -> bool:
        return bool(REVOKE_PATH.match(recorded.path))

    def token_extras(self) -> dict[str, Any]:
        return {"expires_in": 1800}

    def route(self, recorded: Recorded, account: str) -> Answer:
        revoke = REVOKE_PATH.match(recorded.path)
        if revoke is not None and recorded.method == "DELETE":
            if not self.revoke_token(unquote(revoke.group(1))):
                return self.error(404, "Refresh token not found")
            return 204, None, {}
        if recorded.path == "/account-info/v3/details" and recorded.method == "GET":
            return 200, {"portalId": int(account), "uiDomain": "app.hubspot.com"}, {}
        if recorded.path == "/crm/v3/objects/contacts/search" and recorded.method == "POST":
            return self._search(recorded.body)
        owner = OWNER_PATH.match(recorded.path)
        if owner is not None and recorded.method == "GET":
            found = self.owners.get(owner.group(1))
            if found is None:
                return self.error(404, "Owner not found")
            return 200, found, {}
        return self.error(404, "Not found")

    def _search(self, body: Any) -> Answer:
        try:
            (only,) = body["filterGroups"][0]["filters"]
        except (KeyError, IndexError, TypeError, ValueError):
            return self.error(400, "Invalid search")
        if (only.get("propertyName"), only.get("operator")) != ("email", "EQ"):
            return self.error(400, "Only an email EQ filter is expected here")
        if "hubspot_owner_id" not in (body.get("properties") or []):
            return self.error(400, "hubspot_owner_id was not asked for")
        email = str(only.get("value", "")).lower()
        if email not in self.contacts:
            return 200, {"total": 0, "results": []}, {}
        properties = {"email": email, "hubspot_owner_id": self.contacts[email] or None}
        return 200, {"total": 1, "results": [{"id": "501", "properties": properties}]}, {}


def start() -> FakeHubSpot:
    return fake_http.start(
        lambda server: FakeHubSpot(
            server=server,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            token_path="/oauth/v1/token",
        )
    )


def stop(fake: FakeHubSpot) -> None:
    fake_http.stop(fake)
