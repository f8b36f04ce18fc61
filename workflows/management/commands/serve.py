"""Serve the product embedded: the development server plus an in-process outbox ticker.

Without Redis there is no Celery beat, so a thread drains due outbox rows (reminders, retries)
every ``--tick`` seconds. With ``REDIS_URL`` set, run a Celery worker and beat instead.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from workflows import outbox

logger = logging.getLogger(__name__)


def _tick_forever(stop: threading.Event, every: float) -> None:
    while not stop.wait(every):
        try:
            outbox.drain()
        except Exception:
            logger.exception("Outbox tick failed; trying again at the next tick.")
        finally:
            close_old_connections()


class Command(BaseCommand):
    help = "Run the web server with background work processed in-process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--tick", type=float, default=30.0, help="Seconds between outbox drains (default 30)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        threading.Thread(
            target=_tick_forever, args=(stop, options["tick"]), daemon=True, name="outbox-ticker"
        ).start()
        try:
            call_command("runserver", options["addrport"], use_reloader=False)
        finally:
            stop.set()
