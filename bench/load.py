"""A small closed-loop HTTP/1.1 load driver: ``clients`` keep-alive connections, each sending its
next request as soon as the previous answer is in, for a bounded time. Raw asyncio streams keep
the driver's own CPU cost per request far below the server's, which shares the machine."""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# (method, path, headers, body) of the next request; called once per request.
Next = Callable[[], tuple[str, str, dict[str, str], bytes]]


@dataclass
class Result:
    seconds: float
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile_ms(self, p: float) -> float:
        return percentile(self.latencies, p) * 1000


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank ``p``-th percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def drive(
    host: str, port: int, next_request: Next, *, clients: int, seconds: float, ok: set[int]
) -> Result:
    return asyncio.run(_drive(host, port, next_request, clients, seconds, ok))


async def _drive(
    host: str, port: int, next_request: Next, clients: int, seconds: float, ok: set[int]
) -> Result:
    began = time.perf_counter()
    deadline = began + seconds
    result = Result(seconds=seconds)
    await asyncio.gather(
        *(_client(host, port, next_request, deadline, result, ok) for _ in range(clients))
    )
    result.seconds = time.perf_counter() - began
    return result


async def _client(
    host: str, port: int, next_request: Next, deadline: float, result: Result, ok: set[int]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            method, path, headers, body = next_request()
            head = f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            head += f"Content-Length: {len(body)}\r\n\r\n" if body else "\r\n"
            sent = time.perf_counter()
            writer.write(head.encode() + body)
            status, keep = await _read_response(reader)
            if status in ok:
                result.latencies.append(time.perf_counter() - sent)
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if not keep:
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
    finally:
        writer.close()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """The status and whether the connection stays open; the body is read and dropped."""
    raw = await reader.readuntil(b"\r\n\r\n")
    lines = raw.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status, headers.get("connection", "").lower() != "close"
