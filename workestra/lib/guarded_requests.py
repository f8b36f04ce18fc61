"""A ``requests`` session that only connects to public addresses, for SDKs built on ``requests``.

Some provider SDKs (CalDAV, Exchange) talk to a server URL a user typed and make their own
requests, so :func:`workestra.lib.outbound.post` cannot be used. This session applies the same
rule at the lowest level instead: every new connection resolves its host once, refuses it when any
address is not public (:func:`workestra.lib.outbound.resolve`), and connects to the vetted
address. The name stays the ``Host`` header and the TLS server name. Because the check runs per
connection, it also covers redirects and the other hosts a server points the client to (iCloud
keeps each account's calendars on a host of their own), and a DNS answer that changes after the
check cannot redirect the connection. Proxies and ``.netrc`` from the environment are ignored.

A refused address raises :class:`workestra.lib.outbound.Refused` out of the request; a name that
does not resolve raises :class:`workestra.lib.outbound.Unresolved`.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection

from workestra.lib import outbound


def _vetted_socket(conn: HTTPConnection, loopback_ok: Callable[[], bool]) -> socket.socket:
    port = conn.port or 80
    addresses = outbound.resolve(conn.host, port, loopback_ok=loopback_ok())
    try:
        return connection.create_connection(
            (str(addresses[0]), port),
            conn.timeout,
            source_address=conn.source_address,
            socket_options=conn.socket_options,
        )
    except TimeoutError as exc:
        message = f"Connection to {conn.host} timed out. (connect timeout={conn.timeout})"
        raise ConnectTimeoutError(conn, message) from exc
    except OSError as exc:
        raise NewConnectionError(conn, f"Failed to establish a new connection: {exc}") from exc


def session(*, loopback_ok: Callable[[], bool]) -> requests.Session:
    """A session whose every connection goes to a vetted public address (loopback too when
    ``loopback_ok()`` says so, asked at each connection)."""

    class GuardedHTTPConnection(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            return _vetted_socket(self, loopback_ok)

    class GuardedHTTPSConnection(HTTPSConnection):
        def _new_conn(self) -> socket.socket:
            return _vetted_socket(self, loopback_ok)

    class GuardedHTTPPool(HTTPConnectionPool):
        ConnectionCls = GuardedHTTPConnection

    class GuardedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = GuardedHTTPSConnection

    class GuardedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {
                "http": GuardedHTTPPool,
                "https": GuardedHTTPSPool,
            }

    guarded = requests.Session()
    guarded.trust_env = False  # no proxy or .netrc from the environment
    guarded.mount("http://", GuardedAdapter())
    guarded.mount("https://", GuardedAdapter())
    return guarded
