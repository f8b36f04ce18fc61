"""A fake Salesforce org over real HTTP: OAuth at ``/services/oauth2/token`` (its answer names
this server as the ``instance_url``), ``/services/oauth2/userinfo``, ``/services/oauth2/revoke``, and the REST ``query``
resource for exactly the SOQL the owner lookup sends. String literals are parsed as Salesforce
does, so a badly escaped email is a ``MALFORMED_QUERY`` (400), never a different query.
``contacts``, ``leads`` and ``users`` are the org's records. See ``fake_crm`` for the switches."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tests.integrations import fake_http
from tests.integrations.fake_crm import FakeCrm
from tests.integrations.fake_http import Answer, Recorded

CLIENT_ID = "salesforce-test-client"
CLIENT_SECRET = "test-salesforce-client-secret"
USERNAME = "admin@acme.example"
QUERY_PATH = re.compile(r"^/services/data/v\d+\.\d/query$")
SOQL = re.compile(
    r"^SELECT (?P<fields>[\w., ]+) FROM (?P<object>Contact|Lead|User) "
    r"WHERE (?P<field>Email|Id) = '(?P<literal>(?:[^'\\]|\\.)*)'(?P<rest>.*)$",
    re.DOTALL,
)
RESTS = {
    "Contact": " ORDER BY LastModifiedDate DESC LIMIT 1",
    "Lead": " AND IsConverted = false ORDER BY LastModifiedDate DESC LIMIT 1",
    "User": "",
}
ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def unescape(literal: str) -> str | None:
    """A SOQL string literal's value; None for an escape Salesforce refuses."""
    out, chars = [], iter(literal)
    for char in chars:
        if char == "\\":
            escaped = ESCAPES.get(next(chars, ""))
            if escaped is None:
                return None
            out.append(escaped)
        else:
            out.append(char)
    return "".join(out)


@dataclass
class FakeSalesforce(FakeCrm):
    contacts: list[dict[str, Any]] = field(default_factory=list)
    leads: list[dict[str, Any]] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def add_user(self, email: str, *, active: bool = True) -> str:
        user_id = f"005{next(self._ids):012d}"
        self.users[user_id] = {"Id": user_id, "Email": email, "IsActive": active}
        return user_id

    def add_contact(self, email: str, owner_id: str, account_owner_id: str = "") -> None:
        contact: dict[str, Any] = {
            "Id": f"003{next(self._ids):012d}",
            "Email": email,
            "OwnerId": owner_id,
            "AccountId": None,
            "Account": None,
        }
        if account_owner_id:
            contact["AccountId"] = f"001{next(self._ids):012d}"
            contact["Account"] = {"OwnerId": account_owner_id}
        self.contacts.append(contact)

    def add_lead(self, email: str, owner_id: str) -> None:
        self.leads.append({"Id": f"00Q{next(self._ids):012d}", "Email": email, "OwnerId": owner_id})

    def queries(self) -> list[str]:
        return [r.query.get("q", "") for r in self.requests if QUERY_PATH.match(r.path)]

    def error(self, status: int, message: str) -> Answer:
        code = {401: "INVALID_SESSION_ID", 400: "MALFORMED_QUERY"}.get(status, "UNKNOWN_EXCEPTION")
        return status, [{"message": message, "errorCode": code}], {}

    def token_extras(self) -> dict[str, Any]:
        return {
            "instance_url": self.base_url,
            "id": f"{self.base_url}/id/00D000000000001/005000000000001",
            "issued_at": "1795000000000",
            "signature": "fake",
        }

    def public(self, recorded: Recorded) -> bool:
        return recorded.path == "/services/oauth2/revoke"

    def route(self, recorded: Recorded, account: str) -> Answer:
        if recorded.path == "/services/oauth2/revoke" and recorded.method == "POST":
            body = recorded.body if isinstance(recorded.body, dict) else {}
            if not self.revoke_token(str(body.get("token", ""))):
                return 400, {"error": "unsupported_token_type"}, {}
            return 200, None, {}
        if recorded.path == "/services/oauth2/userinfo" and recorded.method == "GET":
            return 200, {"preferred_username": account, "email": account}, {}
        if QUERY_PATH.match(recorded.path) and recorded.method == "GET":
            return self._query(recorded.query.get("q", ""))
        return self.error(404, "The requested resource does not exist")

    def _query(self, soql: str) -> Answer:
        parsed = SOQL.match(soql)
        value = unescape(parsed.group("literal")) if parsed else None
        if parsed is None or value is None or parsed.group("rest") != RESTS[parsed["object"]]:
            return self.error(400, f"MALFORMED_QUERY: {soql[:200]}")
        if parsed["object"] == "User":
            user = self.users.get(value)
            return 200, _records([user] if user else []), {}
        table = self.contacts if parsed["object"] == "Contact" else self.leads
        matches = [r for r in table if r["Email"].lower() == value.lower()]
        return 200, _records(matches[-1:]), {}


def _records(records: list[dict[str, Any]]) -> dict[str, Any]:
    return {"totalSize": len(records), "done": True, "records": records}


def start() -> FakeSalesforce:
    return fake_http.start(
        lambda server: FakeSalesforce(
            server=server,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            token_path="/services/oauth2/token",
        )
    )


def stop(fake: FakeSalesforce) -> None:
    fake_http.stop(fake)
