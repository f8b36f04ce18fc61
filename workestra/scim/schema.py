"""SCIM 2.0 (RFC 7643/7644) to and from plain values: resources, list responses, errors, and
the parsing of what identity providers send (users, groups, PATCH operations, the one filter).

No ORM writes here; :mod:`workestra.scim.services` does those.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from workestra.models import Membership, Team

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
MAX_PAGE = 100
MAX_START = 10**9
NAME_MAX = 120


class ScimError(Exception):
    """Answered as a SCIM Error body with ``status``; nothing was written."""

    def __init__(self, status: int, detail: str, scim_type: str = "") -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"schemas": [ERROR], "status": str(self.status)}
        if self.scim_type:
            body["scimType"] = self.scim_type
        body["detail"] = self.detail
        return body


def bad(detail: str, scim_type: str = "invalidValue") -> ScimError:
    return ScimError(400, detail, scim_type)


# --- Output -------------------------------------------------------------------------------------


def user_resource(membership: Membership, base: str) -> dict[str, Any]:
    user = membership.user
    given, _, family = user.name.partition(" ")
    return {
        "schemas": [USER],
        "id": str(user.pk),
        "userName": user.email,
        "name": {"formatted": user.name, "givenName": given, "familyName": family},
        "displayName": user.display_name,
        "active": membership.deactivated_at is None,
        "emails": [{"value": user.email, "type": "work", "primary": True}],
        "meta": {
            "resourceType": "User",
            "created": membership.created_at.isoformat(),
            "location": f"{base}/Users/{user.pk}",
        },
    }


def group_resource(team: Team, base: str) -> dict[str, Any]:
    return {
        "schemas": [GROUP],
        "id": str(team.pk),
        "displayName": team.name,
        "members": [
            {"value": str(m.user_id), "display": m.user.email} for m in team.team_members.all()
        ],
        "meta": {
            "resourceType": "Group",
            "created": team.created_at.isoformat(),
            "location": f"{base}/Groups/{team.pk}",
        },
    }


def list_response(resources: list[dict[str, Any]], *, total: int, start: int) -> dict[str, Any]:
    return {
        "schemas": [LIST],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


# --- Input --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserInput:
    email: str
    name: str | None  # None: not given, keep what is there
    active: bool


def _string(value: Any, field: str, *, max_length: int) -> str:
    if not isinstance(value, str):
        raise bad(f"{field} must be a string.")
    value = value.strip()
    if len(value) > max_length:
        raise bad(f"{field} is longer than {max_length} characters.")
    return value


def parse_bool(value: Any, field: str = "active") -> bool:
    """A boolean, or the strings "true"/"false" in any case (Entra ID sends "False")."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise bad(f"{field} must be true or false.")


def parse_email(value: Any) -> str:
    email = _string(value, "userName", max_length=254).lower()
    try:
        validate_email(email)
    except ValidationError:
        raise bad("userName must be an email address.") from None
    return email


def parse_name(body: dict[str, Any]) -> str | None:
    """displayName, else name.formatted, else givenName + familyName; None when none is given."""
    if body.get("displayName") is not None:
        return _string(body["displayName"], "displayName", max_length=NAME_MAX)
    name = body.get("name")
    if name is None:
        return None
    if not isinstance(name, dict):
        raise bad("name must be an object.")
    if name.get("formatted") is not None:
        return _string(name["formatted"], "name.formatted", max_length=NAME_MAX)
    parts = [
        _string(name[key], f"name.{key}", max_length=NAME_MAX)
        for key in ("givenName", "familyName")
        if name.get(key) is not None
    ]
    return " ".join(p for p in parts if p)[:NAME_MAX]


def parse_user(body: dict[str, Any]) -> UserInput:
    if "userName" not in body:
        raise bad("userName (the email address) is required.")
    active = parse_bool(body["active"]) if body.get("active") is not None else True
    return UserInput(email=parse_email(body["userName"]), name=parse_name(body), active=active)


@dataclass(frozen=True)
class Operation:
    op: str  # add, replace or remove
    path: str  # lowercased; "" when the value carries the attributes
    value: Any


def parse_patch(body: dict[str, Any]) -> list[Operation]:
    operations = body.get("Operations")
    if not isinstance(operations, list) or not operations:
        raise bad("Operations must be a non-empty list.", "invalidSyntax")
    if len(operations) > MAX_PAGE:
        raise bad(f"Send at most {MAX_PAGE} operations at once.", "invalidSyntax")
    parsed = []
    for raw in operations:
        if not isinstance(raw, dict):
            raise bad("Each operation must be an object.", "invalidSyntax")
        op = raw.get("op")
        if not isinstance(op, str) or op.lower() not in ("add", "replace", "remove"):
            raise bad("op must be add, replace or remove.", "invalidSyntax")
        path = raw.get("path", "")
        if not isinstance(path, str) or len(path) > 200:
            raise bad("path must be a string.", "invalidPath")
        parsed.append(Operation(op=op.lower(), path=path.strip(), value=raw.get("value")))
    return parsed


_EQ_FILTER = re.compile(r'^\s*(\w+)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)


def parse_filter(raw: str | None, attribute: str) -> str | None:
    """The value of ``<attribute> eq "value"``, the one filter supported; None without filter."""
    if raw is None or raw.strip() == "":
        return None
    if "\x00" in raw or len(raw) > 300:
        raise bad("The filter is too long or contains NUL characters.", "invalidFilter")
    match = _EQ_FILTER.match(raw)
    if match is None or match.group(1).lower() != attribute.lower():
        raise bad(f'Only the filter {attribute} eq "value" is supported.', "invalidFilter")
    return match.group(2).replace('\\"', '"').replace("\\\\", "\\")


def parse_page(start: str | None, count: str | None) -> tuple[int, int]:
    """startIndex (1-based, below 1 counts as 1) and count (0 to MAX_PAGE)."""
    try:
        first = int(start) if start else 1
        size = int(count) if count else MAX_PAGE
    except ValueError:
        raise bad("startIndex and count must be whole numbers.") from None
    if first > MAX_START:
        raise bad(f"startIndex must be at most {MAX_START}.")
    return max(first, 1), min(max(size, 0), MAX_PAGE)


def parse_member_ids(value: Any) -> list[int]:
    """The user ids in a ``members`` value: ``[{"value": "12"}, ...]``."""
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise bad("members must be a list of {value: id}.")
    ids = []
    for item in value:
        raw = item.get("value") if isinstance(item, dict) else None
        if not isinstance(raw, str | int) or isinstance(raw, bool):
            raise bad("Each member needs a value: the user's id.")
        ids.append(parse_id(str(raw), status=400))
    return ids


def parse_id(raw: str, *, status: int = 404) -> int:
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        if status == 404:
            raise ScimError(404, "No such resource in this workspace.")
        raise bad(f"{raw[:40]!r} is not an id.")
    return int(raw)


_MEMBER_PATH = re.compile(r'^members\[\s*value\s+eq\s+"(\d{1,18})"\s*\]$', re.IGNORECASE)


def member_path_id(path: str) -> int | None:
    """The id in ``members[value eq "12"]`` (how Entra ID removes one member)."""
    match = _MEMBER_PATH.match(path)
    return int(match.group(1)) if match else None
