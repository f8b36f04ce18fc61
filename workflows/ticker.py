"""The embedded server's outbox ticker: without Celery beat, a thread drains due rows.

Reminders, retries and anything a lost "do it now" message left behind are due rows; on the
embedded default nothing else would ever pick them up. With ``REDIS_URL`` set, Celery beat ticks
too; a second drainer is harmless because rows are claimed with a lease.
"""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections

from workflows import outbox, periodic

logger = logging.getLogger(__name__)


class Ticker:
    def __init__(self, *, every: float) -> None:
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-ticker", daemon=True)

    def start(self) -> None:
        self._thread.start()
        logger.info("Outbox ticker started: due rows are drained every %s s.", self.every)

    def stop(self, *, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                periodic.run_all()
                outbox.drain()
            except Exception:
                logger.exception("Outbox tick failed; trying again at the next tick.")
            finally:
                close_old_connections()
