"""The HTTP plumbing of the fake providers: a real server in a thread that hands every request,
parsed, to the fake's ``answer`` and sends back what it returns.

A fake is any object with a ``server`` attribute and ``answer(recorded) -> (status, payload,
headers)``; ``payload`` is sent as JSON (None sends no body). ``start(make)`` builds the fake
around a new server on a free port; ``stop`` shuts it down.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol, TypeVar
from urllib.parse import parse_qs, urlsplit

Answer = tuple[int, Any, dict[str, str]]


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


class Fake(Protocol):
    server: ThreadingHTTPServer | None

    def answer(self, recorded: Recorded) -> Answer: ...


F = TypeVar("F", bound=Fake)


def _handler(fake_ref: list[Fake]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            content_type = self.headers.get("Content-Type") or ""
            body: Any = raw
            if "json" in content_type and raw:
                body = json.loads(raw)
            elif "x-www-form-urlencoded" in content_type:
                body = {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
            recorded = Recorded(
                method=self.command,
                path=parts.path,
                query={k: v[-1] for k, v in parse_qs(parts.query).items()},
                body=body,
                headers={k.lower(): v for k, v in self.headers.items()},
            )
            status, payload, headers = fake_ref[0].answer(recorded)
            data = b"" if payload is None else json.dumps(payload).encode()
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if payload is not None:
                    self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the timeout tests)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

    return Handler


def start(make: Callable[[ThreadingHTTPServer], F]) -> F:
    ref: list[Fake] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(ref))
    server.daemon_threads = True
    fake = make(server)
    ref.append(fake)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return fake


def stop(fake: Fake) -> None:
    assert fake.server is not None
    fake.server.shutdown()
    fake.server.server_close()
