"""Connected calendars: a host's account at a provider, its calendars, and the events we wrote.

Secrets (refresh tokens, passwords) are stored only encrypted (``workestra.lib.crypto``); the
``secret`` and ``access_token`` properties decrypt on read and encrypt on write.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone

from workestra.lib import crypto


class Provider(models.TextChoices):
    GOOGLE = "google", "Google Calendar"
    MICROSOFT = "microsoft", "Microsoft 365"
    CALDAV = "caldav", "iCloud / CalDAV"
    EXCHANGE = "exchange", "Exchange (on-premises)"
    ZOOM = "zoom", "Zoom"
    WEBEX = "webex", "Webex"
    GOTOMEETING = "gotomeeting", "GoTo Meeting"


class CalendarConnection(models.Model):
    """One account of one host at one provider: a calendar, or a video-conferencing account
    (which has no calendars)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Connected"
        BROKEN = "broken", "Needs reconnecting"

    workspace = models.ForeignKey("workestra.Workspace", on_delete=models.CASCADE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_connections"
    )
    provider = models.CharField(max_length=16, choices=Provider.choices)
    account = models.CharField(max_length=254)  # the email or user name shown to the host
    server_url = models.URLField(max_length=500, blank=True)  # CalDAV / EWS endpoint
    username = models.CharField(max_length=254, blank=True)
    secret_encrypted = models.TextField(blank=True)  # refresh token or password
    access_token_encrypted = models.TextField(blank=True)
    access_expires_at = models.DateTimeField(null=True, blank=True)
    scopes = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    broken_reason = models.CharField(max_length=500, blank=True)
    broken_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["provider", "account", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "provider", "account"], name="calendar_connection_unique_account"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} · {self.account}"

    @property
    def is_broken(self) -> bool:
        return self.status == self.Status.BROKEN

    @property
    def secret(self) -> str:
        return crypto.decrypt(self.secret_encrypted)

    @secret.setter
    def secret(self, value: str) -> None:
        self.secret_encrypted = crypto.encrypt(value) if value else ""

    @property
    def access_token(self) -> str:
        return crypto.decrypt(self.access_token_encrypted)

    @access_token.setter
    def access_token(self, value: str) -> None:
        self.access_token_encrypted = crypto.encrypt(value) if value else ""

    def store_access_token(self, token: str, expires_at: datetime | None) -> None:
        """Keep a refreshed access token (providers call this after a refresh)."""
        self.access_token = token
        self.access_expires_at = expires_at
        type(self).objects.filter(pk=self.pk).update(
            access_token_encrypted=self.access_token_encrypted,
            access_expires_at=expires_at,
        )

    def store_secret(self, secret: str) -> None:
        """Keep a rotated refresh token."""
        self.secret = secret
        type(self).objects.filter(pk=self.pk).update(secret_encrypted=self.secret_encrypted)


class Calendar(models.Model):
    """One calendar of a connection: checked for conflicts or not, the receiving one or not."""

    connection = models.ForeignKey(
        CalendarConnection, on_delete=models.CASCADE, related_name="calendars"
    )
    # Denormalised from the connection so "one receiving calendar per host" is a database rule.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendars"
    )
    external_id = models.CharField(max_length=1000)
    name = models.CharField(max_length=255)
    is_primary = models.BooleanField(default=False)
    writable = models.BooleanField(default=True)
    check_conflicts = models.BooleanField(default=False)
    receives_bookings = models.BooleanField(default=False)
    # Incremental sync: Google syncToken, Graph deltaLink, CalDAV sync-token, EWS sync state.
    sync_token = models.TextField(blank=True)
    # The end of the window the token's full read covered: as days pass and links look further
    # ahead, a token reading a window that ends too early is dropped for a fresh full read.
    window_end = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    next_sync_at = models.DateTimeField(null=True, blank=True)
    sync_error = models.CharField(max_length=500, blank=True)
    # Push: a Google watch channel or a Graph subscription.
    watch_id = models.CharField(max_length=200, blank=True)
    watch_resource_id = models.CharField(max_length=500, blank=True)
    watch_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-is_primary", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "external_id"], name="calendar_unique_per_connection"
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(receives_bookings=True),
                name="calendar_one_receiving_per_user",
            ),
        ]
        indexes = [models.Index(fields=["watch_id"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.connection})"

    @property
    def busy_source(self) -> str:
        """How this calendar's rows in the busy-time cache are tagged."""
        return f"{self.connection.provider}:{self.connection_id}"


class CalendarEvent(models.Model):
    """An event we wrote into a host's calendar for a booking, and the times we last wrote.

    ``ical_uid`` is the booking's, stable across reschedules, so a reschedule updates this event in
    place. Sync compares what the provider reports with ``start``/``end`` here: our own writes echo
    back unchanged and are ignored; a host's move or delete in the calendar is a change.
    """

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="events")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ical_uid = models.CharField(max_length=255)
    external_id = models.CharField(max_length=1000)
    start = models.DateTimeField()
    end = models.DateTimeField()
    meeting_url = models.URLField(max_length=1000, blank=True)
    deleted = models.BooleanField(default=False)  # removed by us or reported gone by the provider
    updated_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "ical_uid"], name="calendar_event_one_per_host"
            ),
        ]
        indexes = [models.Index(fields=["calendar", "external_id"])]

    def __str__(self) -> str:
        return f"{self.ical_uid} in {self.calendar}"


class TwilioAccount(models.Model):
    """A workspace's own Twilio account for SMS and calls, used instead of the server's.

    The auth token is stored only encrypted; ``auth_token`` decrypts on read and encrypts on
    write.
    """

    workspace = models.OneToOneField(
        "workestra.Workspace", on_delete=models.CASCADE, related_name="twilio_account"
    )
    account_sid = models.CharField(max_length=34)
    auth_token_encrypted = models.TextField()
    from_number = models.CharField(max_length=16, db_index=True)  # E.164
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Twilio {self.account_sid} · {self.from_number}"

    @property
    def auth_token(self) -> str:
        return crypto.decrypt(self.auth_token_encrypted)

    @auth_token.setter
    def auth_token(self, value: str) -> None:
        self.auth_token_encrypted = crypto.encrypt(value)


class CrmProvider(models.TextChoices):
    HUBSPOT = "hubspot", "HubSpot"
    SALESFORCE = "salesforce", "Salesforce"


class CrmConnection(models.Model):
    """A workspace's CRM (one per provider), asked who owns a visitor's email address.

    Connected by an owner or admin through OAuth; both tokens are stored only encrypted
    (``refresh_token`` and ``access_token`` decrypt on read and encrypt on write). Salesforce
    answers at the org's own ``instance_url``.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Connected"
        BROKEN = "broken", "Needs reconnecting"

    workspace = models.ForeignKey(
        "workestra.Workspace", on_delete=models.CASCADE, related_name="crm_connections"
    )
    provider = models.CharField(max_length=16, choices=CrmProvider.choices)
    account = models.CharField(max_length=254)  # the portal or user name shown on the page
    instance_url = models.URLField(max_length=500, blank=True)
    refresh_token_encrypted = models.TextField(blank=True)
    access_token_encrypted = models.TextField(blank=True)
    access_expires_at = models.DateTimeField(null=True, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    broken_reason = models.CharField(max_length=500, blank=True)
    broken_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["provider", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "provider"], name="crm_connection_one_per_provider"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} · {self.account}"

    @property
    def is_broken(self) -> bool:
        return self.status == self.Status.BROKEN

    @property
    def refresh_token(self) -> str:
        return crypto.decrypt(self.refresh_token_encrypted)

    @refresh_token.setter
    def refresh_token(self, value: str) -> None:
        self.refresh_token_encrypted = crypto.encrypt(value) if value else ""

    @property
    def access_token(self) -> str:
        return crypto.decrypt(self.access_token_encrypted)

    @access_token.setter
    def access_token(self, value: str) -> None:
        self.access_token_encrypted = crypto.encrypt(value) if value else ""

    def store_tokens(
        self, access_token: str, expires_at: datetime | None, refresh: str = ""
    ) -> None:
        """Keep a refreshed access token (and a rotated refresh token, when one came)."""
        self.access_token = access_token
        self.access_expires_at = expires_at
        fields = {
            "access_token_encrypted": self.access_token_encrypted,
            "access_expires_at": expires_at,
        }
        if refresh:
            self.refresh_token = refresh
            fields["refresh_token_encrypted"] = self.refresh_token_encrypted
        type(self).objects.filter(pk=self.pk).update(**fields)

    def mark_broken(self, reason: str) -> None:
        """The CRM stopped accepting the connection: an admin must connect it again."""
        self.status = self.Status.BROKEN
        self.broken_reason = reason[:500]
        self.broken_at = dj_timezone.now()
        type(self).objects.filter(pk=self.pk).update(
            status=self.status, broken_reason=self.broken_reason, broken_at=self.broken_at
        )


def new_public_id() -> str:
    return secrets.token_urlsafe(16)


class StripeAccount(models.Model):
    """A workspace's Stripe account, which paid links charge through (Settings → Integrations).

    The API key (secret or restricted) and the webhook signing secret are stored only encrypted;
    ``public_id`` names the workspace in its webhook URL without revealing anything else.
    """

    workspace = models.OneToOneField(
        "workestra.Workspace", on_delete=models.CASCADE, related_name="stripe_account"
    )
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id)
    account_name = models.CharField(max_length=200, blank=True)
    api_key_encrypted = models.TextField()
    webhook_secret_encrypted = models.TextField()
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Stripe {self.account_name or self.public_id}"

    @property
    def api_key(self) -> str:
        return crypto.decrypt(self.api_key_encrypted)

    @api_key.setter
    def api_key(self, value: str) -> None:
        self.api_key_encrypted = crypto.encrypt(value)

    @property
    def webhook_secret(self) -> str:
        return crypto.decrypt(self.webhook_secret_encrypted)

    @webhook_secret.setter
    def webhook_secret(self, value: str) -> None:
        self.webhook_secret_encrypted = crypto.encrypt(value)


class StripeEvent(models.Model):
    """A webhook event already processed: Stripe delivers at least once, we act exactly once."""

    account = models.ForeignKey(StripeAccount, on_delete=models.CASCADE, related_name="events")
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=100)
    processed_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "event_id"], name="stripe_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"
