"""The load driver behind ``bench_serving``: it counts what the server answered and how fast."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench.load import drive, percentile


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        status = 200 if self.path == "/ok" else 409
        body = b"hello"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_percentiles_take_the_nearest_rank():
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([], 50) == 0.0


def test_the_driver_counts_only_the_statuses_it_was_told_are_success():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    paths = iter(["/ok", "/taken"] * 100_000)
    try:
        result = drive(
            "127.0.0.1",
            port,
            lambda: ("GET", next(paths), {}, b""),
            clients=2,
            seconds=0.5,
            ok={200},
        )
    finally:
        server.shutdown()
    assert result.statuses[200] >= 2 and result.statuses[409] >= 2
    assert len(result.latencies) == result.statuses[200]
    assert result.rate > 0 and result.percentile_ms(99) >= result.percentile_ms(50) > 0
