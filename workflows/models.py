"""The scheduled-action outbox: every side effect of a state change is one of these rows.

Rows are written in the same transaction as the change they belong to, so a crash, a Redis flush
or a killed worker cannot lose one; the unique idempotency key means a retry never adds a second.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxQuerySet(models.QuerySet["OutboxMessage"]):
    def open(self) -> OutboxQuerySet:
        return self.filter(done_at__isnull=True, failed_at__isnull=True, withdrawn_at__isnull=True)

    def for_subject(self, subject: str) -> OutboxQuerySet:
        return self.filter(subject=subject)


class OutboxMessage(models.Model):
    kind = models.CharField(max_length=64)
    payload = models.JSONField(default=dict, blank=True)
    # What the row is about, e.g. "booking:42": the booking's timeline reads its rows by this.
    subject = models.CharField(max_length=64, blank=True, db_index=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    due_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=8)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["due_at"],
                name="outbox_open_due_idx",
                condition=Q(
                    done_at__isnull=True, failed_at__isnull=True, withdrawn_at__isnull=True
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.state})"

    @property
    def state(self) -> str:
        if self.done_at:
            return "sent"
        if self.failed_at:
            return "failed"
        if self.withdrawn_at:
            return "withdrawn"
        if self.attempts:
            return "retrying"
        return "scheduled"
