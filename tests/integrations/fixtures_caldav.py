"""Fixtures for the CalDAV tests: one Radicale server per run, and the host's own calendar app.

Import the fixtures a test module uses from here (there is no shared conftest for them). The
host's changes ("in their calendar app") are written with the caldav library directly, never
through the client under test.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import caldav
import pytest

from integrations.models import CalendarConnection, Provider
from tests.integrations import radicale_server
from workestra.lib import crypto

HOST = "olga"
HOST_EMAIL = "olga@example.com"
NEWCOMER = "nina"  # an account with only the calendars its test makes
USERS = {HOST: "correct horse battery", NEWCOMER: "staple gun"}

ICS_HEADER = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Host's calendar app//EN\r\n"
ICS_FOOTER = "END:VCALENDAR\r\n"


def ics(*components: str) -> str:
    """A VCALENDAR around the given components (each written as lines separated by newlines)."""
    body = "".join(c.strip().replace("\n", "\r\n") + "\r\n" for c in components)
    return ICS_HEADER + body + ICS_FOOTER


@dataclass
class CalendarApp:
    """What a host does in their calendar app, straight on the server."""

    client: caldav.DAVClient

    def make_calendar(self, name: str, *, components: list[str] | None = None) -> str:
        calendar = self.client.principal().make_calendar(
            name=name,
            cal_id=f"{name.lower().replace(' ', '-')}-{uuid.uuid4().hex[:8]}",
            supported_calendar_component_set=components,
        )
        return str(calendar.url)

    def set_timezone(self, calendar_url: str, tzid: str) -> None:
        """The calendar's own zone (CALDAV:calendar-timezone), as calendar apps set it."""
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
            "<D:set><D:prop><C:calendar-timezone>"
            f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:{tzid}\r\n"
            "END:VTIMEZONE\r\nEND:VCALENDAR\r\n"
            "</C:calendar-timezone></D:prop></D:set></D:propertyupdate>"
        )
        response = self.client.proppatch(calendar_url, body)
        assert response.status == 207, response.status

    def put(self, calendar_url: str, name: str, text: str) -> str:
        """Store ``text`` as ``<name>.ics`` in the calendar (adding or replacing); its URL."""
        url = calendar_url.rstrip("/") + f"/{name}.ics"
        response = self.client.put(url, text, {"Content-Type": "text/calendar; charset=utf-8"})
        assert response.status in (201, 204), response.status
        return url

    def get(self, object_url: str) -> str:
        response = self.client.request(object_url, "GET")
        assert response.status == 200, response.status
        return str(response.raw)

    def exists(self, object_url: str) -> bool:
        return self.client.request(object_url, "GET").status == 200

    def delete(self, object_url: str) -> None:
        response = self.client.delete(object_url)
        assert response.status in (200, 204), response.status


@dataclass
class RadicaleServer:
    url: str
    users: dict[str, str]

    def app(self, user: str = HOST) -> CalendarApp:
        return CalendarApp(caldav.DAVClient(self.url, username=user, password=self.users[user]))


class _WebPage(BaseHTTPRequestHandler):
    """Answers every request, whatever its method, with a small HTML page."""

    def _page(self) -> None:
        body = b"<html><body>Welcome to our web site</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PROPFIND = do_REPORT = do_OPTIONS = _page

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def web_site() -> Iterator[str]:
    """A web server that is not a CalDAV server, on 127.0.0.1; its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _WebPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def radicale() -> Iterator[RadicaleServer]:
    with radicale_server.running(USERS) as server:
        yield RadicaleServer(url=server.url, users=server.users)


@pytest.fixture
def caldav_settings(settings):
    """Loopback servers allowed (Radicale listens on 127.0.0.1) and a key for the password."""
    settings.CALENDAR_ALLOW_LOOPBACK = True
    settings.ENCRYPTION_KEYS = [crypto.new_key()]
    return settings


@pytest.fixture
def host_app(radicale) -> CalendarApp:
    return radicale.app(HOST)


@pytest.fixture
def work_calendar(host_app) -> str:
    """A new, empty calendar of the host's for this test alone; its URL."""
    return host_app.make_calendar("Work")


@pytest.fixture
def connection(radicale, caldav_settings) -> CalendarConnection:
    """The host's connection as the app keeps it (the client only reads it, so it is not saved)."""
    connection = CalendarConnection(
        provider=Provider.CALDAV,
        account=HOST_EMAIL,
        server_url=radicale.url,
        username=HOST,
    )
    connection.secret = radicale.users[HOST]
    return connection
