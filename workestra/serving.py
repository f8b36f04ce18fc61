"""How the embedded default is served: the address, the public URL it implies, the stored key
and the gunicorn command line. Plain functions, so the settings and the ``serve`` command share
them and tests can check them without starting a server."""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

DEFAULT_ADDR = "127.0.0.1:8000"
DEFAULT_THREADS = 8
_ADDR = re.compile(r"^(?:(?P<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):)?(?P<port>\d{1,5})$")
# Listening on every interface: links in emails still need one address people can open.
_EVERY_INTERFACE = {"0.0.0.0", "[::]"}  # noqa: S104


class AddressError(ValueError):
    pass


def parse_addr(raw: str) -> tuple[str, int]:
    """``host:port``, ``[v6]:port`` or a bare port (on 127.0.0.1), as (host, port)."""
    match = _ADDR.match(raw.strip())
    port = int(match["port"]) if match else 0
    if not match or not 1 <= port <= 65535:
        raise AddressError(
            f"{raw!r} is not an address to listen on; use host:port such as {DEFAULT_ADDR}, "
            "[::1]:8000 or a port alone."
        )
    host = match["host"] or "127.0.0.1"
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise AddressError(f"{host} is not an IPv6 address.") from None
    return host, port


def public_url_for(addr: str) -> str:
    """The base URL a serve address implies: what links in emails and pages point at."""
    host, port = parse_addr(addr)
    if host in _EVERY_INTERFACE:
        host = "127.0.0.1"
    return f"http://{host}:{port}"


def stored_secret(path: Path, *, make: Callable[[], str]) -> str:
    """The secret kept at ``path``, made with ``make()`` the first time (readable by its owner
    only), so what depends on it survives a restart."""
    if path.exists():
        value = path.read_text().strip()
        if value:
            return value
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


def secret_key_load_or_create(path: Path) -> str:
    """The key that signs sessions and links, made once."""
    return stored_secret(path, make=lambda: secrets.token_urlsafe(50))


def server_env(
    environ: Mapping[str, str], *, addr: str, key_file: Path, tick: int | None = None
) -> dict[str, str]:
    """The environment gunicorn runs with: DEBUG off, a stored key and the URL of ``addr``,
    each only where the environment does not say otherwise."""
    env = dict(environ)
    if not env.get("DEBUG", "").strip():
        env["DEBUG"] = "false"
    if not env.get("SECRET_KEY", "").strip():
        env["SECRET_KEY"] = secret_key_load_or_create(key_file)
    if not env.get("PUBLIC_BASE_URL", "").strip():
        env["PUBLIC_BASE_URL"] = public_url_for(addr)
    if tick is not None:
        env["OUTBOX_TICK_SECONDS"] = str(tick)
    return env


def debug_in(env: Mapping[str, str]) -> bool:
    return env.get("DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}


def gunicorn_argv(*, addr: str, threads: int) -> list[str]:
    host, port = parse_addr(addr)
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:workestra.gunicorn_conf",
        "--bind",
        f"{host}:{port}",
        "--threads",
        str(threads),
        "workestra.wsgi:application",
    ]
