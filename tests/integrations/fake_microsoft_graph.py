"""The Microsoft Graph half of the fake: the routes under ``/v1.0`` (see ``fake_microsoft``)."""

from __future__ import annotations

import re
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from tests.integrations.fake_microsoft_store import (
    FakeCalendar,
    FakeEvent,
    fingerprint,
    render,
    wall_time,
)

if TYPE_CHECKING:
    from tests.integrations.fake_microsoft import Answer, FakeMicrosoft, Recorded

MAX_SUBSCRIPTION = timedelta(minutes=4230)
DEFAULT_PAGE_SIZE = 10
EVENT = r"/v1.0/me/(?:calendars/[^/]+/)?events/([^/]+)"
ROUTES = [
    ("GET", r"/v1.0/me", "_me"),
    ("GET", r"/v1.0/me/calendars", "_calendars"),
    ("GET", r"/v1.0/me/calendars/([^/]+)/calendarView/delta", "_delta"),
    ("GET", r"/v1.0/me/calendars/([^/]+)/calendarView", "_view"),
    ("POST", r"/v1.0/me/calendars/([^/]+)/events", "_create"),
    ("PATCH", EVENT, "_update"),
    ("DELETE", EVENT, "_delete"),
    ("POST", EVENT + "/cancel", "_cancel"),
    ("POST", r"/v1.0/subscriptions", "_subscribe"),
    ("DELETE", r"/v1.0/subscriptions/([^/]+)", "_unsubscribe"),
]
ERROR_CODES = {
    400: "BadRequest",
    403: "ErrorAccessDenied",
    404: "ErrorItemNotFound",
    429: "TooManyRequests",
    500: "generalException",
    503: "ServiceNotAvailable",
}


def error(status: int, code: str, message: str = "") -> Answer:
    return status, {}, {"error": {"code": code, "message": message or code}}


def not_found() -> Answer:
    return error(404, "ErrorItemNotFound", "The specified object was not found in the store.")


def now() -> datetime:
    return datetime.fromtimestamp(time.time(), UTC)


def graph_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")


def user_id(account: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, account))


def _prefer(r: Recorded) -> tuple[str, int]:
    """The time zone and page size asked for in the ``Prefer`` header."""
    prefer = r.headers.get("prefer", "")
    zone = re.search(r'outlook\.timezone="([^"]+)"', prefer)
    size = re.search(r"odata\.maxpagesize=(\d+)", prefer)
    return (zone.group(1) if zone else "UTC"), int(size.group(1)) if size else DEFAULT_PAGE_SIZE


def _window(r: Recorded) -> tuple[datetime, datetime] | None:
    try:
        return (
            datetime.fromisoformat(r.query["startDateTime"]),
            datetime.fromisoformat(r.query["endDateTime"]),
        )
    except (KeyError, ValueError):
        return None


class GraphMixin:
    """Routes of :class:`FakeMicrosoft` under ``/v1.0``; state lives on the fake."""

    def graph(self: FakeMicrosoft, r: Recorded) -> Answer:
        if self.failures:
            status, retry_after = self.failures.pop(0)
            headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
            return status, headers, error(status, ERROR_CODES.get(status, "UnknownError"))[2]
        account = self._bearer(r)
        if account is None:
            return error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
        for method, pattern, name in ROUTES:
            match = re.fullmatch(pattern, r.path)
            if match and r.method == method:
                return getattr(self, name)(r, account, *match.groups())
        return error(400, "BadRequest", f"Resource not found for the segment '{r.path}'.")

    def _bearer(self: FakeMicrosoft, r: Recorded) -> str | None:
        header = r.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return None
        account, expires = self.access_tokens.get(header[7:], ("", 0.0))
        return account if account and expires > time.time() else None

    def _calendar(self: FakeMicrosoft, account: str, calendar_id: str) -> FakeCalendar | None:
        calendar = self.calendars.get(calendar_id)
        return calendar if calendar and calendar.owner == account else None

    def _event(self: FakeMicrosoft, account: str, event_id: str) -> FakeEvent | None:
        event = self.events.get(event_id)
        if event and self._calendar(account, event.calendar_id):
            return event
        return None

    # -- reading -----------------------------------------------------------------------------

    def _me(self: FakeMicrosoft, r: Recorded, account: str) -> Answer:
        name = account.split("@")[0].title()
        return (
            200,
            {},
            {
                "id": user_id(account),
                "displayName": name,
                "mail": account,
                "userPrincipalName": account,
            },
        )

    def _calendars(self: FakeMicrosoft, r: Recorded, account: str) -> Answer:
        value = [
            {
                "id": c.id,
                "name": c.name,
                "isDefaultCalendar": c.is_default,
                "canEdit": c.can_edit,
                "owner": {"name": account, "address": account},
            }
            for c in self.calendars.values()
            if c.owner == account
        ]
        return 200, {}, {"value": value}

    def _snapshot(
        self: FakeMicrosoft, calendar_id: str, window: tuple[datetime, datetime], zone: str
    ) -> dict[str, dict[str, Any]]:
        """Every occurrence in the window, in start order, rendered in ``zone``."""
        found = [
            (occ[1], render(event, occ, zone))
            for event in self.events.values()
            if event.calendar_id == calendar_id
            for occ in event.in_window(*window)
        ]
        return {item["id"]: item for _, item in sorted(found, key=lambda pair: pair[0])}

    def _page(
        self: FakeMicrosoft, link: str, items: list[dict[str, Any]], size: int, last: dict
    ) -> Answer:
        first, rest = items[:size], items[size:]
        if not rest:
            return 200, {}, {"value": first, **last}
        token = secrets.token_urlsafe(12)
        self.skip_tokens[token] = {"items": rest, "size": size, "last": last}
        return 200, {}, {"value": first, "@odata.nextLink": f"{link}?$skiptoken={token}"}

    def _next_page(self: FakeMicrosoft, r: Recorded) -> Answer:
        state = self.skip_tokens.pop(r.query["$skiptoken"], None)
        if state is None:
            return error(410, "syncStateNotFound", "The sync state generation is not found.")
        link = self.graph_base + r.path.removeprefix("/v1.0")
        return self._page(link, state["items"], state["size"], state["last"])

    def _view(self: FakeMicrosoft, r: Recorded, account: str, calendar_id: str) -> Answer:
        if "$skiptoken" in r.query:
            return self._next_page(r)
        window = _window(r)
        if not self._calendar(account, calendar_id) or window is None:
            return not_found() if window else error(400, "ErrorInvalidParameter")
        zone, size = _prefer(r)
        items = list(self._snapshot(calendar_id, window, zone).values())
        return self._page(self.graph_base + r.path.removeprefix("/v1.0"), items, size, {})

    def _delta(self: FakeMicrosoft, r: Recorded, account: str, calendar_id: str) -> Answer:
        if "$skiptoken" in r.query:
            return self._next_page(r)
        if not self._calendar(account, calendar_id):
            return not_found()
        zone, size = _prefer(r)
        if "$deltatoken" in r.query:
            state = self.delta_tokens.get(r.query["$deltatoken"])
            if state is None:
                return error(410, "syncStateNotFound", "The sync state generation is not found.")
            window, before = state["window"], state["snapshot"]
        else:
            window, before = _window(r), {}
            if window is None:
                return error(400, "ErrorInvalidParameter", "startDateTime and endDateTime.")
        current = self._snapshot(calendar_id, window, zone)
        changes = [
            item
            for oid, item in current.items()
            if oid not in before or fingerprint(before[oid]) != fingerprint(item)
        ]
        changes += [
            {"id": oid, "@removed": {"reason": "deleted"}} for oid in before if oid not in current
        ]
        token = secrets.token_urlsafe(16)
        self.delta_tokens[token] = {"window": window, "snapshot": current}
        link = self.graph_base + r.path.removeprefix("/v1.0")
        return self._page(link, changes, size, {"@odata.deltaLink": f"{link}?$deltatoken={token}"})

    # -- writing -----------------------------------------------------------------------------

    def _create(self: FakeMicrosoft, r: Recorded, account: str, calendar_id: str) -> Answer:
        calendar = self._calendar(account, calendar_id)
        if calendar is None:
            return not_found()
        if not calendar.can_edit:
            return error(403, "ErrorAccessDenied", "Access is denied. Check credentials.")
        body = r.body or {}
        transaction = body.get("transactionId") or ""
        for existing in self.events.values():
            if transaction and existing.transaction_id == transaction:
                return 201, {}, render(existing, existing.occurrences()[0], _prefer(r)[0])
        start, tz = wall_time(body["start"])
        end, _ = wall_time(body["end"])
        event = FakeEvent(
            id=f"AAMkEv{next(self.ids)}",
            calendar_id=calendar_id,
            subject=body.get("subject", ""),
            start=start,
            end=end,
            tz=tz,
            transaction_id=transaction,
        )
        self._apply(event, body)
        self.events[event.id] = event
        return 201, {}, render(event, event.occurrences()[0], _prefer(r)[0])

    def _apply(self: FakeMicrosoft, event: FakeEvent, body: dict[str, Any]) -> None:
        if "subject" in body:
            event.subject = body["subject"]
        if "start" in body:
            event.start, event.tz = wall_time(body["start"])
        if "end" in body:
            event.end = wall_time(body["end"])[0]
        event.body = (body.get("body") or {}).get("content", event.body)
        event.location = (body.get("location") or {}).get("displayName", event.location)
        if "attendees" in body:
            event.attendees = [
                {**a, "status": {"response": "none", "time": "0001-01-01T00:00:00Z"}}
                for a in body["attendees"]
            ]
        if body.get("isOnlineMeeting") and not event.join_url:
            event.join_url = (
                f"https://teams.microsoft.com/l/meetup-join/19%3ameeting_{event.id}%40thread.v2/0"
            )

    def _update(self: FakeMicrosoft, r: Recorded, account: str, event_id: str) -> Answer:
        event = self._event(account, event_id)
        if event is None:
            return not_found()
        self._apply(event, r.body or {})
        return 200, {}, render(event, event.occurrences()[0], _prefer(r)[0])

    def _delete(self: FakeMicrosoft, r: Recorded, account: str, event_id: str) -> Answer:
        if self._event(account, event_id) is None:
            return not_found()
        del self.events[event_id]
        return 204, {}, None

    def _cancel(self: FakeMicrosoft, r: Recorded, account: str, event_id: str) -> Answer:
        event = self._event(account, event_id)
        if event is None:
            return not_found()
        if event.response != "organizer":
            return error(
                400, "ErrorInvalidRequest", "You need to be an organizer to cancel a meeting."
            )
        self.cancelled[event_id] = (r.body or {}).get("comment", "")
        del self.events[event_id]
        return 202, {}, None

    # -- subscriptions -----------------------------------------------------------------------

    def _subscribe(self: FakeMicrosoft, r: Recorded, account: str) -> Answer:
        body = r.body or {}
        url = body.get("notificationUrl", "")
        if not url.startswith("https://"):
            return error(400, "InvalidRequest", "The notification URL must use https.")
        resource = body.get("resource", "")
        match = re.fullmatch(r"/?me/calendars/([^/]+)/events", resource)
        if not match or not self._calendar(account, match.group(1)):
            return error(400, "InvalidRequest", "Unsupported resource.")
        try:
            expires = datetime.fromisoformat(body["expirationDateTime"])
        except (KeyError, ValueError):
            return error(400, "InvalidRequest", "expirationDateTime is required.")
        if expires <= now() or expires > now() + MAX_SUBSCRIPTION:
            return error(
                400,
                "InvalidRequest",
                "Subscription expiration can only be 4230 minutes in the future.",
            )
        if self.validation_handler is not None:
            token = secrets.token_urlsafe(16)
            if self.validation_handler(url, token) != token:
                return error(400, "InvalidRequest", "Subscription validation request failed.")
        subscription = {
            "id": str(uuid.uuid4()),
            "resource": resource,
            "applicationId": "00000000-0000-0000-0000-00000000c11e",
            "changeType": body.get("changeType", ""),
            "clientState": body.get("clientState"),
            "notificationUrl": url,
            "expirationDateTime": graph_stamp(expires),
            "creatorId": user_id(account),
        }
        self.subscriptions[subscription["id"]] = {**subscription, "owner": user_id(account)}
        return 201, {}, subscription

    def _unsubscribe(
        self: FakeMicrosoft, r: Recorded, account: str, subscription_id: str
    ) -> Answer:
        if self.subscriptions.pop(subscription_id, None) is None:
            return error(404, "ResourceNotFound", "The object was not found.")
        return 204, {}, None
