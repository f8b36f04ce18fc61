"""Meeting polls: a host proposes times, invitees vote on each, the host books the winner.

Imported by ``booking.models`` so Django finds the models; nothing here imports back.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

MAX_TIMES = 40
MAX_POLL_DURATION = 480


def new_poll_token() -> str:
    """128 random bits as 32 hex characters: the only credential of the voting page."""
    return secrets.token_hex(16)


class Poll(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        FINALIZED = "finalized", _("Finalized")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    workspace = models.ForeignKey("workestra.Workspace", on_delete=models.CASCADE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="polls"
    )
    # Colleagues who host with the owner: every one of them must be free (collective).
    co_hosts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="co_hosted_polls"
    )
    title = models.CharField(max_length=200)
    duration = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(5), MaxValueValidator(MAX_POLL_DURATION)]
    )
    location = models.CharField(max_length=500, blank=True)
    invitees = models.JSONField(default=list, blank=True)  # emails the link was sent to
    hide_tally = models.BooleanField(default=False)
    token = models.CharField(max_length=32, unique=True, default=new_poll_token)
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    # Bookings need a link: each poll books through a hidden collective link of its own, kept
    # deleted (so no list or public page shows it) except inside the finalizing transaction.
    link = models.OneToOneField(
        "booking.BookingLink", on_delete=models.PROTECT, related_name="poll"
    )
    chosen = models.ForeignKey(
        "booking.PollTime", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    booking = models.ForeignKey(
        "booking.Booking", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration__gte=5, duration__lte=MAX_POLL_DURATION),
                name="poll_duration_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def public_url(self) -> str:
        return settings.PUBLIC_BASE_URL + reverse("booking:poll-vote", args=[self.token])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN and self.expires_at > dj_timezone.now()

    @property
    def shown_status(self) -> str:
        """The status as people read it: past its expiry a poll is expired, even before the
        periodic job has closed it."""
        if self.status == self.Status.OPEN and not self.is_open:
            return str(self.Status.EXPIRED.label)
        return str(self.get_status_display())


class PollTime(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="times")
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "start"], name="poll_time_unique"),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="poll_time_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} UTC"


class PollVote(models.Model):
    """One voter's answers, keyed by their email: voting again replaces them."""

    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        MAYBE = "maybe", _("If need be")
        NO = "no", _("No")

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)  # stored lower-case
    timezone = models.CharField(max_length=64, default="UTC")
    answers = models.JSONField(default=dict)  # {"<PollTime id>": Answer}
    # The language of the page they voted from; their result email uses it (blank: English).
    language = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "email"], name="poll_vote_one_per_email"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class PollHold(models.Model):
    """A host's time held tentatively by a proposed time of an open poll.

    Host availability reads unreleased holds that have not expired as busy; finalizing,
    cancelling or the expiry job releases them.
    """

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="holds")
    time = models.ForeignKey(PollTime, on_delete=models.CASCADE, related_name="holds")
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="poll_holds"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    expires_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["host", "start"],
                condition=Q(released_at__isnull=True),
                name="poll_hold_open_host_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.host} {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M} (poll)"
