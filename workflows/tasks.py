"""Thin Celery tasks: they only ask the outbox to deliver what is due."""

from __future__ import annotations

from celery import shared_task

from workflows import outbox


@shared_task(name="workflows.tasks.drain_outbox", ignore_result=True)
def drain_outbox() -> int:
    return outbox.drain()
