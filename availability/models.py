"""Named schedules (when hosts work), and busy time that is not a booking: a host's time off and
the cached free/busy of their calendars."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone as dj_timezone

from availability import engine
from availability.hours import parse_hhmm
from workestra.inputs import DATE_RANGE_MESSAGE, EARLIEST_DATE, LATEST_DATE
from workestra.timezones import validate_timezone

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


MAX_SCHEDULE_NAME = 100


class Schedule(models.Model):
    """Named, reusable availability: weekly windows and date overrides in one IANA zone.

    Links and team hosts point at one; each member has one default per workspace, which their
    links use unless another is chosen. ``weekly`` is ``{"0": [["09:00", "17:00"]], …}`` keyed by
    weekday (0 is Monday); ``overrides`` is ``{"2026-12-24": [], …}`` (an empty list is a day off).
    """

    workspace = models.ForeignKey("workestra.Workspace", on_delete=models.CASCADE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="schedules"
    )
    name = models.CharField(max_length=MAX_SCHEDULE_NAME)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    weekly = models.JSONField(default=dict, blank=True)
    overrides = models.JSONField(default=dict, blank=True)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["-is_default", "name", "pk"]
        indexes = [models.Index(fields=["workspace", "owner"])]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "owner"],
                condition=Q(is_default=True),
                name="schedule_one_default_per_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def as_engine(self) -> engine.Schedule:
        return engine_schedule(self.timezone, self.weekly, self.overrides)


def engine_schedule(
    zone: str, weekly: dict[str, list[list[str]]], overrides: dict[str, list[list[str]]]
) -> engine.Schedule:
    """The engine's plain-data schedule from stored windows."""
    return engine.Schedule(
        timezone=zone,
        weekly={int(day): _windows(windows) for day, windows in weekly.items()},
        overrides={date.fromisoformat(day): _windows(w) for day, w in overrides.items()},
    )


def _windows(windows: list[list[str]]) -> list[tuple[int, int]]:
    return [(parse_hhmm(a), parse_hhmm(b)) for a, b in windows]
