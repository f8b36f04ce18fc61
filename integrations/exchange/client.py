"""Exchange on-premises over EWS (exchangelib): the host's own calendar, read and written.

The only module that imports exchangelib. The host types the EWS endpoint
(``https://mail.example.com/EWS/Exchange.asmx``), a user name and a password; we talk Basic auth
to exactly that endpoint (no autodiscover, no version guessing). Exchange has no push we can
receive here, so the calendar is polled, incrementally:

* Without a token, the sync takes the folder's SyncFolderItems state first, then lists the
  window with a CalendarView (the server expands recurring series into their occurrences) and
  reports that as a full listing; a change made in between is in the listing and in the next
  poll again, never lost. The token is that state plus the item ids of the series masters with
  busy time in the window, mapped to their UIDs.
* With a token, SyncFolderItems gives the items created, changed and deleted since. A changed
  single item is fetched and reported as it is now; a changed series master is reported once,
  under its UID (the id the full listing keys its busy rows by), with every occurrence in the
  window as the server's CalendarView expands it (so a series keeps its wall-clock time across
  a DST change); a deleted item is reported cancelled, a deleted master under its UID. A sync
  state the server no longer knows asks for a full read (``ProviderError(gone=True)``).

The endpoint is typed by a user, so before each connection its host is resolved and refused when
any address is not public (``workestra.lib.outbound``); ``CALENDAR_ALLOW_LOOPBACK`` lets loopback
through for tests and development. exchangelib connects by name, so unlike ``outbound.post`` the
vetted address is not pinned: a DNS answer that changes between the check and the connection is
not caught here.
"""

from __future__ import annotations

import json
import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from exchangelib import (
    BASIC,
    DELEGATE,
    Account,
    Attendee,
    Body,
    CalendarItem,
    Configuration,
    Credentials,
    EWSDateTime,
    EWSTimeZone,
    Mailbox,
    Version,
)
from exchangelib import errors as ews
from exchangelib.folders import DEEP, BaseFolder, Calendar, FolderCollection, Root
from exchangelib.items import ID_ONLY, SEND_TO_ALL_AND_SAVE_COPY, SEND_TO_NONE
from exchangelib.protocol import FailFast, Protocol
from exchangelib.services import SyncFolderItems
from exchangelib.services.sync_folder_hierarchy import SyncFolder
from exchangelib.util import MNS
from exchangelib.version import EXCHANGE_2013_SP1

from integrations.calendars.provider import (
    EventData,
    Grant,
    PasswordProvider,
    ProviderError,
    Range,
    RemoteCalendar,
    RemoteEvent,
    SyncResult,
    WrittenEvent,
)
from workestra.lib import outbound

if TYPE_CHECKING:
    from integrations.models import CalendarConnection

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30.0
DEFAULT_CALENDAR = "calendar"
# Only what a busy range and a moved event need (exchangelib adds the start and end zones).
EVENT_FIELDS = (
    "uid",
    "start",
    "end",
    "is_all_day",
    "legacy_free_busy_status",
    "my_response_type",
    "is_cancelled",
    "type",
)
SERIES_TYPES = ("Occurrence", "Exception")
MASTER = "RecurringMaster"
FETCH_BATCH = 100
SYNC_BATCH = 512  # the most changes SyncFolderItems returns in one answer
MESSAGE_LIMIT = 300  # what the host sees of a failure, and what the sync error column keeps
# Server-side conditions that pass: the server is busy, restarting or moving the mailbox.
TRANSIENT = (
    ews.ErrorServerBusy,
    ews.ErrorTimeoutExpired,
    ews.ErrorInternalServerTransientError,
    ews.ErrorInternalServerError,
    ews.ErrorMailboxStoreUnavailable,
    ews.ErrorMailboxMoveInProgress,
    ews.ErrorConnectionFailedTransientError,
    ews.ErrorTooManyObjectsOpened,
    ews.ErrorExceededConnectionCount,
)


class _FailFastPlainly(FailFast):
    """Fail at once, like exchangelib's ``FailFast``, with a readable reason for an HTTP error
    page; a 5xx one (Exchange's front end serves those while it restarts) counts as transient."""

    def raise_response_errors(self, response: Any) -> None:
        try:
            super().raise_response_errors(response)
        except ews.MalformedResponseError:
            status = response.status_code
            if status >= 500:
                raise ews.ErrorInternalServerTransientError(
                    f"The server answered HTTP {status}."
                ) from None
            raise ews.TransportError(
                f"The server answered HTTP {status}. Check that the address is the EWS one, "
                "e.g. https://mail.example.com/EWS/Exchange.asmx."
            ) from None


class ExchangeCalendar:
    key = "exchange"
    label = "Exchange (on-premises)"
    uses_oauth = False
    can_push = False
    can_add_meeting = False

    def is_configured(self) -> bool:
        return True  # every host brings their own server and password

    # --- Connecting -------------------------------------------------------------------------------

    def login(self, *, server_url: str, username: str, password: str) -> Grant:
        """Check the password with a cheap read: the calendar folder (and the mailbox root)."""
        with _translated("sign in"):
            account = _account(server_url, username, password)
            account.calendar  # noqa: B018 - the request is the check
        return Grant(account=account.primary_smtp_address, secret=password)

    def revoke(self, connection: CalendarConnection) -> None:
        """Nothing to revoke: we hold the host's password, which only the host can change."""

    def calendars(self, connection: CalendarConnection) -> list[RemoteCalendar]:
        """The default calendar, and the calendars the host made inside it."""
        with _translated("list the calendars"):
            account = _connect(connection)
            default = account.calendar
            inside = FolderCollection(account=account, folders=[default]).find_folders(depth=DEEP)
            return [
                RemoteCalendar(
                    external_id=DEFAULT_CALENDAR, name=default.name or "Calendar", is_primary=True
                ),
                *(
                    RemoteCalendar(external_id=folder.id, name=folder.name or "Calendar")
                    for folder in inside
                    if isinstance(folder, BaseFolder)
                    and (folder.folder_class or "").startswith(Calendar.CONTAINER_CLASS)
                ),
            ]

    # --- Reading --------------------------------------------------------------------------------

    def sync(
        self,
        connection: CalendarConnection,
        calendar_id: str,
        *,
        token: str,
        start: datetime,
        end: datetime,
    ) -> SyncResult:
        """Without a token, everything in the window (``full``) and a sync state; with one, the
        items changed since, a changed series with all its occurrences in the window."""
        with _translated("read the calendar"):
            account = _connect(connection)
            if not token:
                return _full_sync(account, calendar_id, start, end)
            try:
                return _changes(account, calendar_id, _SyncToken.parse(token), start, end)
            except ews.ErrorInvalidSyncStateData as exc:
                raise ProviderError("Exchange no longer knows the sync state.", gone=True) from exc

    def busy(
        self,
        connection: CalendarConnection,
        calendar_ids: list[str],
        *,
        start: datetime,
        end: datetime,
        timeout: float,
    ) -> list[Range]:
        ranges: list[Range] = []
        with _translated("read the free/busy time"):
            account = _connect(connection, timeout=timeout)
            for calendar_id in calendar_ids:
                items, _ = _view(account, calendar_id, start, end)
                ranges.extend(r for event in _events(items) for r in event.busy)
        return sorted((max(s, start), min(e, end)) for s, e in ranges)

    # --- Writing --------------------------------------------------------------------------------

    def create_event(
        self, connection: CalendarConnection, calendar_id: str, data: EventData
    ) -> WrittenEvent:
        with _translated("add the event"):
            account = _connect(connection)
            folder, _ = _folder(account, calendar_id)
            item = CalendarItem(account=account, folder=folder, uid=data.ical_uid)
            _fill(item, data)
            item.save(send_meeting_invitations=_invitations(data))
        return WrittenEvent(external_id=item.id)

    def update_event(
        self, connection: CalendarConnection, calendar_id: str, external_id: str, data: EventData
    ) -> WrittenEvent:
        """Fetch the item for its current change key, then write only our fields."""
        with _translated("update the event"):
            account = _connect(connection)
            item = next(iter(account.fetch(ids=[(external_id, None)])), None)
            if isinstance(item, ews.ErrorItemNotFound):
                raise ProviderError("The event is no longer in the calendar.", retry=False)
            if not isinstance(item, CalendarItem):
                raise ProviderError(f"Exchange could not find the event: {item}", retry=False)
            fields = _fill(item, data)
            item.save(update_fields=fields, send_meeting_invitations=_invitations(data))
        return WrittenEvent(external_id=item.id)

    def delete_event(
        self, connection: CalendarConnection, calendar_id: str, external_id: str, *, notify: bool
    ) -> None:
        """Delete the event; one that is already gone counts as deleted."""
        with _translated("delete the event"):
            account = _connect(connection)
            item = CalendarItem(account=account, id=external_id, changekey=None)
            try:
                item.delete(
                    send_meeting_cancellations=SEND_TO_ALL_AND_SAVE_COPY if notify else SEND_TO_NONE
                )
            except ews.ErrorItemNotFound:
                log.info("Exchange event %s was already gone", external_id)


if TYPE_CHECKING:
    _conforms: PasswordProvider = ExchangeCalendar()  # mypy checks the class against the protocol


# --- Helpers ---------------------------------------------------------------------------------------


def _connect(connection: CalendarConnection, *, timeout: float = TIMEOUT_SECONDS) -> Account:
    return _account(connection.server_url, connection.username, connection.secret, timeout=timeout)


def _account(
    server_url: str, username: str, password: str, *, timeout: float = TIMEOUT_SECONDS
) -> Account:
    """An exchangelib Account for exactly this endpoint, after the address check."""
    _check_address(server_url)
    config = Configuration(
        service_endpoint=server_url,
        credentials=Credentials(username=username, password=password),
        auth_type=BASIC,
        version=Version(build=EXCHANGE_2013_SP1),
        retry_policy=_FailFastPlainly(),
        max_connections=4,
    )
    # exchangelib shares one Protocol per endpoint and credentials; both are read per request.
    protocol = Protocol(config=config)
    protocol.TIMEOUT = timeout
    protocol.RETRY_WAIT = 0  # so a back-off on ErrorServerBusy is the server's own, or none
    address = username if "@" in username else _resolve_address(config, username)
    return Account(
        primary_smtp_address=address,
        config=config,
        autodiscover=False,
        access_type=DELEGATE,
        default_timezone=EWSTimeZone("UTC"),
        locale="en_US",
    )


def _resolve_address(config: Configuration, username: str) -> str:
    """The mailbox address for a ``DOMAIN\\user`` style login, as the server knows it."""
    user = username.rpartition("\\")[2]
    for found in Protocol(config=config).resolve_names(names=[user]):
        if isinstance(found, Mailbox) and found.email_address:
            return str(found.email_address)
    raise ProviderError(
        f"Exchange does not know a mailbox for {username}. Sign in with your email address.",
        retry=False,
    )


def _check_address(server_url: str) -> None:
    parts = urlsplit(server_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProviderError(
            "Enter the EWS address, e.g. https://mail.example.com/EWS/Exchange.asmx.",
            retry=False,
        )
    port = parts.port or (443 if parts.scheme == "https" else 80)
    loopback_ok = bool(getattr(settings, "CALENDAR_ALLOW_LOOPBACK", False))
    try:
        addresses = outbound.resolve(parts.hostname, port, loopback_ok=loopback_ok)
    except outbound.Refused as exc:
        raise ProviderError(str(exc), retry=False) from None
    except outbound.Unresolved as exc:
        raise ProviderError(str(exc)) from None
    # The password goes along with every request: only over TLS, except to this very machine.
    if parts.scheme == "http" and not all(ip.is_loopback for ip in addresses):
        raise ProviderError(
            "Use an https:// address: over http:// your password would travel unencrypted.",
            retry=False,
        )


def _folder(account: Account, calendar_id: str) -> tuple[BaseFolder, int]:
    """The calendar folder, and the requests that took: the mailbox root, and for the default
    calendar its lookup by name; another calendar is named by its id."""
    if calendar_id in ("", DEFAULT_CALENDAR):
        return account.calendar, 2
    return Calendar(root=account.root, id=calendar_id), 1


def _view(
    account: Account, calendar_id: str, start: datetime, end: datetime
) -> tuple[list[CalendarItem], int]:
    """The items and occurrences in the window, and the requests it took: the folder, a
    CalendarView listing ids, and the fields in batches (FindItem cannot return text fields such
    as the UID)."""
    folder, calls = _folder(account, calendar_id)
    items, listing = _listing(account, folder, start, end)
    return items, calls + listing


def _listing(
    account: Account,
    folder: BaseFolder,
    start: datetime,
    end: datetime,
    *,
    series_only: bool = False,
) -> tuple[list[CalendarItem], int]:
    """What a CalendarView shows of ``folder`` in the window (only the occurrences of series when
    ``series_only``), fetched, and the requests it took."""
    view = folder.view(start=_ews_time(start), end=_ews_time(end))
    if series_only:
        listed = view.values_list("id", "changekey", "type")
        ids = [(i, key) for i, key, kind in listed if kind in SERIES_TYPES]
    else:
        ids = list(view.values_list("id", "changekey"))
    fetched = account.fetch(
        ids=ids, folder=folder, only_fields=EVENT_FIELDS, chunk_size=FETCH_BATCH
    )
    items = [item for item in fetched if isinstance(item, CalendarItem)]
    return items, 1 + math.ceil(len(ids) / FETCH_BATCH)


def _events(items: list[CalendarItem]) -> list[RemoteEvent]:
    """One event per single item; one per series, its occurrences' ranges together."""
    events: list[RemoteEvent] = []
    series: dict[str, list[CalendarItem]] = defaultdict(list)
    for item in items:
        if item.type in SERIES_TYPES and item.uid:
            series[item.uid].append(item)
            continue
        events.append(_single(item))
    for uid, occurrences in series.items():
        busy = tuple(_span(o) for o in occurrences if _blocks(o))
        events.append(RemoteEvent(external_id=uid, ical_uid=uid, busy=busy))
    return events


def _single(item: CalendarItem, window: Range | None = None) -> RemoteEvent:
    """An item that does not repeat; it blocks only if it overlaps ``window`` (when given)."""
    start, end = _span(item)
    inside = window is None or (start < window[1] and end > window[0])
    return RemoteEvent(
        external_id=item.id,
        ical_uid=item.uid or "",
        busy=((start, end),) if inside and _blocks(item) else (),
        start=start,
        end=end,
        cancelled=bool(item.is_cancelled),
    )


# --- Incremental sync ------------------------------------------------------------------------------


@dataclass
class _SyncToken:
    """What the next poll needs: the folder's sync state, and the series masters with busy time in
    the window (item id to UID), so that a deleted master is reported under the id its busy rows
    carry (a master without rows needs no mapping, which keeps the token small)."""

    state: str
    series: dict[str, str]

    @classmethod
    def parse(cls, token: str) -> _SyncToken:
        try:
            data = json.loads(token)
            return cls(state=str(data["state"]), series=dict(data["series"]))
        except (ValueError, KeyError, TypeError):
            raise ews.ErrorInvalidSyncStateData("The sync token is not one we made.") from None

    def dump(self) -> str:
        return json.dumps({"state": self.state, "series": self.series}, separators=(",", ":"))


class _SyncFolderItems(SyncFolderItems):
    """exchangelib reads the sync state before the response class: an error answer without a
    state (e.g. the folder is gone) would fail on the missing element, not as the error it is."""

    def _get_element_container(self, message: Any, name: Any = None) -> Any:
        if message.find(f"{{{MNS}}}SyncState") is None:
            return super(SyncFolder, self)._get_element_container(message=message, name=name)
        return super()._get_element_container(message=message, name=name)


def _full_sync(account: Account, calendar_id: str, start: datetime, end: datetime) -> SyncResult:
    """The sync state first, then the listing: a change made in between is in the listing and
    again in the next poll, never in neither."""
    folder, calls = _folder(account, calendar_id)
    # The folder named as the next polls name it, for the state to be the same folder's.
    changes, state, sync_calls = _sync_items(account, _unfetched(account, calendar_id), "")
    masters = [item.id for kind, item in changes if _is_master(kind, item)]
    found, fetch_calls = _fetch(account, folder, masters, fields=("uid",))
    items, listing_calls = _listing(account, folder, start, end)
    events = _events(items)
    blocking = {event.external_id for event in events if event.busy}
    series = {item.id: item.uid for item in found if item.uid in blocking}
    return SyncResult(
        events=events,
        token=_SyncToken(state, series).dump(),
        full=True,
        calls=calls + sync_calls + fetch_calls + listing_calls,
    )


def _changes(
    account: Account, calendar_id: str, token: _SyncToken, start: datetime, end: datetime
) -> SyncResult:
    """The items created, changed or deleted since ``token``: a single item as it is now, a
    series with every occurrence in the window (under its UID, as the full listing keys it)."""
    folder = _unfetched(account, calendar_id)
    changes, state, calls = _sync_items(account, folder, token.state)
    changed = [item.id for kind, item in changes if kind in _CHANGED]
    items, fetch_calls = _fetch(account, folder, changed, fields=EVENT_FIELDS)
    events: list[RemoteEvent] = []
    masters: dict[str, str] = {}
    for item in items:
        if item.type == MASTER and item.uid:
            masters[item.id] = item.uid
            continue
        if item.id in token.series:  # a series made a single event: its old rows go
            events.append(RemoteEvent(external_id=token.series.pop(item.id)))
        events.append(_single(item, (start, end)))
    series, series_calls = _series(account, folder, set(masters.values()), start, end)
    for kind, item in changes:
        if kind == SyncFolderItems.DELETE:
            uid = token.series.pop(item.id, "")
            events.append(RemoteEvent(external_id=uid or item.id, ical_uid=uid, cancelled=True))
    blocking = {event.external_id for event in series if event.busy}
    for item_id, uid in masters.items():
        if uid in blocking:
            token.series[item_id] = uid
        else:
            token.series.pop(item_id, None)
    return SyncResult(
        events=events + series,
        token=_SyncToken(state, token.series).dump(),
        calls=calls + fetch_calls + series_calls,
    )


_CHANGED = (SyncFolderItems.CREATE, SyncFolderItems.UPDATE)


def _is_master(kind: str, item: Any) -> bool:
    return kind in _CHANGED and getattr(item, "type", None) == MASTER


def _unfetched(account: Account, calendar_id: str) -> BaseFolder:
    """The calendar folder by its id (the distinguished name for the default one), without asking
    the server for it."""
    root = Root(account=account)
    if calendar_id in ("", DEFAULT_CALENDAR):
        return Calendar(root=root)
    return Calendar(root=root, id=calendar_id)


def _sync_items(account: Account, folder: BaseFolder, state: str) -> tuple[list[Any], str, int]:
    """SyncFolderItems from ``state`` (from the start when empty) until the server has said
    everything: the (change type, item or item id) pairs, the new state and the requests."""
    service = _SyncFolderItems(account=account)
    fields = {f for f in folder.normalize_fields(fields=["type"]) if not f.field.is_attribute}
    changes: list[Any] = []
    calls = 0
    while True:
        changes.extend(
            service.call(
                folder=folder,
                shape=ID_ONLY,
                additional_fields=fields,
                sync_state=state or None,
                ignore=None,
                max_changes_returned=SYNC_BATCH,
                sync_scope=None,
            )
        )
        calls += 1
        done = service.sync_state == state or service.includes_last_item_in_range
        state = service.sync_state
        if done:
            return changes, state, calls


def _fetch(
    account: Account, folder: BaseFolder, ids: list[str], *, fields: Iterable[str]
) -> tuple[list[CalendarItem], int]:
    """The items by id, in batches (one deleted meanwhile is left out), and the requests."""
    if not ids:
        return [], 0
    fetched = account.fetch(
        ids=[(i, None) for i in ids],
        folder=folder,
        only_fields=list(fields),
        chunk_size=FETCH_BATCH,
    )
    items = [item for item in fetched if isinstance(item, CalendarItem)]
    return items, math.ceil(len(ids) / FETCH_BATCH)


def _series(
    account: Account, folder: BaseFolder, uids: set[str], start: datetime, end: datetime
) -> tuple[list[RemoteEvent], int]:
    """One event per series UID with its occurrences in the window, as the server expands them
    (a CalendarView of the series' occurrences, their UIDs fetched to pick these series')."""
    if not uids:
        return [], 0
    occurrences, calls = _listing(account, folder, start, end, series_only=True)
    events = _events([o for o in occurrences if o.uid in uids])
    listed = {event.external_id for event in events}
    events += [RemoteEvent(external_id=uid, ical_uid=uid) for uid in sorted(uids - listed)]
    return events, calls


def _blocks(item: CalendarItem) -> bool:
    return not (
        item.is_cancelled
        or item.legacy_free_busy_status == "Free"
        or item.my_response_type == "Decline"
    )


def _fill(item: CalendarItem, data: EventData) -> list[str]:
    """Put the booking's fields on ``item``; the names of the fields written."""
    item.subject = data.title
    # In the booking's zone, so Outlook shows the meeting's own zone to the attendees.
    zone = EWSTimeZone(data.timezone)
    item.start = _ews_time(data.start).astimezone(zone)
    item.end = _ews_time(data.end).astimezone(zone)
    item.location = data.location or None
    fields = ["subject", "body", "start", "end", "location"]
    if data.send_invites:
        item.required_attendees = [
            Attendee(mailbox=Mailbox(name=name or None, email_address=email))
            for name, email in data.attendees
        ]
        item.body = Body(data.description)
        fields.append("required_attendees")
    else:
        # No invitations: the host still sees who is coming, in the body.
        who = "\n".join(f"{name} <{email}>" if name else email for name, email in data.attendees)
        text = f"{data.description}\n\n{who}" if who else data.description
        item.body = Body(text)  # plain text: names and descriptions are never markup
    return fields


def _invitations(data: EventData) -> str:
    return SEND_TO_ALL_AND_SAVE_COPY if data.send_invites else SEND_TO_NONE


def _ews_time(value: datetime) -> EWSDateTime:
    return EWSDateTime.from_datetime(value.astimezone(UTC)).astimezone(EWSTimeZone("UTC"))


def _span(item: CalendarItem) -> Range:
    """The instants ``item`` runs between. exchangelib gives an all-day event's start and end as
    dates (the end inclusive); it blocks from midnight to midnight in the event's own zone."""
    if not item.is_all_day:
        return _utc(item.start), _utc(item.end)
    start_zone = item._start_timezone or EWSTimeZone("UTC")
    end_zone = item._end_timezone or start_zone
    start = datetime.combine(item.start, time(0), tzinfo=start_zone)
    end = datetime.combine(item.end + timedelta(days=1), time(0), tzinfo=end_zone)
    return _utc(start), _utc(end)


def _utc(value: datetime) -> datetime:
    return datetime.fromtimestamp(value.timestamp(), tz=UTC)


@contextmanager
def _translated(doing: str) -> Iterator[None]:
    """Turn exchangelib's failures into a ProviderError that says what went wrong."""
    try:
        yield
    except ews.UnauthorizedError as exc:
        raise ProviderError(
            "Exchange did not accept the user name and password.", auth=True
        ) from exc
    except TRANSIENT as exc:
        wait = getattr(exc, "back_off", None)
        # exchangelib re-raises a 5xx or a timeout as ErrorServerBusy; name the original.
        original = exc.__context__ if str(exc).startswith("Reraised from") else exc
        raise ProviderError(
            f"Exchange could not {doing} right now: {original}"[:MESSAGE_LIMIT],
            retry_after=timedelta(seconds=wait) if wait else None,
        ) from exc
    except ews.RedirectError as exc:
        raise ProviderError(
            "The server redirected us elsewhere. Enter the EWS address itself, "
            "e.g. https://mail.example.com/EWS/Exchange.asmx.",
            retry=False,
        ) from exc
    except ews.EWSError as exc:
        raise ProviderError(
            f"Exchange could not {doing}: {exc}"[:MESSAGE_LIMIT], retry=False
        ) from exc
