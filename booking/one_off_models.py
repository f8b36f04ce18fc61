"""One-off meetings: a host offers a hand-picked set of times to one invitee at ``/one-off/<token>``.

The offered times are held on the host's calendar (``OneOffHold``) until one is picked, the host
cancels the offer, or it expires. The booking itself is a normal booking, made through
``booking_create`` on a hidden link of the offer's own (``OneOffMeeting.link``): bookings need a
link for their rules, emails and calendar events, and a link that backs a one-off is left out of
``BookingLink.objects.live()``, so it is listed nowhere and has no public page.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone as dj_timezone

#: At most this many times in one offer.
MAX_TIMES = 20


def new_one_off_token() -> str:
    """256 random bits, URL-safe: the invitee's only credential."""
    return secrets.token_urlsafe(32)


class OneOffMeeting(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        BOOKED = "booked", "Booked"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"

    workspace = models.ForeignKey("workestra.Workspace", on_delete=models.CASCADE)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="one_off_meetings"
    )
    # The hidden link the booking is made on (title, length, location, the host's rules).
    link = models.OneToOneField(
        "booking.BookingLink", on_delete=models.PROTECT, related_name="one_off"
    )
    title = models.CharField(max_length=200)
    duration = models.PositiveSmallIntegerField()
    invitee_name = models.CharField(max_length=200, blank=True)
    invitee_email = models.EmailField(max_length=254, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_one_off_token)
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    booking = models.OneToOneField(
        "booking.Booking",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="one_off",
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="booked") | Q(booking__isnull=False),
                name="one_off_booked_has_booking",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def public_url(self) -> str:
        return settings.PUBLIC_BASE_URL + reverse("booking:one-off-public", args=[self.token])

    @property
    def subject(self) -> str:
        """How outbox rows refer to this offer."""
        return f"one-off:{self.pk}"

    def is_expired(self, now: datetime) -> bool:
        return self.status == self.Status.EXPIRED or (
            self.status == self.Status.OPEN and self.expires_at <= now
        )


class OneOffTime(models.Model):
    """One offered time."""

    meeting = models.ForeignKey(OneOffMeeting, on_delete=models.CASCADE, related_name="times")
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "start"], name="one_off_time_unique"),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="one_off_time_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} UTC"

    @property
    def ical_uid(self) -> str:
        """The placeholder event's UID in the host's calendar."""
        return f"one-off-{self.meeting_id}-{self.pk}@workestra"


class OneOffHold(models.Model):
    """An offered time held on the host's calendar: the slot engine reads it as busy for every
    other booking of the host's, until the offer is picked, cancelled or expires (then deleted)."""

    time = models.OneToOneField(OneOffTime, on_delete=models.CASCADE, related_name="hold")
    meeting = models.ForeignKey(OneOffMeeting, on_delete=models.CASCADE, related_name="holds")
    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["host", "start"], name="one_off_hold_host_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="one_off_hold_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"hold {self.host_id} {self.start:%Y-%m-%d %H:%M}"
