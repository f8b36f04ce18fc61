"""Celery tasks of the workflows app, found by the worker's autodiscovery. The outbox defines its
own drain task (its kick enqueues it), so this module only names it."""

from __future__ import annotations

from workflows.outbox import drain_outbox

__all__ = ["drain_outbox"]
