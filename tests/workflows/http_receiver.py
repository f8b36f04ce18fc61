"""A real HTTP server on 127.0.0.1 in a thread: records each request and answers what it is told.

It stands in for a customer's webhook receiver and for Slack's incoming-webhook endpoint, so the
senders are tested over real sockets, end to end through httpx.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

TLS_DIR = Path(__file__).with_name("tls")
TLS_NAME = "hooks.example.test"  # the name in the test server certificate


def trusting_context() -> ssl.SSLContext:
    """A client context that trusts only the test CA, which signed the server certificate."""
    return ssl.create_default_context(cafile=TLS_DIR / "ca.pem")


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)


class Receiver:
    """``tls=True`` serves HTTPS with a certificate for :data:`TLS_NAME` and records the server
    names (SNI) clients asked for."""

    def __init__(self, *, tls: bool = False) -> None:
        self.requests: list[Received] = []
        self.server_names: list[str | None] = []
        self.scheme = "https" if tls else "http"
        self._replies: deque[Reply] = deque()
        self.default = Reply()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.requests.append(
                        Received(
                            method="POST",
                            path=self.path,
                            headers={k.lower(): v for k, v in self.headers.items()},
                            body=body,
                        )
                    )
                    reply = receiver._replies.popleft() if receiver._replies else receiver.default
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(TLS_DIR / "server.pem")
            context.sni_callback = lambda _sock, name, _ctx: self.server_names.append(name)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str = "/hook", *, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def then(self, status: int, body: bytes = b"", **headers: str) -> Receiver:
        """Queue one answer; once the queue is empty every request gets :attr:`default`."""
        self._replies.append(Reply(status=status, body=body, headers=headers))
        return self

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def running_receiver() -> Iterator[Receiver]:
    with Receiver() as receiver:
        yield receiver


def fake_dns(
    monkeypatch: Any, answers: dict[str, list[str] | Callable[[], list[str]]]
) -> dict[str, int]:
    """Make ``socket.getaddrinfo`` answer ``answers`` for those names (others resolve as
    usual); returns how often each name was looked up."""
    real = socket.getaddrinfo
    lookups = dict.fromkeys(answers, 0)

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in answers:
            return real(host, port, *args, **kwargs)
        lookups[name] += 1
        found = answers[name]
        addresses = found() if callable(found) else found
        result = []
        for address in addresses:
            if ":" in address:
                result.append(
                    (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, int(port or 0), 0, 0))
                )
            else:
                result.append(
                    (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 0)))
                )
        return result

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups
