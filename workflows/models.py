"""The scheduled-action outbox: every side effect of a state change is one of these rows.

Rows are written in the same transaction as the change they belong to, so a crash, a Redis flush
or a killed worker cannot lose one; the unique idempotency key means a retry never adds a second.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator
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
    # Closed without sending because it no longer applied (``outbox.Drop``); ``last_error`` says why.
    skipped = models.BooleanField(default=False)

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
        constraints = [
            models.CheckConstraint(
                condition=Q(skipped=False) | Q(done_at__isnull=False),
                name="outbox_skipped_is_closed",
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


class Workflow(models.Model):
    """When a trigger fires for a booking, run up to five steps in order (spec: workflows)."""

    class Trigger(models.TextChoices):
        BOOKING_CREATED = "booking_created", "Booking created"
        BOOKING_RESCHEDULED = "booking_rescheduled", "Booking rescheduled"
        BOOKING_CANCELLED = "booking_cancelled", "Booking cancelled"
        PAYMENT_RECEIVED = "payment_received", "Payment received"
        NO_SHOW = "no_show", "No-show marked"
        BEFORE_START = "before_start", "Before the meeting starts"
        AT_START = "at_start", "When the meeting starts"
        AFTER_END = "after_end", "After the meeting ends"

    TIMED = (Trigger.BEFORE_START, Trigger.AT_START, Trigger.AFTER_END)
    MAX_STEPS = 5
    MAX_OFFSET_MINUTES = 60 * 24 * 30

    workspace = models.ForeignKey("workestra.Workspace", on_delete=models.CASCADE)
    name = models.CharField(max_length=120)
    trigger = models.CharField(max_length=24, choices=Trigger.choices)
    # Before the start / after the end, for the timed triggers.
    offset_minutes = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(MAX_OFFSET_MINUTES)]
    )
    # Every link of the workspace, or only the links that list this workflow.
    all_links = models.BooleanField(default=True)
    is_enabled = models.BooleanField(default=False)
    template_key = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["workspace", "trigger", "is_enabled"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_timed(self) -> bool:
        return self.trigger in self.TIMED


class WorkflowStep(models.Model):
    class Action(models.TextChoices):
        EMAIL = "email", "Send email"
        SMS = "sms", "Send SMS"
        SLACK = "slack", "Send Slack message"
        WEBHOOK = "webhook", "Call webhook"
        VOICE = "voice", "AI voice call"
        RECONFIRM = "reconfirm", "Ask the attendee to reconfirm"

    class Recipient(models.TextChoices):
        ATTENDEE = "attendee", "The attendee"
        HOST = "host", "The host"
        ADDRESS = "address", "Another address"

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(default=0)
    action = models.CharField(max_length=16, choices=Action.choices)
    recipient = models.CharField(
        max_length=10, choices=Recipient.choices, default=Recipient.ATTENDEE
    )
    address = models.CharField(max_length=254, blank=True)  # email or phone for "address"
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True, max_length=5000)
    # Action settings: {"slack_url": …}, {"endpoint_id": …}, {"deadline_minutes": …}, …
    config = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["workflow", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.workflow}: {self.get_action_display()}"


class WorkflowRun(models.Model):
    """One step scheduled for one occurrence; its delivery state is its outbox row's."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="runs")
    step = models.ForeignKey(WorkflowStep, on_delete=models.SET_NULL, null=True, related_name="+")
    subject = models.CharField(max_length=64, blank=True)  # e.g. "booking:42"
    message = models.OneToOneField(
        OutboxMessage, on_delete=models.CASCADE, related_name="workflow_run"
    )
    is_test = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.workflow} → {self.subject}"


class WebhookEndpoint(models.Model):
    """A URL that receives signed booking events (Standard Webhooks)."""

    workspace = models.ForeignKey("workestra.Workspace", on_delete=models.CASCADE)
    url = models.URLField(max_length=2000)
    secret = models.CharField(max_length=100)  # "whsec_" + base64 key
    is_active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One attempt to deliver one message to an endpoint: the delivery log in settings."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    message_id = models.CharField(max_length=100)  # the webhook-id header, stable across retries
    event = models.CharField(max_length=40)
    request_body = models.TextField()
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint} ({self.response_status or self.error})"


class SmsOptOut(models.Model):
    """A number that replied STOP: nothing is sent to it until it replies START."""

    workspace = models.ForeignKey("workestra.Workspace", on_delete=models.CASCADE)
    phone = models.CharField(max_length=20)  # E.164
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "phone"], name="sms_opt_out_unique")
        ]

    def __str__(self) -> str:
        return self.phone


class SmsStatus(models.TextChoices):
    """Twilio's message statuses; "sending" is also ours while Twilio is being asked."""

    ACCEPTED = "accepted", "Accepted"
    SCHEDULED = "scheduled", "Scheduled"
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    UNDELIVERED = "undelivered", "Undelivered"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"
    READ = "read", "Read"


class SmsMessage(models.Model):
    Status = SmsStatus

    workspace = models.ForeignKey("workestra.Workspace", on_delete=models.CASCADE)
    to = models.CharField(max_length=20)
    body = models.TextField()
    provider_id = models.CharField(max_length=64, blank=True, db_index=True)  # Twilio SID
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SmsStatus.values), name="sms_message_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"SMS to {self.to} ({self.status})"


class SmsCredit(models.Model):
    """The per-workspace credit ledger: a grant is positive, a send -1, a refund +1 (hand-made
    corrections are grants or debits of any size).

    ``entry`` and ``key`` carry what the ledger relies on (a month is granted once, a retried send
    finds its earlier debit, a message is refunded once); ``reason`` is only for people."""

    class Entry(models.TextChoices):
        GRANT = "grant", "Monthly grant"
        DEBIT = "debit", "Send"
        REFUND = "refund", "Refund"

    workspace = models.ForeignKey("workestra.Workspace", on_delete=models.CASCADE)
    entry = models.CharField(max_length=10, choices=Entry.choices)
    # A grant's month ("2026-11") or a debit's outbox key; blank for a refund.
    key = models.CharField(max_length=200, blank=True)
    delta = models.IntegerField()
    reason = models.CharField(max_length=120)
    message = models.ForeignKey(SmsMessage, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "entry", "key"], name="sms_credit_entry_key_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(entry="grant", delta__gt=0, key__gt="")
                | Q(entry="debit", delta__lt=0, key__gt="")
                | Q(entry="refund", delta=1),
                name="sms_credit_entry_delta",
            ),
            models.UniqueConstraint(
                fields=["workspace", "key"],
                condition=Q(entry="grant"),
                name="sms_credit_one_grant_per_month",
            ),
            models.UniqueConstraint(
                fields=["message"],
                condition=Q(entry="refund"),
                name="sms_credit_one_refund_per_message",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delta:+d} {self.reason}"
