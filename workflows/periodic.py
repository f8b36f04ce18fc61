"""Jobs that run on every tick (Celery beat, or the embedded server's ticker) before the outbox is
drained: each only *enqueues* outbox rows that are due (a calendar to poll, a watch to renew), so
a job that runs twice, or on two machines at once, still does each piece of work once.

Apps register their jobs from ``AppConfig.ready()``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger(__name__)

Job = Callable[[datetime], None]
JOBS: dict[str, Job] = {}


def register(name: str, job: Job) -> None:
    JOBS[name] = job


def run_all(now: datetime | None = None) -> None:
    """Run every job; one failing job is logged and does not stop the others."""
    now = now or timezone.now()
    for name, job in list(JOBS.items()):
        try:
            job(now)
        except Exception:
            logger.exception("Periodic job %s failed; it runs again at the next tick.", name)


@shared_task(name="workflows.tasks.periodic", ignore_result=True)
def periodic() -> None:
    run_all()
