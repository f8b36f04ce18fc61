"""Outbound HTTP to addresses our users typed in (webhooks, Slack): public addresses only.

A URL a workspace enters must not become a way into our own network (server-side request
forgery). Before each request the host is resolved once, *every* address it resolves to must be
public (not private, loopback, link-local, multicast, reserved or unspecified), and the request
then goes to that vetted address: the URL's host is replaced by the IP, the ``Host`` header
keeps the name, and for HTTPS the TLS server name (SNI and certificate check) stays the name as
well. No second lookup happens, so a DNS answer that changes between the check and the
connection (DNS rebinding) cannot redirect us. Redirects are never followed and proxies from the
environment are ignored, for the same reason.

``WEBHOOK_ALLOW_LOOPBACK`` lets loopback addresses through (only those) for local receivers in
tests and development.
"""

from __future__ import annotations

import ipaddress
import random
import socket
import ssl
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx
from django.conf import settings

TIMEOUT_SECONDS = 15.0
EXCERPT_BYTES = 2048
USER_AGENT = "Workestra-Webhooks/1.0"
# Retries of one message spread over about a day: the nominal delays double each time and add
# up to RETRY_SPAN; each is then moved by up to ±RETRY_JITTER so receivers are not hit in step.
RETRY_SPAN = timedelta(days=1)
RETRY_JITTER = 0.2
MAX_RETRY_AFTER = timedelta(hours=6)
# Certificates are checked against the system's trust store (tests trust their own CA here).
TLS_VERIFY: ssl.SSLContext | bool = True

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa", ".intranet")


def allow_loopback() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_LOOPBACK", False))


# --- Which addresses are allowed ----------------------------------------------------------------


def address_problem(ip: IPAddress, *, loopback_ok: bool = False) -> str:
    """Why ``ip`` may not be called (e.g. "a private address"), or "" when it is public."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            return address_problem(embedded, loopback_ok=loopback_ok)
    if ip.is_loopback:
        return "" if loopback_ok else "a loopback address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved:
        return "a reserved address"
    if not ip.is_global:
        return "an address that is not publicly routable"
    return ""


def url_problem(url: str, *, loopback_ok: bool = False) -> str:
    """A save-time check without DNS: the scheme, and hosts that are obviously not public.

    Returns a message for the user, or "" when the URL may be saved. The authoritative check
    runs again before every request, on the resolved addresses.
    """
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".").lower()
        port = parts.port  # raises ValueError for a port out of range
    except ValueError:
        return "Enter a valid URL."
    if parts.scheme not in ("http", "https"):
        return "Use a URL starting with https:// (or http://)."
    if not host:
        return "Enter a URL with a host name, e.g. https://example.com/webhooks."
    problem = authority_problem(has_userinfo=parts.username is not None, port=port)
    if problem:
        return problem
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if ip is not None:
        problem = address_problem(ip, loopback_ok=loopback_ok)
        if problem:
            return f"{host} is {problem}. Webhooks can only go to public addresses."
        return ""
    if host == "localhost" or host.endswith(".localhost"):
        if loopback_ok:
            return ""
        return "localhost is not reachable from our servers. Use a public address."
    if "." not in host or host.endswith(_PRIVATE_SUFFIXES):
        return f"{host} is not a public host name. Use a public address."
    return ""


def authority_problem(*, has_userinfo: bool, port: int | None) -> str:
    """Why the URL's user info or port may not be used, or "". Checked when a URL is saved and
    again before each request, for URLs stored before the rule existed.

    A user name and password in the URL would be sent as credentials and shown wherever the URL
    is (settings, delivery log); our requests are signed instead. Port 0 reaches no server.
    """
    if has_userinfo:
        return (
            "Remove the user name and password from the URL: "
            "our requests are signed, so the receiver can check them without one."
        )
    if port is not None and not 1 <= port <= 65535:
        return f"Port {port} cannot receive requests. Use the receiver's port, or leave it out."
    return ""


class Refused(Exception):
    """The destination is not allowed; retrying cannot help."""


class Unresolved(Exception):
    """The host name did not resolve (perhaps for now)."""


def resolve(host: str, port: int, *, loopback_ok: bool) -> list[IPAddress]:
    """Every address ``host`` resolves to, each vetted; :class:`Refused` when any is not public."""
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise Unresolved(f"Could not resolve {host}: {exc}") from None
        addresses = []
        for *_, sockaddr in found:
            ip = ipaddress.ip_address(str(sockaddr[0]).partition("%")[0])
            if ip not in addresses:
                addresses.append(ip)
        if not addresses:
            raise Unresolved(f"{host} has no addresses.")
    for ip in addresses:
        problem = address_problem(ip, loopback_ok=loopback_ok)
        if problem:
            named = f"{host} resolves to {ip}, " if literal is None else f"{host} is "
            raise Refused(f"Refused: {named}{problem}. Only public addresses can be called.")
    return addresses


# --- Sending ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """What one attempt got: a status and the start of the body, or an error."""

    status: int | None = None
    excerpt: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    error: str = ""
    refused: bool = False  # the destination is not allowed: a retry cannot help
    duration_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def redirected(self) -> bool:
        return self.status is not None and 300 <= self.status < 400

    def describe(self) -> str:
        """A one-line account for the outbox row and the delivery log."""
        if self.error:
            return self.error
        if self.redirected:
            target = self.headers.get("location", "")
            where = f" to {target}" if target else ""
            return f"Answered {self.status} (a redirect{where}); redirects are not followed."
        snippet = " ".join(self.excerpt.split())[:200]
        return f"Answered {self.status}" + (f": {snippet}" if snippet else "")


def post(url: str, *, content: bytes, headers: dict[str, str]) -> Result:
    """POST ``content`` to ``url`` through the address guard; never raises for network trouble."""
    started = time.monotonic()

    def elapsed() -> int:
        return max(0, round((time.monotonic() - started) * 1000))

    try:
        target = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return Result(error="The URL is not valid.", refused=True)
    if target.scheme not in ("http", "https") or not target.host:
        return Result(error="Only http:// and https:// URLs can be called.", refused=True)
    problem = authority_problem(has_userinfo=bool(target.userinfo), port=target.port)
    if problem:
        return Result(error=f"Refused: {problem}", refused=True)
    host = target.raw_host.decode("ascii")
    port = target.port or (443 if target.scheme == "https" else 80)
    try:
        addresses = resolve(host, port, loopback_ok=allow_loopback())
    except Refused as exc:
        return Result(error=str(exc), refused=True, duration_ms=elapsed())
    except Unresolved as exc:
        return Result(error=str(exc), duration_ms=elapsed())

    vetted = str(addresses[0])
    extensions = {}
    if target.scheme == "https" and vetted != host:
        extensions["sni_hostname"] = host  # the name for SNI and the certificate check
    request_headers = {
        "User-Agent": USER_AGENT,
        **headers,
        "Host": target.netloc.decode("ascii"),  # host[:port], without any user info
    }
    try:
        with (
            httpx.Client(
                timeout=TIMEOUT_SECONDS,
                follow_redirects=False,
                trust_env=False,
                verify=TLS_VERIFY,
            ) as client,
            client.stream(
                "POST",
                target.copy_with(host=vetted),
                content=content,
                headers=request_headers,
                extensions=extensions,
            ) as response,
        ):
            excerpt = _excerpt(response, deadline=started + TIMEOUT_SECONDS)
            return Result(
                status=response.status_code,
                excerpt=excerpt,
                headers={k.lower(): v for k, v in response.headers.items()},
                duration_ms=elapsed(),
            )
    except httpx.TimeoutException:
        error = f"No answer within {TIMEOUT_SECONDS:.0f} seconds."
    except httpx.ConnectError as exc:
        error = f"Could not connect to {host}: {exc or 'connection failed'}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    return Result(error=error[:300], duration_ms=elapsed())


def _excerpt(response: httpx.Response, *, deadline: float) -> str:
    """The start of the body, at most EXCERPT_BYTES: a huge or endless answer is cut off."""
    data = b""
    for chunk in response.iter_bytes():
        data += chunk
        if len(data) >= EXCERPT_BYTES or time.monotonic() > deadline:
            break
    return data[:EXCERPT_BYTES].decode("utf-8", errors="replace")


# --- Retry timing -------------------------------------------------------------------------------


def backoff(attempt: int, max_attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """The wait after failed ``attempt`` (1-based) of ``max_attempts``: doubling delays that sum
    to about :data:`RETRY_SPAN` over the whole schedule, each moved by up to ±RETRY_JITTER."""
    gaps = max(1, max_attempts - 1)
    step = min(max(1, attempt), gaps)
    nominal = RETRY_SPAN * (2 ** (step - 1)) / (2**gaps - 1)
    factor = (rng or random).uniform(1 - RETRY_JITTER, 1 + RETRY_JITTER)
    return nominal * factor


def retry_after(result: Result, *, now: datetime | None = None) -> timedelta | None:
    """The server's ``Retry-After`` (seconds or an HTTP date), capped at MAX_RETRY_AFTER."""
    raw = result.headers.get("retry-after", "").strip()
    if not raw:
        return None
    if raw.isdigit():
        wait = timedelta(seconds=int(raw))
    else:
        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        wait = when - (now or datetime.now(UTC))
    return min(max(wait, timedelta(seconds=1)), MAX_RETRY_AFTER)
