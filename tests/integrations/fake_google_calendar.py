"""The fake Google's Calendar v3 state and its API: calendars, events, sync tokens, channels.

Every change to an event stamps it with the next number of one counter; a sync token remembers
the number it was issued at, so a sync with it lists the events stamped later. Tokens the fake
never issued, or issued before ``expire_sync_tokens``, answer 410 as Google's expired ones do.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from tests.integrations import fake_google_events as ev

if TYPE_CHECKING:
    from tests.integrations.fake_google import Recorded

ACCOUNT = "host@example.com"
CHANNEL_LIFETIME = timedelta(days=7)
SYNC_ONLY_WITHOUT = ("timeMin", "timeMax", "iCalUID", "orderBy", "q", "updatedMin")

Answer = tuple[int, Any, dict[str, str]]  # status, JSON payload (None: no body), headers


def error(status: int, message: str, reason: str) -> Answer:
    payload = {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"domain": "global", "reason": reason, "message": message}],
        }
    }
    return status, payload, {}


class Gone(Exception):
    """The sync token is unknown or expired."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _meet_code() -> str:
    letters = "abcdefghijkmnopqrstuvwxyz"
    pick = "".join(secrets.choice(letters) for _ in range(10))
    return f"{pick[:3]}-{pick[3:7]}-{pick[7:]}"


@dataclass
class CalendarState:
    page_size: int = 250  # the most items one page holds, whatever maxResults asks
    updates_sent: list[tuple[str, str]] = field(default_factory=list)  # (event id, method)
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    _calendars: dict[str, dict[str, Any]] = field(default_factory=dict)
    _events: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    _stamps: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _stamp: int = 0
    _sync_tokens: dict[str, tuple[str, int]] = field(default_factory=dict)
    _pages: dict[str, tuple[list[dict[str, Any]], str]] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    # The host, in Google Calendar ------------------------------------------------------------

    def add_calendar(
        self,
        calendar_id: str,
        summary: str = "",
        *,
        time_zone: str = "Europe/Berlin",
        access_role: str = "owner",
        primary: bool = False,
        owner: str = ACCOUNT,
    ) -> None:
        entry: dict[str, Any] = {
            "kind": "calendar#calendarListEntry",
            "id": calendar_id,
            "summary": summary or calendar_id,
            "timeZone": time_zone,
            "accessRole": access_role,
            "_owner": owner,
        }
        if primary:
            entry["primary"] = True
        with self._lock:
            self._calendars[calendar_id] = entry
            self._events.setdefault(calendar_id, {})

    def add_event(
        self,
        calendar_id: str,
        start: date | datetime,
        end: date | datetime,
        *,
        summary: str = "Busy",
        time_zone: str = "",
        recurrence: list[str] | None = None,
        transparency: str = "",
        attendees: dict[str, str] | None = None,
        ical_uid: str = "",
    ) -> str:
        """An event the host made; dates (not datetimes) make an all-day event. Its id."""
        with self._lock:
            zone = time_zone or self._calendars[calendar_id]["timeZone"]
            body: dict[str, Any] = {
                "summary": summary,
                "start": ev.time_value(start, zone),
                "end": ev.time_value(end, zone),
                "attendees": [
                    {"email": email, "responseStatus": status}
                    for email, status in (attendees or {}).items()
                ],
            }
            if recurrence:
                body["recurrence"] = list(recurrence)
            if transparency:
                body["transparency"] = transparency
            if ical_uid:
                body["iCalUID"] = ical_uid
            return self._insert(calendar_id, body, {})["id"]

    def move_event(self, event_id: str, start: date | datetime, end: date | datetime) -> None:
        with self._lock:
            calendar_id, resource = self._find(event_id)
            zone = resource["start"].get("timeZone") or self._calendars[calendar_id]["timeZone"]
            resource["start"] = ev.time_value(start, zone)
            resource["end"] = ev.time_value(end, zone)
            resource["sequence"] += 1
            self._touch(resource)

    def respond(self, event_id: str, email: str, status: str) -> None:
        """``email`` answers the invitation (``accepted``, ``declined``, ``tentative``)."""
        with self._lock:
            _, resource = self._find(event_id)
            for attendee in resource.get("attendees", []):
                if attendee["email"] == email:
                    attendee["responseStatus"] = status
            self._touch(resource)

    def delete_event(self, event_id: str) -> None:
        """The host deleted the event: it stays, cancelled, so a sync reports it."""
        with self._lock:
            _, resource = self._find(event_id)
            resource["status"] = "cancelled"
            self._touch(resource)

    def events(self, calendar_id: str) -> list[dict[str, Any]]:
        """Every event of the calendar as Google stores it (recurring ones unexpanded)."""
        with self._lock:
            return [ev.public(r) for r in self._events[calendar_id].values()]

    def event(self, event_id: str) -> dict[str, Any]:
        with self._lock:
            return ev.public(self._find(event_id)[1])

    def expire_sync_tokens(self) -> None:
        with self._lock:
            self._sync_tokens.clear()

    def notification_headers(self, channel_id: str, state: str = "exists") -> dict[str, str]:
        """The headers Google's push to the channel's address carries."""
        channel = self.channels[channel_id]
        channel["messages"] += 1
        return {
            "X-Goog-Channel-ID": channel_id,
            "X-Goog-Channel-Token": channel["token"],
            "X-Goog-Channel-Expiration": channel["expiration_header"],
            "X-Goog-Resource-ID": channel["resourceId"],
            "X-Goog-Resource-URI": channel["resourceUri"],
            "X-Goog-Resource-State": "sync" if channel["messages"] == 1 else state,
            "X-Goog-Message-Number": str(channel["messages"]),
        }

    # Internals -------------------------------------------------------------------------------

    def _find(self, event_id: str) -> tuple[str, dict[str, Any]]:
        for calendar_id, stored in self._events.items():
            if event_id in stored:
                return calendar_id, stored[event_id]
        raise KeyError(event_id)

    def _touch(self, resource: dict[str, Any]) -> None:
        self._stamp = next(self._stamps)
        resource["_seq"] = self._stamp
        resource["updated"] = _now()
        resource["etag"] = f'"{self._stamp}"'

    def _attendees(self, calendar_id: str, given: list[dict[str, Any]], old: list[dict]) -> list:
        owner = self._calendars[calendar_id]["_owner"]
        answered = {a["email"]: a.get("responseStatus") for a in old}
        out = []
        for attendee in given:
            email = attendee["email"]
            status = attendee.get("responseStatus") or answered.get(email) or "needsAction"
            entry = {**attendee, "responseStatus": status}
            if email == owner:
                entry["self"] = True
            out.append(entry)
        return out

    def _insert(self, calendar_id: str, body: dict[str, Any], query: dict[str, str]) -> dict:
        owner = self._calendars[calendar_id]["_owner"]
        event_id = body.get("id") or secrets.token_hex(13)
        resource: dict[str, Any] = {
            "kind": "calendar#event",
            "id": event_id,
            "status": body.get("status") or "confirmed",
            "htmlLink": f"https://www.google.com/calendar/event?eid={event_id}",
            "created": _now(),
            "creator": {"email": owner, "self": True},
            "organizer": {"email": owner, "self": True},
            "iCalUID": body.get("iCalUID") or f"{event_id}@google.com",
            "sequence": 0,
            "reminders": {"useDefault": True},
            "eventType": "default",
        }
        self._apply(calendar_id, resource, body, query)
        self._events[calendar_id][event_id] = resource
        return resource

    def _apply(
        self, calendar_id: str, resource: dict[str, Any], body: dict[str, Any], query: dict
    ) -> None:
        moved = any(k in body and body[k] != resource.get(k) for k in ("start", "end"))
        for key in ("summary", "description", "location", "start", "end", "transparency"):
            if key in body:
                resource[key] = body[key]
        for key in ("recurrence", "status"):
            if body.get(key):
                resource[key] = body[key]
        if "attendees" in body:
            old = resource.get("attendees", [])
            resource["attendees"] = self._attendees(calendar_id, body["attendees"], old)
        request = (body.get("conferenceData") or {}).get("createRequest")
        if query.get("conferenceDataVersion") == "1" and request:
            known = resource.get("conferenceData", {}).get("createRequest", {}).get("requestId")
            if request.get("requestId") != known:
                _add_meet(resource, request)
        if moved and "sequence" in resource and resource.get("_seq"):
            resource["sequence"] += 1
        self._touch(resource)

    # The API ---------------------------------------------------------------------------------

    def route(self, recorded: Recorded, owner: str) -> Answer:
        parts = [unquote(p) for p in recorded.path.removeprefix("/calendar/v3/").split("/")]
        method, query, body = recorded.method, recorded.query, recorded.body
        if len(parts) > 1 and parts[0] == "calendars" and parts[1] == "primary":
            parts[1] = owner
        match parts:
            case ["users", "me", "calendarList"] if method == "GET":
                return self._calendar_list(query)
            case ["users", "me", "calendarList", calendar_id] if method == "GET":
                entry = self._calendars.get(owner if calendar_id == "primary" else calendar_id)
                if entry is None:
                    return error(404, "Not Found", "notFound")
                return 200, ev.public(entry), {}
            case ["freeBusy"] if method == "POST":
                return self._free_busy(body)
            case ["channels", "stop"] if method == "POST":
                return self._stop(body)
            case ["calendars", calendar_id, "events", *rest] if calendar_id in self._calendars:
                return self._events_api(method, calendar_id, rest, query, body)
            case ["calendars", _, *_]:
                return error(404, "Not Found", "notFound")
        return error(404, "Not Found", "notFound")

    def _events_api(
        self, method: str, calendar_id: str, rest: list[str], query: dict, body: Any
    ) -> Answer:
        match rest, method:
            case [], "GET":
                return self._list(calendar_id, query)
            case [], "POST":
                return self._insert_api(calendar_id, body, query)
            case ["watch"], "POST":
                return self._watch(calendar_id, body)
            case [event_id], _:
                return self._one(method, calendar_id, event_id, query, body)
        return error(404, "Not Found", "notFound")

    def _calendar_list(self, query: dict[str, str]) -> Answer:
        entries = [ev.public(c) for c in self._calendars.values()]
        if query.get("pageToken"):
            if query["pageToken"] not in self._pages:
                return error(400, "Invalid page token", "invalid")
            entries = self._pages.pop(query["pageToken"])[0]
        return 200, self._paged("calendar#calendarList", entries, query, ""), {}

    def _paged(
        self, kind: str, items: list[dict[str, Any]], query: dict[str, str], sync_token: str
    ) -> dict[str, Any]:
        size = min(int(query.get("maxResults") or 250), self.page_size)
        page, rest = items[:size], items[size:]
        payload: dict[str, Any] = {"kind": kind, "etag": f'"{self._stamp}"', "items": page}
        if rest:
            page_token = secrets.token_urlsafe(16)
            self._pages[page_token] = (rest, sync_token)
            payload["nextPageToken"] = page_token
        elif sync_token:
            payload["nextSyncToken"] = sync_token
        return payload

    def _list(self, calendar_id: str, query: dict[str, str]) -> Answer:
        entry = self._calendars[calendar_id]
        header = {"summary": entry["summary"], "timeZone": entry["timeZone"], "updated": _now()}
        if query.get("pageToken"):
            if query["pageToken"] not in self._pages:
                return error(400, "Invalid page token", "invalid")
            items, sync_token = self._pages.pop(query["pageToken"])
            return 200, {**self._paged("calendar#events", items, query, sync_token), **header}, {}
        try:
            items = self._matching(calendar_id, query)
        except Gone:
            return error(
                410, "Sync token is no longer valid, a full sync is required.", "fullSyncRequired"
            )
        except ValueError as exc:
            return error(400, str(exc), "invalid")
        sync_token = ""
        if not query.get("iCalUID"):
            sync_token = f"sync-{secrets.token_urlsafe(12)}"
            self._sync_tokens[sync_token] = (calendar_id, self._stamp)
        return 200, {**self._paged("calendar#events", items, query, sync_token), **header}, {}

    def _matching(self, calendar_id: str, query: dict[str, str]) -> list[dict[str, Any]]:
        zone = self._calendars[calendar_id]["timeZone"]
        single = query.get("singleEvents") == "true"
        stored = list(self._events[calendar_id].values())
        if query.get("syncToken"):
            if any(query.get(name) for name in SYNC_ONLY_WITHOUT):
                raise ValueError("Sync token cannot be used with these parameters.")
            if query.get("showDeleted") == "false":
                raise ValueError("Sync token requires deleted events to be shown.")
            token_calendar, since = self._sync_tokens.get(query["syncToken"], ("", 0))
            if token_calendar != calendar_id:
                raise Gone(query["syncToken"])
            changed = [r for r in stored if r["_seq"] > since]
            return [
                i
                for r in changed
                for i in ev.listed(r, zone, single_events=single, window=(None, None))
            ]
        low = ev.parse_rfc3339(query["timeMin"]) if query.get("timeMin") else None
        high = ev.parse_rfc3339(query["timeMax"]) if query.get("timeMax") else None
        if low and high and low >= high:
            raise ValueError("The specified time range is empty.")
        if query.get("iCalUID"):
            stored = [r for r in stored if r["iCalUID"] == query["iCalUID"]]
        if query.get("showDeleted") != "true":
            stored = [r for r in stored if r.get("status") != "cancelled"]
        return [
            i for r in stored for i in ev.listed(r, zone, single_events=single, window=(low, high))
        ]

    def _insert_api(self, calendar_id: str, body: Any, query: dict[str, str]) -> Answer:
        problem = _time_problem(body, self._calendars[calendar_id]["timeZone"])
        if problem:
            return error(400, problem, "timeRangeEmpty" if "empty" in problem else "required")
        uid = body.get("iCalUID")
        if uid and any(r["iCalUID"] == uid for r in self._events[calendar_id].values()):
            return error(409, "The requested identifier already exists.", "duplicate")
        resource = self._insert(calendar_id, body, query)
        self._note_updates(resource, query)
        return 200, ev.public(resource), {}

    def _one(
        self, method: str, calendar_id: str, event_id: str, query: dict[str, str], body: Any
    ) -> Answer:
        resource = self._events[calendar_id].get(event_id)
        if resource is None:
            return error(404, "Not Found", "notFound")
        if method == "GET":
            return 200, ev.public(resource), {}
        if method == "DELETE":
            if resource["status"] == "cancelled":
                return error(410, "Resource has been deleted", "deleted")
            resource["status"] = "cancelled"
            self._touch(resource)
            self._note_updates(resource, query)
            return 204, None, {}
        if method in ("PATCH", "PUT"):
            if method == "PUT":
                body = {"attendees": [], "description": "", "location": "", **body}
            merged = {**ev.public(resource), **body}
            problem = _time_problem(merged, self._calendars[calendar_id]["timeZone"])
            if problem:
                return error(400, problem, "timeRangeEmpty" if "empty" in problem else "required")
            self._apply(calendar_id, resource, body, query)
            self._note_updates(resource, query)
            return 200, ev.public(resource), {}
        return error(405, "Method not allowed", "notAllowed")

    def _note_updates(self, resource: dict[str, Any], query: dict[str, str]) -> None:
        if query.get("sendUpdates") in ("all", "externalOnly") and resource.get("attendees"):
            self.updates_sent.append((resource["id"], query["sendUpdates"]))

    def _watch(self, calendar_id: str, body: Any) -> Answer:
        if body.get("type") != "web_hook" or not str(body.get("address", "")).startswith(
            "https://"
        ):
            return error(400, "WebHook callback must be HTTPS.", "push.webhookUrlNotHttps")
        if not body.get("id") or body["id"] in self.channels:
            return error(400, "Channel id not unique", "channelIdNotUnique")
        longest = int((time.time() + CHANNEL_LIFETIME.total_seconds()) * 1000)
        expiration = min(int(body.get("expiration") or longest), longest)
        channel = {
            "kind": "api#channel",
            "id": body["id"],
            "resourceId": secrets.token_urlsafe(20),
            "resourceUri": f"https://www.googleapis.com/calendar/v3/calendars/{calendar_id}/events?alt=json",
            "token": body.get("token", ""),
            "expiration": str(expiration),
        }
        self.channels[body["id"]] = {
            **channel,
            "address": body["address"],
            "calendar_id": calendar_id,
            "messages": 0,
            "expiration_header": datetime.fromtimestamp(expiration / 1000, UTC).strftime(
                "%a, %d %b %Y %H:%M:%S GMT"
            ),
        }
        return 200, channel, {}

    def _stop(self, body: Any) -> Answer:
        channel = self.channels.get(body.get("id", ""))
        if channel is None or channel["resourceId"] != body.get("resourceId"):
            return error(404, f"Channel '{body.get('id')}' not found for project", "notFound")
        del self.channels[body["id"]]
        return 204, None, {}

    def _free_busy(self, body: Any) -> Answer:
        low, high = ev.parse_rfc3339(body["timeMin"]), ev.parse_rfc3339(body["timeMax"])
        answer: dict[str, Any] = {}
        for item in body.get("items", []):
            calendar_id = item["id"]
            if calendar_id not in self._calendars:
                answer[calendar_id] = {
                    "errors": [{"domain": "global", "reason": "notFound"}],
                    "busy": [],
                }
                continue
            zone = self._calendars[calendar_id]["timeZone"]
            periods = [
                (max(ev.to_utc(i["start"], zone), low), min(ev.to_utc(i["end"], zone), high))
                for r in self._events[calendar_id].values()
                if r.get("status") != "cancelled"
                for i in ev.listed(r, zone, single_events=True, window=(low, high))
                if ev.blocks_time(i)
            ]
            answer[calendar_id] = {
                "busy": [
                    {"start": ev.rfc3339(s), "end": ev.rfc3339(e)} for s, e in ev.merged(periods)
                ]
            }
        payload = {
            "kind": "calendar#freeBusy",
            "timeMin": body["timeMin"],
            "timeMax": body["timeMax"],
            "calendars": answer,
        }
        return 200, payload, {}


def _time_problem(body: dict[str, Any], zone: str) -> str:
    start, end = body.get("start") or {}, body.get("end") or {}
    if not ({"date", "dateTime"} & start.keys()) or not ({"date", "dateTime"} & end.keys()):
        return "Missing end time." if start else "Missing start time."
    if ev.to_utc(end, zone) < ev.to_utc(start, zone):
        return "The specified time range is empty."
    return ""


def _add_meet(resource: dict[str, Any], request: dict[str, Any]) -> None:
    code = _meet_code()
    url = f"https://meet.google.com/{code}"
    resource["hangoutLink"] = url
    resource["conferenceData"] = {
        "createRequest": {**request, "status": {"statusCode": "success"}},
        "entryPoints": [
            {"entryPointType": "video", "uri": url, "label": url.removeprefix("https://")}
        ],
        "conferenceSolution": {"key": {"type": "hangoutsMeet"}, "name": "Google Meet"},
        "conferenceId": code,
    }
