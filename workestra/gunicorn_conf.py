"""Gunicorn's configuration for the embedded default (``manage.py serve``).

One process with threads, because every reason to add processes is missing here and two
reasons argue against them: SQLite lets one writer in at a time whatever the process count,
the rate limits count in this process's memory (a second process would double every limit),
and the outbox ticker must run exactly once. Threads still serve pages while a booking waits
for the write lock. Production (PostgreSQL, Redis) runs plain gunicorn with more workers.
"""

from __future__ import annotations

from typing import Any

workers = 1
worker_class = "gthread"
threads = 8
# A booking may wait up to SQLite's 30 s busy timeout for the write lock.
timeout = 60
graceful_timeout = 10
accesslog = "-"
# No runtime control socket: it lives at one path per user, which a second server would take.
control_socket_disable = True

_ticker: Any = None


def on_starting(server: Any) -> None:
    if server.cfg.workers != 1:
        raise SystemExit(
            "The embedded server runs one process (SQLite, in-memory rate limits, one outbox "
            "ticker); give it more --threads instead."
        )


def post_worker_init(worker: Any) -> None:
    """The app is loaded (Django is set up): start the one outbox ticker beside it."""
    global _ticker
    from django.conf import settings

    from workflows.ticker import Ticker

    _ticker = Ticker(every=settings.OUTBOX_TICK_SECONDS)
    _ticker.start()


def worker_exit(server: Any, worker: Any) -> None:
    if _ticker is not None:
        _ticker.stop()
