"""Busy time that is not a booking: a host's time off and the cached free/busy of their calendars."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone as dj_timezone

from workestra.inputs import DATE_RANGE_MESSAGE, EARLIEST_DATE, LATEST_DATE

TIME_OFF_EARLIEST = datetime.combine(EARLIEST_DATE - timedelta(days=1), time(), UTC)
TIME_OFF_LATEST = datetime.combine(LATEST_DATE + timedelta(days=2), time(), UTC)


class TimeOff(models.Model):
    """A host is away (PTO): no link offers them then, and team links leave them out of rotation."""

    workspace = models.ForeignKey("workestra.Workspace", on_delete=models.CASCADE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="time_off"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["start", "pk"]
        verbose_name_plural = "time off"
        indexes = [models.Index(fields=["user", "end"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="time_off_end_after_start"
            ),
            # Rows outside Python's reach (year 0 in UTC, say) cannot even be read back. The
            # bounds are a day wider than the dates hosts may enter, which are wall-clock dates
            # in their own zone.
            models.CheckConstraint(
                condition=Q(start__gte=TIME_OFF_EARLIEST, end__lte=TIME_OFF_LATEST),
                name="time_off_in_date_range",
                violation_error_message=DATE_RANGE_MESSAGE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} off {self.start:%Y-%m-%d %H:%M}–{self.end:%Y-%m-%d %H:%M} UTC"


class ExternalBusy(models.Model):
    """A busy range read from a host's connected calendar (Google, Microsoft, CalDAV).

    Calendar sync writes these; slot pages read only this cache, never a provider, so a page is
    as fast with five calendars connected as with none.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_busy"
    )
    source = models.CharField(max_length=32)  # the connection it came from, e.g. "google"
    calendar_id = models.CharField(max_length=255, blank=True)
    # The provider's event id, so an incremental sync replaces just that event's ranges;
    # "freebusy" for ranges a live free/busy check found (the next sync of the calendar drops them).
    event_id = models.CharField(max_length=1000, blank=True)
    start = models.DateTimeField()
    end = models.DateTimeField()
    fetched_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["start", "pk"]
        verbose_name_plural = "external busy times"
        indexes = [
            models.Index(fields=["user", "end"]),
            # A month's window reads only the rows starting before its end, not a year of them.
            models.Index(fields=["user", "start"], name="external_busy_user_start"),
            models.Index(fields=["source", "calendar_id", "event_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="external_busy_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} busy ({self.source}) {self.start:%Y-%m-%d %H:%M} UTC"
