"""Celery tasks of the workflows app, found by the worker's autodiscovery. The outbox defines its
own drain task (its kick enqueues it) and ``periodic`` its tick, so this module only names them."""

from __future__ import annotations

from workflows.outbox import drain_outbox
from workflows.periodic import periodic

__all__ = ["drain_outbox", "periodic"]
