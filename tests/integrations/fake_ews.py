"""A real HTTP server, in a thread, that speaks just enough EWS (SOAP) for exchangelib.

It answers ``POST /EWS/Exchange.asmx`` with Basic auth (``USERNAME`` or the domain logon
``LOGON``, with ``PASSWORD``; 401 otherwise) and keeps one mailbox's calendars: GetFolder (root,
the default calendar, the calendars inside it), FindFolder (those calendars), ResolveNames (the
domain logon's address), FindItem with a CalendarView (recurring masters expanded into
occurrences in the master's own zone, as Exchange does), GetItem, CreateItem, UpdateItem (with
change keys), DeleteItem and SyncFolderItems (every change to an item, by the host or through
EWS, goes into a change log; a sync state is a position in it). ``fail_next`` answers the next request with ErrorServerBusy or a
bare HTTP error page, ``delay_next`` makes it hang. ``add_event`` / ``move_event`` /
``delete_event`` / ``add_calendar`` act as the host in Outlook. Every request body is recorded.

Items are stored as instants: an all-day event is given as midnight to midnight in its ``zone``.
Answers carry every field whatever was asked for; exchangelib reads the ones it wants.
"""

from __future__ import annotations

import base64
import itertools
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from dateutil.rrule import WEEKLY, rrule
from lxml import etree

USERNAME = "olga@acme.test"
LOGON = "ACME\\olga"  # the same mailbox, signed in with a domain user name
PASSWORD = "correct horse"
PATH = "/EWS/Exchange.asmx"

S = "http://schemas.xmlsoap.org/soap/envelope/"
M = "http://schemas.microsoft.com/exchange/services/2006/messages"
T = "http://schemas.microsoft.com/exchange/services/2006/types"
E = "http://schemas.microsoft.com/exchange/services/2006/errors"
NS = {"s": S, "m": M, "t": T}

ROOT_ID = "AAMkRoot"
WINDOWS_ZONES = {"UTC": "UTC", "Europe/Berlin": "W. Europe Standard Time"}  # as EWS names them
CALENDAR_ID = "AAMkCalendar"


@dataclass
class FakeItem:
    id: str
    subject: str
    start: datetime  # aware; for a recurring master, the first occurrence
    end: datetime
    uid: str
    body: str = ""
    location: str = ""
    free_busy: str = "Busy"
    my_response: str = "Organizer"
    cancelled: bool = False
    all_day: bool = False
    weekly_count: int = 0  # a weekly series of this many occurrences, in ``zone``
    zone: str = "UTC"
    attendees: tuple[str, ...] = ()
    invitations: str = ""  # SendMeetingInvitations of the create, or of the last update
    changekey: int = 1
    folder: str = CALENDAR_ID


@dataclass
class FakeEWS:
    server: _Server
    items: dict[str, FakeItem] = field(default_factory=dict)
    calendars: dict[str, str] = field(default_factory=dict)  # more calendars: id -> name
    requests: list[bytes] = field(default_factory=list)
    cancellations: list[tuple[str, str]] = field(default_factory=list)  # (item id, mode)
    errors: list[tuple[int, bytes]] = field(default_factory=list)
    delays: list[float] = field(default_factory=list)  # seconds before answering the next ones
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (folder, kind, item id)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{PATH}"

    # --- Test-side helpers: the host acting in Outlook ----------------------------------------

    def add_event(self, subject: str, start: datetime, end: datetime, **kwargs: Any) -> FakeItem:
        with self._lock:
            number = next(self._ids)
            kwargs.setdefault("uid", f"uid-{number}@outlook")
            item = FakeItem(id=f"AAMkItem{number}", subject=subject, start=start, end=end, **kwargs)
            self.items[item.id] = item
            self._log("Create", item)
            return item

    def add_calendar(self, name: str) -> str:
        """Another calendar, inside the default one (as Outlook makes them); its id."""
        with self._lock:
            folder_id = f"AAMkFolder{next(self._ids)}"
            self.calendars[folder_id] = name
            return folder_id

    def move_event(self, item_id: str, start: datetime, end: datetime) -> None:
        with self._lock:
            item = self.items[item_id]
            item.start, item.end = start, end
            item.changekey += 1
            self._log("Update", item)

    def delete_event(self, item_id: str) -> None:
        with self._lock:
            self._log("Delete", self.items.pop(item_id))

    def _log(self, kind: str, item: FakeItem) -> None:
        self.changes.append((item.folder, kind, item.id))

    def fail_next(self, kind: str = "busy", *, back_off_ms: int = 0) -> None:
        """``"busy"``: a SOAP fault with ErrorServerBusy (and BackOffMilliseconds if given);
        ``"500"``/``"503"``: that HTTP status with an HTML page."""
        with self._lock:
            if kind == "busy":
                self.errors.append((500, _server_busy(back_off_ms)))
            else:
                self.errors.append((int(kind), b"<html><body>Service Unavailable</body></html>"))

    def delay_next(self, seconds: float) -> None:
        """Answer the next request only after ``seconds`` (a server that hangs)."""
        with self._lock:
            self.delays.append(seconds)

    def take_delay(self) -> float:
        with self._lock:
            return self.delays.pop(0) if self.delays else 0.0

    # --- The server side ------------------------------------------------------------------------

    def answer(self, body: bytes) -> tuple[int, bytes]:
        with self._lock:
            self.requests.append(body)
            if self.errors:
                return self.errors.pop(0)
            request = etree.fromstring(body)
            operation = request.find("s:Body", NS)[0]
            name = etree.QName(operation).localname
            handler = getattr(self, f"_{name}", None)
            if handler is None:
                return 500, _fault("ErrorInvalidOperation", f"{name} is not supported here")
            return 200, _envelope(name, handler(operation))

    def _GetFolder(self, operation: etree._Element) -> list[str]:
        messages = []
        for folder_id in operation.find("m:FolderIds", NS):
            wanted = folder_id.get("Id")
            if wanted in ("root", ROOT_ID):
                folder = (
                    f'<t:Folder><t:FolderId Id="{ROOT_ID}" ChangeKey="1"/>'
                    "<t:DisplayName>Root</t:DisplayName><t:ChildFolderCount>1</t:ChildFolderCount>"
                    "</t:Folder>"
                )
            elif wanted in ("calendar", CALENDAR_ID):
                folder = _calendar_folder(CALENDAR_ID, "Calendar", ROOT_ID, len(self.calendars))
            elif wanted in self.calendars:
                folder = _calendar_folder(wanted, self.calendars[wanted], CALENDAR_ID, 0)
            else:
                messages.append(_error("GetFolder", "ErrorFolderNotFound"))
                continue
            messages.append(_success("GetFolder", f"<m:Folders>{folder}</m:Folders>"))
        return messages

    def _FindFolder(self, operation: etree._Element) -> list[str]:
        if self._folder_in(operation.find("m:ParentFolderIds", NS)) != CALENDAR_ID:
            return [_error("FindFolder", "ErrorInvalidOperation")]
        found = [_calendar_folder(i, name, CALENDAR_ID, 0) for i, name in self.calendars.items()]
        return [
            _success(
                "FindFolder",
                f'<m:RootFolder TotalItemsInView="{len(found)}" IncludesLastItemInRange="true">'
                f"<t:Folders>{''.join(found)}</t:Folders></m:RootFolder>",
            )
        ]

    def _FindItem(self, operation: etree._Element) -> list[str]:
        view = operation.find("m:CalendarView", NS)
        if view is None:
            return [_error("FindItem", "ErrorInvalidOperation")]
        folder = self._folder_in(operation.find("m:ParentFolderIds", NS))
        if folder is None:
            return [_error("FindItem", "ErrorFolderNotFound")]
        start = _parse_time(view.get("StartDate"))
        end = _parse_time(view.get("EndDate"))
        found = [
            _calendar_item(item, item_id, occ_start, occ_end, kind)
            for item in sorted(self.items.values(), key=lambda i: i.start)
            if item.folder == folder
            for item_id, occ_start, occ_end, kind in _occurrences(item)
            if occ_start < end and occ_end > start
        ]
        return [
            _success(
                "FindItem",
                f'<m:RootFolder TotalItemsInView="{len(found)}" IncludesLastItemInRange="true">'
                f"<t:Items>{''.join(found)}</t:Items></m:RootFolder>",
            )
        ]

    def _GetItem(self, operation: etree._Element) -> list[str]:
        messages = []
        for item_id in operation.find("m:ItemIds", NS):
            found = self._find(item_id.get("Id", ""))
            if found is None:
                messages.append(_error("GetItem", "ErrorItemNotFound"))
                continue
            xml = _calendar_item(*found)
            messages.append(_success("GetItem", f"<m:Items>{xml}</m:Items>"))
        return messages

    def _find(self, wanted: str) -> tuple[FakeItem, str, datetime, datetime, str] | None:
        """An item, or one occurrence of a series, by its id (occurrences have ids of their own)."""
        master = self.items.get(wanted.partition("-occ")[0])
        if master is None:
            return None
        if wanted == master.id:
            kind = "RecurringMaster" if master.weekly_count else "Single"
            return master, master.id, master.start, master.end, kind
        for occurrence in _occurrences(master):
            if occurrence[0] == wanted:
                return (master, *occurrence)
        return None

    def _ResolveNames(self, operation: etree._Element) -> list[str]:
        if _text(operation, "m:UnresolvedEntry").lower() != LOGON.rpartition("\\")[2]:
            return [_error("ResolveNames", "ErrorNameResolutionNoResults")]
        mailbox = (
            f"<t:Mailbox><t:Name>Olga</t:Name><t:EmailAddress>{USERNAME}</t:EmailAddress>"
            "<t:RoutingType>SMTP</t:RoutingType><t:MailboxType>Mailbox</t:MailboxType></t:Mailbox>"
        )
        return [
            _success(
                "ResolveNames",
                '<m:ResolutionSet TotalItemsInView="1" IncludesLastItemInRange="true">'
                f"<t:Resolution>{mailbox}</t:Resolution></m:ResolutionSet>",
            )
        ]

    def _folder_in(self, parent: etree._Element | None) -> str | None:
        """The calendar a request names (by distinguished name or id), if it is one of ours."""
        named = parent[0] if parent is not None and len(parent) else None
        if named is None or named.get("Id") in ("calendar", CALENDAR_ID):
            return CALENDAR_ID
        return named.get("Id") if named.get("Id") in self.calendars else None

    def _CreateItem(self, operation: etree._Element) -> list[str]:
        messages = []
        folder = self._folder_in(operation.find("m:SavedItemFolderId", NS))
        if folder is None:
            return [_error("CreateItem", "ErrorFolderNotFound")]
        for element in operation.find("m:Items", NS):
            number = next(self._ids)
            item = FakeItem(
                id=f"AAMkItem{number}",
                subject=_text(element, "t:Subject"),
                start=_parse_time(_text(element, "t:Start")),
                end=_parse_time(_text(element, "t:End")),
                uid=_text(element, "t:UID") or f"uid-{number}@exchange",
                body=_text(element, "t:Body"),
                location=_text(element, "t:Location"),
                attendees=_attendees(element),
                invitations=operation.get("SendMeetingInvitations", ""),
                folder=folder,
            )
            self.items[item.id] = item
            self._log("Create", item)
            xml = f'<t:CalendarItem><t:ItemId Id="{item.id}" ChangeKey="{item.changekey}"/></t:CalendarItem>'
            messages.append(_success("CreateItem", f"<m:Items>{xml}</m:Items>"))
        return messages

    def _UpdateItem(self, operation: etree._Element) -> list[str]:
        messages = []
        for change in operation.find("m:ItemChanges", NS):
            item_id = change.find("t:ItemId", NS)
            item = self.items.get(item_id.get("Id", ""))
            if item is None:
                messages.append(_error("UpdateItem", "ErrorItemNotFound"))
                continue
            if item_id.get("ChangeKey") != str(item.changekey):
                messages.append(_error("UpdateItem", "ErrorIrresolvableConflict"))
                continue
            for update in change.find("t:Updates", NS):
                value = update.find("t:CalendarItem", NS)
                if value is not None:
                    _apply(item, value)
                elif update.find("t:FieldURI", NS).get("FieldURI") == "calendar:Location":
                    item.location = ""  # a DeleteItemField
            item.invitations = operation.get("SendMeetingInvitationsOrCancellations", "")
            item.changekey += 1
            self._log("Update", item)
            xml = f'<t:CalendarItem><t:ItemId Id="{item.id}" ChangeKey="{item.changekey}"/></t:CalendarItem>'
            messages.append(_success("UpdateItem", f"<m:Items>{xml}</m:Items>"))
        return messages

    def _DeleteItem(self, operation: etree._Element) -> list[str]:
        messages = []
        for item_id in operation.find("m:ItemIds", NS):
            deleted = self.items.pop(item_id.get("Id", ""), None)
            if deleted is None:
                messages.append(_error("DeleteItem", "ErrorItemNotFound"))
                continue
            self._log("Delete", deleted)
            self.cancellations.append(
                (item_id.get("Id", ""), operation.get("SendMeetingCancellations", ""))
            )
            messages.append(_success("DeleteItem", ""))
        return messages

    def _SyncFolderItems(self, operation: etree._Element) -> list[str]:
        """The folder's changes since the state given (from the start when none), one per item
        as Exchange folds them (created then changed is a create, created then deleted is
        nothing), at most MaxChangesReturned at a time. A state is ``folder/position`` in the
        change log, or ``folder/since/upto/delivered`` while the changes up to ``upto`` are paged."""
        folder = self._folder_in(operation.find("m:SyncFolderId", NS))
        if folder is None:
            return [_error("SyncFolderItems", "ErrorSyncFolderNotFound")]
        folder_name, *numbers = (_text(operation, "m:SyncState") or f"{folder}/0").split("/")
        if (
            folder_name != folder
            or len(numbers) not in (1, 3)
            or not all(n.isdigit() for n in numbers)
        ):
            return [_invalid_sync_state()]
        since, upto, delivered = (*map(int, numbers), len(self.changes), 0)[:3]
        if not since <= upto <= len(self.changes):
            return [_invalid_sync_state()]
        folded = list(_fold(c for c in self.changes[since:upto] if c[0] == folder).items())
        limit = int(_text(operation, "m:MaxChangesReturned") or 512)
        page = folded[delivered : delivered + limit]
        last = delivered + limit >= len(folded)
        state = f"{folder}/{upto}" if last else f"{folder}/{since}/{upto}/{delivered + limit}"
        return [
            _success(
                "SyncFolderItems",
                f"<m:SyncState>{state}</m:SyncState>"
                f"<m:IncludesLastItemInRange>{str(last).lower()}</m:IncludesLastItemInRange>"
                f"<m:Changes>{''.join(self._change(i, kind) for i, kind in page)}</m:Changes>",
            )
        ]

    def _change(self, item_id: str, kind: str) -> str:
        item = self.items.get(item_id)
        if kind == "Delete" or item is None:  # gone since: Exchange says so
            return f'<t:Delete><t:ItemId Id="{item_id}"/></t:Delete>'
        kind_of_item = "RecurringMaster" if item.weekly_count else "Single"
        xml = _calendar_item(item, item.id, item.start, item.end, kind_of_item)
        return f"<t:{kind}>{xml}</t:{kind}>"


def _fold(changes: Iterator[tuple[str, str, str]]) -> dict[str, str]:
    folded: dict[str, str] = {}
    for _, kind, item_id in changes:
        before = folded.get(item_id)
        if before == "Create" and kind == "Delete":
            del folded[item_id]
        elif before != "Create":
            folded[item_id] = kind
    return folded


def _invalid_sync_state() -> str:
    # Exchange answers with an empty state alongside the error.
    return _error("SyncFolderItems", "ErrorInvalidSyncStateData").replace(
        "</m:SyncFolderItemsResponseMessage>",
        "<m:SyncState/><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange>"
        "</m:SyncFolderItemsResponseMessage>",
    )


# --- XML helpers ----------------------------------------------------------------------------------


def _occurrences(item: FakeItem) -> Iterator[tuple[str, datetime, datetime, str]]:
    """What a CalendarView shows of ``item``: itself, or each occurrence of its series. The series
    repeats at the same wall-clock time in its zone, so it moves in UTC across a DST change."""
    if not item.weekly_count:
        yield item.id, item.start, item.end, "Single"
        return
    zone = ZoneInfo(item.zone)
    local_start = item.start.astimezone(zone).replace(tzinfo=None)
    length = item.end - item.start
    rule = rrule(WEEKLY, dtstart=local_start, count=item.weekly_count)
    for index, local in enumerate(rule, start=1):
        start = local.replace(tzinfo=zone).astimezone(UTC)
        yield f"{item.id}-occ{index}", start, start + length, "Occurrence"


def _calendar_folder(folder_id: str, name: str, parent_id: str, children: int) -> str:
    return (
        f'<t:CalendarFolder><t:FolderId Id="{folder_id}" ChangeKey="1"/>'
        f'<t:ParentFolderId Id="{parent_id}" ChangeKey="1"/>'
        "<t:FolderClass>IPF.Appointment</t:FolderClass>"
        f"<t:DisplayName>{escape(name)}</t:DisplayName>"
        f"<t:ChildFolderCount>{children}</t:ChildFolderCount></t:CalendarFolder>"
    )


def _calendar_item(item: FakeItem, item_id: str, start: datetime, end: datetime, kind: str) -> str:
    return (
        f'<t:CalendarItem><t:ItemId Id="{item_id}" ChangeKey="{item.changekey}"/>'
        f"<t:Subject>{escape(item.subject)}</t:Subject>"
        f'<t:Body BodyType="Text">{escape(item.body)}</t:Body>'
        f"<t:UID>{escape(item.uid)}</t:UID>"
        f"<t:Start>{_format_time(start)}</t:Start><t:End>{_format_time(end)}</t:End>"
        f"<t:IsAllDayEvent>{str(item.all_day).lower()}</t:IsAllDayEvent>"
        f'<t:StartTimeZone Id="{WINDOWS_ZONES[item.zone]}"/>'
        f'<t:EndTimeZone Id="{WINDOWS_ZONES[item.zone]}"/>'
        f"<t:LegacyFreeBusyStatus>{item.free_busy}</t:LegacyFreeBusyStatus>"
        f"<t:Location>{escape(item.location)}</t:Location>"
        f"<t:IsCancelled>{str(item.cancelled).lower()}</t:IsCancelled>"
        f"<t:CalendarItemType>{kind}</t:CalendarItemType>"
        f"<t:MyResponseType>{item.my_response}</t:MyResponseType>"
        "</t:CalendarItem>"
    )


def _apply(item: FakeItem, value: etree._Element) -> None:
    for child in value:
        name = etree.QName(child).localname
        if name == "Subject":
            item.subject = child.text or ""
        elif name == "Body":
            item.body = child.text or ""
        elif name == "Location":
            item.location = child.text or ""
        elif name == "Start":
            item.start = _parse_time(child.text or "")
        elif name == "End":
            item.end = _parse_time(child.text or "")
        elif name == "RequiredAttendees":
            item.attendees = _attendees(value)


def _attendees(element: etree._Element) -> tuple[str, ...]:
    return tuple(
        address.text or ""
        for address in element.findall(
            "t:RequiredAttendees/t:Attendee/t:Mailbox/t:EmailAddress", NS
        )
    )


def _text(element: etree._Element, path: str) -> str:
    found = element.find(path, NS)
    return (found.text or "") if found is not None else ""


def _parse_time(value: str | None) -> datetime:
    parsed = datetime.fromisoformat(value or "")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _format_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _success(operation: str, content: str) -> str:
    return (
        f'<m:{operation}ResponseMessage ResponseClass="Success">'
        f"<m:ResponseCode>NoError</m:ResponseCode>{content}</m:{operation}ResponseMessage>"
    )


def _error(operation: str, code: str) -> str:
    return (
        f'<m:{operation}ResponseMessage ResponseClass="Error">'
        f"<m:MessageText>{code}</m:MessageText><m:ResponseCode>{code}</m:ResponseCode>"
        f"<m:DescriptiveLinkKey>0</m:DescriptiveLinkKey></m:{operation}ResponseMessage>"
    )


def _envelope(operation: str, messages: list[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<s:Envelope xmlns:s="{S}"><s:Body>'
        f'<m:{operation}Response xmlns:m="{M}" xmlns:t="{T}">'
        f"<m:ResponseMessages>{''.join(messages)}</m:ResponseMessages>"
        f"</m:{operation}Response></s:Body></s:Envelope>"
    ).encode()


def _fault(code: str, message: str, extra: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<s:Envelope xmlns:s="{S}"><s:Body><s:Fault>'
        f"<faultcode>s:Server</faultcode><faultstring>{escape(message)}</faultstring>"
        f'<detail><e:ResponseCode xmlns:e="{E}">{code}</e:ResponseCode>'
        f'<e:Message xmlns:e="{E}">{escape(message)}</e:Message>{extra}</detail>'
        "</s:Fault></s:Body></s:Envelope>"
    ).encode()


def _server_busy(back_off_ms: int) -> bytes:
    extra = ""
    if back_off_ms:
        extra = (
            f'<t:MessageXml xmlns:t="{T}">'
            f'<t:Value Name="BackOffMilliseconds">{back_off_ms}</t:Value></t:MessageXml>'
        )
    return _fault("ErrorServerBusy", "The server cannot service this request right now.", extra)


# --- Running it -----------------------------------------------------------------------------------


def _handler(fake_ref: list[FakeEWS]) -> type[BaseHTTPRequestHandler]:
    expected = {
        "Basic " + base64.b64encode(f"{user}:{PASSWORD}".encode()).decode()
        for user in (USERNAME, LOGON)
    }

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as exchangelib's sessions expect

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            if self.path != PATH:
                self._reply(404, b"Not found", "text/plain")
            elif self.headers.get("Authorization") not in expected:
                self._reply(401, b"", "text/plain", {"WWW-Authenticate": 'Basic realm="ews"'})
            else:
                time.sleep(fake_ref[0].take_delay())
                status, data = fake_ref[0].answer(body)
                self._reply(status, data, "text/xml; charset=utf-8")

        def _reply(
            self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up waiting (the timeout tests) closed its end: nothing to report.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def start() -> FakeEWS:
    ref: list[FakeEWS] = []
    server = _Server(("127.0.0.1", 0), _handler(ref))
    fake = FakeEWS(server=server)
    ref.append(fake)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return fake


def stop(fake: FakeEWS) -> None:
    fake.server.shutdown()
    fake.server.server_close()
