"""A real Radicale CalDAV server in a subprocess, on a free 127.0.0.1 port, for the CalDAV tests.

It runs from this interpreter (``python -m radicale``), keeps its collections in a temporary
folder and checks its users' passwords from an htpasswd file, so the client is tested over real
sockets against a real sync-collection, time-range search and recurrence implementation.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_SECONDS = 20.0


@dataclass(frozen=True)
class Radicale:
    url: str
    users: dict[str, str]  # user name -> password


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _write_config(folder: Path, port: int, users: dict[str, str]) -> Path:
    htpasswd = folder / "htpasswd"
    htpasswd.write_text("".join(f"{user}:{password}\n" for user, password in users.items()))
    config = folder / "config"
    config.write_text(
        f"""[server]
hosts = 127.0.0.1:{port}

[auth]
type = htpasswd
htpasswd_filename = {htpasswd}
htpasswd_encryption = plain
delay = 0

[rights]
type = owner_only

[storage]
filesystem_folder = {folder / "collections"}

[web]
type = none

[logging]
level = warning
"""
    )
    return config


def _wait_until_answering(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Radicale exited with status {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 (a loopback http URL we built)
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer (401 without credentials) means it is serving
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"Radicale did not answer within {START_TIMEOUT_SECONDS:.0f} seconds")


@contextmanager
def running(users: dict[str, str]) -> Iterator[Radicale]:
    """Start the server, wait until it answers, and stop it (and remove its data) at the end."""
    with tempfile.TemporaryDirectory(prefix="radicale-") as tmp:
        folder = Path(tmp)
        port = _free_port()
        config = _write_config(folder, port, users)
        url = f"http://127.0.0.1:{port}/"
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [sys.executable, "-m", "radicale", "--config", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_until_answering(process, url)
            yield Radicale(url=url, users=dict(users))
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
