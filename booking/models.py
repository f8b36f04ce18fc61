"""Booking links (event types), bookings and the host reservations that stop double booking."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.urls import reverse
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from availability.engine import Rules
from booking.constraints import PostgresExclusionConstraint, TsTzRange
from workestra.timezones import validate_timezone

MAX_DURATION = 480
MAX_CTAS = 5
MAX_GUESTS = 10
MAX_CAPACITY = 1000


def new_token() -> str:
    """128 random bits as 32 hex characters: the only credential for self-service pages."""
    return secrets.token_hex(16)


class BookingLinkQuerySet(models.QuerySet["BookingLink"]):
    def live(self) -> BookingLinkQuerySet:
        """Links that exist (active or paused); deleted ones are kept only for their bookings.
        The hidden link behind a one-off meeting is no event type: it is left out too."""
        return self.filter(deleted_at__isnull=True, one_off__isnull=True)


class BookingLink(models.Model):
    class Kind(models.TextChoices):
        ONE_ON_ONE = "one_on_one", "One-on-one"
        ROUND_ROBIN = "round_robin", "Round-robin"
        COLLECTIVE = "collective", "Collective"
        GROUP = "group", "Group"
        INSTANT = "instant", "Instant"

    class NotificationMode(models.TextChoices):
        CALENDAR_INVITE = "calendar_invite", "Calendar invite"
        EMAIL = "email", "Email confirmation"

    class Rotation(models.TextChoices):
        WEIGHTED = "weighted", "Weighted (furthest below their share first)"
        EQUAL = "equal", "Equal distribution (weights ignored)"
        AVAILABILITY_FIRST = "availability_first", "Availability first (priority, then recency)"

    class RotationPeriod(models.TextChoices):
        MONTH = "month", "Calendar month"
        DAY = "day", "Day"

    class PhoneMode(models.TextChoices):
        HIDDEN = "hidden", "Don't ask"
        OPTIONAL = "optional", "Optional"
        REQUIRED = "required", "Required"

    workspace = models.ForeignKey("workestra.Workspace", on_delete=models.CASCADE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="booking_links"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ONE_ON_ONE)
    team = models.ForeignKey(
        "workestra.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="links",
        help_text="Listed on the team's public page.",
    )

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=5000)
    slug = models.SlugField(max_length=100)

    duration = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(5), MaxValueValidator(MAX_DURATION)]
    )
    durations = models.JSONField(default=list, blank=True)  # extra choices, minutes
    slot_interval = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(5), MaxValueValidator(MAX_DURATION)]
    )
    buffer_before = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(MAX_DURATION)]
    )
    buffer_after = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(MAX_DURATION)]
    )
    min_notice_hours = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(24 * 365)]
    )
    max_days_ahead = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(730)]
    )
    # The zone the link's times are shown in when the attendee's zone is locked.
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    # When the link offers times; empty: the owner's default schedule. On a team link, the
    # hosts who chose no schedule of their own use this one, or else their own default.
    schedule = models.ForeignKey(
        "availability.Schedule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="links",
    )
    # A cap is "at most N bookings in the period"; empty means no cap (0 would close the link).
    daily_cap = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    weekly_cap = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    monthly_cap = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    # Round-robin assignment (see booking/assignment.py).
    rotation = models.CharField(max_length=20, choices=Rotation.choices, default=Rotation.WEIGHTED)
    rotation_period = models.CharField(
        max_length=8, choices=RotationPeriod.choices, default=RotationPeriod.MONTH
    )
    rotation_counts_no_shows = models.BooleanField(default=True)
    rotation_counts_cancellations = models.BooleanField(default=False)
    rotation_max_lead = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="Skip a host this many bookings ahead of the least-booked one while others "
        "are free. Empty: no limit.",
    )
    # Group links: attendees per slot.
    capacity = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)]
    )

    create_deal = models.BooleanField(default=False)
    deal_stage = models.ForeignKey("crm.Stage", on_delete=models.SET_NULL, null=True, blank=True)
    deal_value = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )

    class CalendarProvider(models.TextChoices):
        NONE = "", "None"
        GOOGLE = "google", "Google Calendar"
        MICROSOFT = "microsoft", "Microsoft 365"
        CALDAV = "caldav", "iCloud / CalDAV"
        EXCHANGE = "exchange", "Exchange"

    # Which connected calendar the confirmed event is written into (each host's own); busy time
    # is read from every calendar a host checks for conflicts, whatever this says.
    calendar_provider = models.CharField(
        "Calendar provider",
        max_length=16,
        choices=CalendarProvider.choices,
        default=CalendarProvider.NONE,
        blank=True,
    )
    auto_meeting_link = models.BooleanField(
        "Auto-generate meeting link",
        default=False,
        help_text="Every confirmed booking gets a Google Meet (Google) or Microsoft Teams "
        "(Microsoft) link in its event.",
    )
    notification_mode = models.CharField(
        max_length=16, choices=NotificationMode.choices, default=NotificationMode.CALENDAR_INVITE
    )
    use_no_reply = models.BooleanField(default=False)
    phone_mode = models.CharField(max_length=8, choices=PhoneMode.choices, default=PhoneMode.HIDDEN)
    allow_guests = models.BooleanField(default=False)
    ctas = models.JSONField(default=list, blank=True)  # [{"label": …, "url": …}], at most 5
    # Where meetings take place: [{"kind": …, "detail": …}] (see booking/locations.py); with
    # several, the attendee picks one.
    locations = models.JSONField(default=list, blank=True)
    # Pre-meeting questions, in the order asked: [Question.to_dict(), …] (booking/questions.py).
    # Ids come from ``question_counter`` so a removed question's id (and its a<id>) is never reused.
    questions = models.JSONField(default=list, blank=True)
    question_counter = models.PositiveIntegerField(default=0)
    lock_timezone = models.BooleanField(default=False)
    # The language of the booking page and the attendee's emails; blank: the attendee's browser
    # decides. The attendee can still pick another on the page.
    language = models.CharField(
        "Attendee language",
        max_length=8,
        blank=True,
        choices=[(code, name) for code, name in settings.LANGUAGES],
        help_text="Blank: each attendee gets the language of their browser.",
    )
    redirect_url = models.CharField(max_length=2000, blank=True)
    # Sites allowed to frame the booking page and call the public API from a browser, as
    # "scheme://host[:port]" (booking/embed.py checks them); empty: any site.
    embed_origins = models.JSONField(default=list, blank=True)
    require_email_verification = models.BooleanField(
        "Require email verification",
        default=False,
        help_text="Attendees enter a 6-digit code from an email before the booking confirms.",
    )

    # Workflows that run for this link although they are not set to run for every link.
    workflows = models.ManyToManyField("workflows.Workflow", blank=True, related_name="links")

    is_active = models.BooleanField(default=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BookingLinkQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            # Public URLs have no workspace in them, so a live slug is unique everywhere;
            # deleting a link frees its slug.
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(deleted_at__isnull=True),
                name="booking_link_live_slug_unique",
            ),
            models.CheckConstraint(
                condition=Q(duration__gte=5, duration__lte=MAX_DURATION),
                name="booking_link_duration_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def public_path(self) -> str:
        return reverse("booking:public", args=[self.slug])

    @property
    def public_url(self) -> str:
        return settings.PUBLIC_BASE_URL + self.public_path

    @property
    def duration_choices(self) -> list[int]:
        """Every duration an attendee may pick, the default first."""
        extra = sorted({int(d) for d in self.durations} - {self.duration})
        return [self.duration, *extra]

    @property
    def is_group(self) -> bool:
        return self.kind == self.Kind.GROUP

    @property
    def is_team(self) -> bool:
        """Round-robin and collective links list their hosts; the others are the owner's alone."""
        return self.kind in (self.Kind.ROUND_ROBIN, self.Kind.COLLECTIVE)

    def rules(self, duration: int | None = None) -> Rules:
        return Rules(
            duration=duration or self.duration,
            interval=self.slot_interval,
            buffer_before=self.buffer_before,
            buffer_after=self.buffer_after,
            min_notice=self.min_notice_hours * 60,
            max_days_ahead=self.max_days_ahead,
            daily_cap=self.daily_cap,
            weekly_cap=self.weekly_cap,
            monthly_cap=self.monthly_cap,
        )


class LinkHost(models.Model):
    """A host of a team link, with what round-robin assignment needs to be fair."""

    class Priority(models.IntegerChoices):
        LOW = 0, "Low"
        MEDIUM = 1, "Medium"
        HIGH = 2, "High"
        URGENT = 3, "Urgent"

    link = models.ForeignKey(BookingLink, on_delete=models.CASCADE, related_name="link_hosts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="link_hosts"
    )
    weight = models.PositiveSmallIntegerField(
        default=100, validators=[MinValueValidator(0), MaxValueValidator(1000)]
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.MEDIUM)
    # Round-robin links with always-attending hosts are multi-host groups: those hosts must all
    # be free, plus one host from the rest (the rotating pool).
    always_attending = models.BooleanField(default=False)
    # This host's hours on the link; empty: the link's schedule if it has one, else their default.
    schedule = models.ForeignKey(
        "availability.Schedule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="link_hosts",
    )
    joined_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["link", "user"], name="link_host_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.link}"


class BookingQuerySet(models.QuerySet["Booking"]):
    def active(self) -> BookingQuerySet:
        return self.filter(status__in=Booking.ACTIVE_STATUSES)


class Refusal(NamedTuple):
    """Why a booking can't be changed as asked: a stable ``reason`` and what to tell the person."""

    reason: str
    message: str


# Why an unverified hold was released (the cancel reason the host sees) and what the attendee reads.
EXPIRED_REASON = "The verification code expired."
TOO_MANY_REASON = "A wrong code was entered three times."
STARTED_REASON = "The meeting started before the email was verified."
EXPIRED_MESSAGE = _(
    "This code has expired, so the time is no longer held for you. Please book again."
)
TOO_MANY_MESSAGE = _(
    "That code was wrong three times, so the booking was cancelled and the time released. "
    "Please book again."
)
STARTED_MESSAGE = _("This meeting has already started.")
UNVERIFIED_MESSAGE = _(
    "This booking is waiting for you to confirm your email address. "
    "Enter the code we emailed you first."
)
# One message per reason; ``{status}`` is the booking's status as people read it.
REFUSALS = {
    "started": STARTED_MESSAGE,
    "ended": _(
        "This meeting has already ended, so it can't be cancelled. "
        "Mark it as a no-show if the attendee didn't come."
    ),
    "not_started": _("This meeting hasn't started yet, so it can't be marked as a no-show."),
    "rescheduled": _(
        "This booking was already rescheduled. Use the link in the latest confirmation email."
    ),
    "unverified": UNVERIFIED_MESSAGE,
    "unpaid": _(
        "This booking is waiting for its payment. Finish paying first, or cancel it and book again."
    ),
    "code_expired": EXPIRED_MESSAGE,
    "too_many_codes": TOO_MANY_MESSAGE,
    "closed": _("This booking is {status}."),
    "not_confirmed": _(
        "This booking is {status}; only confirmed meetings can be marked as no-shows."
    ),
    "not_no_show": _("This booking is {status}, not a no-show."),
}
# The cancel reason of a released hold, as the refusal the attendee gets afterwards.
RELEASED = {EXPIRED_REASON: "code_expired", TOO_MANY_REASON: "too_many_codes"}
RELEASED[STARTED_REASON] = "started"


class Booking(models.Model):
    class Change(models.TextChoices):
        """What someone asks to do with a booking, as :meth:`refusal` judges it."""

        CANCEL = "cancel"
        RESCHEDULE = "reschedule"
        RECONFIRM = "reconfirm"
        VERIFY = "verify"
        RESEND_CODE = "resend_code"
        NO_SHOW = "no_show"
        UNDO_NO_SHOW = "undo_no_show"

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        PENDING_VERIFICATION = "pending_verification", _("Pending verification")
        PENDING_PAYMENT = "pending_payment", _("Pending payment")
        CANCELLED = "cancelled", _("Cancelled")
        RESCHEDULED = "rescheduled", _("Rescheduled")
        NO_SHOW = "no_show", _("No-show")

    ACTIVE_STATUSES = (Status.CONFIRMED, Status.PENDING_VERIFICATION, Status.PENDING_PAYMENT)

    workspace = models.ForeignKey("workestra.Workspace", on_delete=models.CASCADE)
    link = models.ForeignKey(BookingLink, on_delete=models.PROTECT, related_name="bookings")
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="hosted_bookings"
    )
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.CONFIRMED)
    start = models.DateTimeField()
    end = models.DateTimeField()
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    # The language the attendee booked in; their emails and pages use it (blank: English).
    language = models.CharField(max_length=8, blank=True)

    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=32, blank=True)
    guests = models.JSONField(default=list, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    # What was asked, in order, when the attendee answered: [{"key": "a1", "label": …, "kind": …}],
    # so editing or removing a question later never relabels or hides an old answer.
    answer_labels = models.JSONField(default=list, blank=True)
    # Uploaded answers: {"a3": {"key": <storage name>, "name": …, "size": …, "type": …}}.
    answer_files = models.JSONField(default=dict, blank=True)
    utm = models.JSONField(default=dict, blank=True)

    reschedule_token = models.CharField(max_length=32, unique=True, default=new_token)
    # Stable across reschedules so calendar clients update the same event.
    ical_uid = models.CharField(max_length=120)
    sequence = models.PositiveIntegerField(default=0)

    contact = models.ForeignKey(
        "crm.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="bookings"
    )
    deal = models.ForeignKey(
        "crm.Deal", on_delete=models.SET_NULL, null=True, blank=True, related_name="bookings"
    )
    rescheduled_from = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="rescheduled_to"
    )
    cancel_reason = models.TextField(blank=True, max_length=2000)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reconfirmed_at = models.DateTimeField(null=True, blank=True)
    meeting_url = models.URLField(max_length=500, blank=True)
    # Where it takes place (booking/locations.py): the kind, what people read, and for a video
    # meeting made through a conferencing account its dial-in details and the provider's id.
    location_kind = models.CharField(max_length=20, blank=True)
    location = models.CharField(max_length=500, blank=True)
    dial_in = models.TextField(blank=True, max_length=2000)
    conference_id = models.CharField(max_length=200, blank=True)
    # Email verification (see booking/verification.py): only a keyed hash of the code is kept.
    verification_code_hash = models.CharField(max_length=64, blank=True)
    verification_expires_at = models.DateTimeField(null=True, blank=True)
    verification_attempts = models.PositiveSmallIntegerField(default=0)  # wrong codes entered
    verification_codes_sent = models.PositiveSmallIntegerField(default=0)
    verification_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["start", "pk"]
        indexes = [models.Index(fields=["link", "start"]), models.Index(fields=["host", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="booking_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.link.title} · {self.start:%Y-%m-%d %H:%M} UTC"

    @property
    def duration_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def subject(self) -> str:
        """How outbox rows refer to this booking."""
        return f"booking:{self.pk}"

    @property
    def reschedule_url(self) -> str:
        return settings.PUBLIC_BASE_URL + reverse(
            "booking:reschedule", args=[self.reschedule_token]
        )

    @property
    def cancel_url(self) -> str:
        return settings.PUBLIC_BASE_URL + reverse("booking:cancel", args=[self.reschedule_token])

    @property
    def reconfirm_url(self) -> str:
        return settings.PUBLIC_BASE_URL + reverse("booking:reconfirm", args=[self.reschedule_token])

    def refusal(self, action: str, now: datetime, by: str = "attendee") -> Refusal | None:
        """Why ``action`` (a :class:`Change`) can't be done now ``by`` the attendee, the host or
        the system (which is held to no time), or ``None`` when it can. Asking for what is already so (cancelling a cancelled booking,
        verifying a verified one) is no refusal: the services return such a booking unchanged.
        """
        if action in (self.Change.NO_SHOW, self.Change.UNDO_NO_SHOW):
            return self._no_show_refusal(action, now)
        if self.status == self.Status.RESCHEDULED:
            return self.refused("rescheduled")
        if self.status == self.Status.CANCELLED and self.cancel_reason in RELEASED:
            return self.refused(RELEASED[self.cancel_reason])
        if action in (self.Change.VERIFY, self.Change.RESEND_CODE):
            return self._code_refusal(action, now)
        if self.status not in self.ACTIVE_STATUSES:
            return self.refused("closed")
        if self.status == self.Status.PENDING_PAYMENT and action != self.Change.CANCEL:
            return self.refused("unpaid")
        if by == "host" and self.end <= now:
            return self.refused("ended")
        if by == "attendee" and self.start <= now:
            return self.refused("started")
        if self.status == self.Status.PENDING_VERIFICATION and action != self.Change.CANCEL:
            return self.refused("unverified")
        return None

    def _code_refusal(self, action: str, now: datetime) -> Refusal | None:
        if self.status == self.Status.CONFIRMED and action == self.Change.VERIFY:
            return self.refused("started") if self.start <= now else None
        if self.status != self.Status.PENDING_VERIFICATION:
            return self.refused("closed")
        if self.start <= now:
            return self.refused("started")
        expires = self.verification_expires_at
        return self.refused("code_expired") if expires is None or expires <= now else None

    def _no_show_refusal(self, action: str, now: datetime) -> Refusal | None:
        if action == self.Change.UNDO_NO_SHOW:
            return None if self.status == self.Status.NO_SHOW else self.refused("not_no_show")
        if self.status != self.Status.CONFIRMED:
            return self.refused("not_confirmed")
        return self.refused("not_started") if self.start > now else None

    def refused(self, reason: str) -> Refusal:
        """The refusal for ``reason`` (a key of ``REFUSALS``) with its one message."""
        status = self.get_status_display().lower()
        return Refusal(reason, REFUSALS[reason].format(status=status))

    def blocked_range(self, link: BookingLink | None = None) -> tuple[datetime, datetime]:
        link = link or self.link
        return (
            self.start - timedelta(minutes=link.buffer_before),
            self.end + timedelta(minutes=link.buffer_after),
        )


class Reservation(models.Model):
    """A host's time held by a booking, buffers included.

    On PostgreSQL an exclusion constraint forbids two active reservations of one host from
    overlapping unless they share a key (the seats of one group session), so a double booking
    cannot be committed whatever the code does. Migrations 0004 and 0006 created it in SQL;
    ``Meta.constraints`` declares the same constraint so the model says what the table enforces.
    """

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="reservations")
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reservations"
    )
    blocked_start = models.DateTimeField()
    blocked_end = models.DateTimeField()
    active = models.BooleanField(default=True)
    # Group seats share one session: reservations with the same key may overlap (see the
    # exclusion constraint); every other reservation has none and excludes all overlaps.
    share_key = models.CharField(max_length=80, null=True, blank=True)  # noqa: DJ001 (NULL = exclusive)

    class Meta:
        indexes = [
            models.Index(
                fields=["host", "blocked_start"],
                condition=Q(active=True),
                name="reservation_active_host_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(blocked_end__gt=models.F("blocked_start")),
                name="reservation_end_after_start",
            ),
            PostgresExclusionConstraint(
                name="reservation_no_host_overlap",
                expressions=[
                    ("host", RangeOperators.EQUAL),
                    (
                        TsTzRange("blocked_start", "blocked_end", RangeBoundary()),
                        RangeOperators.OVERLAPS,
                    ),
                    (
                        Coalesce(
                            "share_key",
                            Concat(Value("reservation:"), Cast("id", models.TextField())),
                        ),
                        RangeOperators.NOT_EQUAL,
                    ),
                ],
                condition=Q(active=True),
                violation_error_message="This host already has a meeting at that time.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.host} {self.blocked_start:%Y-%m-%d %H:%M}–{self.blocked_end:%H:%M}"


class BookingEvent(models.Model):
    """A state change on a booking, written by the service in the same transaction.

    With the booking's outbox rows it makes the timeline on the host's booking page.
    """

    class Kind(models.TextChoices):
        CREATED = "created", "Booked"
        VERIFIED = "verified", "Email verified"
        RESCHEDULED_FROM = "rescheduled_from", "Rescheduled from an earlier time"
        RESCHEDULED_TO = "rescheduled_to", "Rescheduled to a new time"
        CANCELLED = "cancelled", "Cancelled"
        RELEASED = "released", "Released unverified"
        NO_SHOW = "no_show", "Marked as no-show"
        NO_SHOW_UNDONE = "no_show_undone", "No-show undone"
        RECONFIRMED = "reconfirmed", "Reconfirmed by the attendee"
        CALENDAR = "calendar", "Calendar note"
        NEW_TIME_ASKED = "new_time_asked", "New time requested"
        PAID = "paid", "Payment received"
        PAYMENT_RELEASED = "payment_released", "Released unpaid"
        REFUND = "refund", "Refund"
        PAYMENT_NOTE = "payment_note", "Payment"

    class By(models.TextChoices):
        ATTENDEE = "attendee", "the attendee"
        HOST = "host", "the host"
        SYSTEM = "system", "Workestra"

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    at = models.DateTimeField(default=dj_timezone.now)
    by = models.CharField(max_length=12, choices=By.choices, default=By.SYSTEM)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    detail = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["booking", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M} UTC"


SINGLE_USE_DAYS = 30


def single_use_expiry() -> datetime:
    return dj_timezone.now() + timedelta(days=SINGLE_USE_DAYS)


class SingleUseLink(models.Model):
    """One contact, one template link, one booking (single-use-links.txt); see booking/single_use.py.

    ``pending_booking`` is the booking made through the token that still waits for its email
    code (or payment): it holds the token without consuming it.
    """

    workspace = models.ForeignKey("workestra.Workspace", on_delete=models.CASCADE)
    link = models.ForeignKey(BookingLink, on_delete=models.PROTECT, related_name="single_uses")
    contact = models.ForeignKey("crm.Contact", on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=32, unique=True, default=new_token)
    expires_at = models.DateTimeField(default=single_use_expiry)
    allow_forwarding = models.BooleanField(default=False)
    consumed_at = models.DateTimeField(null=True, blank=True)
    consumed_by_booking = models.ForeignKey(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pending_booking = models.ForeignKey(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Made by a workflow email: the outbox row's key (and recipient), so a retry reuses it.
    send_key = models.CharField(max_length=300, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        db_table = "scheduling_single_use_links"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "created_at"])]

    def __str__(self) -> str:
        return f"Single-use link for {self.contact_id} on {self.link_id}"

    @property
    def path(self) -> str:
        return reverse("booking:single-use", args=[self.token])

    @property
    def url(self) -> str:
        return settings.PUBLIC_BASE_URL + self.path


# Routing forms, one-off meetings, meeting polls and payments live in their own modules;
# importing them here registers them with the app.
from booking.one_off_models import OneOffHold as OneOffHold  # noqa: E402
from booking.one_off_models import OneOffMeeting as OneOffMeeting  # noqa: E402
from booking.one_off_models import OneOffTime as OneOffTime  # noqa: E402
from booking.payments import LinkPrice as LinkPrice  # noqa: E402
from booking.payments import Payment as Payment  # noqa: E402
from booking.poll_models import Poll as Poll  # noqa: E402
from booking.poll_models import PollHold as PollHold  # noqa: E402
from booking.poll_models import PollTime as PollTime  # noqa: E402
from booking.poll_models import PollVote as PollVote  # noqa: E402
from booking.routing_models import Destination as Destination  # noqa: E402
from booking.routing_models import RoutingForm as RoutingForm  # noqa: E402
from booking.routing_models import RoutingResponse as RoutingResponse  # noqa: E402
from booking.routing_models import RoutingRule as RoutingRule  # noqa: E402
