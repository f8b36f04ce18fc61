"""Serve the embedded default: gunicorn with the outbox ticker beside it, DEBUG off.

``serve [addrport]`` listens on ``addrport`` (``SERVE_ADDR`` when omitted, else 127.0.0.1:8000).
Unless the environment says otherwise it runs with DEBUG off, a secret key made once and kept in
``.secret_key`` beside the code, and PUBLIC_BASE_URL taken from the address, so every link it
prints or mails points at the port it really serves.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from workestra import serving


def positive_int(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise ValueError(raw)
    return value


class Command(BaseCommand):
    help = "Serve the product with gunicorn, background work processed in-process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "addrport",
            nargs="?",
            default=None,
            help=f"host:port or a port (default: SERVE_ADDR, else {serving.DEFAULT_ADDR}).",
        )
        parser.add_argument(
            "--threads",
            type=positive_int,
            default=serving.DEFAULT_THREADS,
            help=f"Request threads in the one server process (default {serving.DEFAULT_THREADS}).",
        )
        parser.add_argument(
            "--tick",
            type=positive_int,
            default=None,
            help="Seconds between outbox drains (default OUTBOX_TICK_SECONDS, else 30).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        addr = options["addrport"] or os.environ.get("SERVE_ADDR") or serving.DEFAULT_ADDR
        try:
            argv = serving.gunicorn_argv(addr=addr, threads=options["threads"])
        except serving.AddressError as exc:
            raise CommandError(str(exc)) from None
        env = serving.server_env(
            os.environ, addr=addr, key_file=settings.BASE_DIR / ".secret_key", tick=options["tick"]
        )
        self._collect_static(env)
        base = env["PUBLIC_BASE_URL"]
        self.stdout.write(f"Serving on {base}/ (Ctrl+C to stop); hosts sign in at {base}/login")
        self.stdout.flush()
        os.execve(argv[0], argv, env)  # noqa: S606

    def _collect_static(self, env: dict[str, str]) -> None:
        """DEBUG off serves the hashed, compressed files collectstatic writes (only changed files
        are copied again, so later starts are quick); DEBUG on serves them from the source."""
        if serving.debug_in(env):
            return
        result = subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
            cwd=settings.BASE_DIR,
            env=env,
            check=False,
        )
        if result.returncode:
            raise CommandError("collectstatic failed (see above); the server was not started.")
