"""Push channels: Google watch channels and Microsoft Graph subscriptions, and the secret each
notification must carry.

The secret is derived from the calendar and the server's ``SECRET_KEY``, so nothing extra is
stored and a notification for another calendar (or made up) fails the check.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse

from integrations.calendars import provider as providers
from integrations.calendars.provider import ProviderError
from integrations.models import Calendar

logger = logging.getLogger(__name__)

#: Renew a channel when it has less than this left (the renewal job runs daily and more often).
RENEW_AHEAD = timedelta(days=1)
#: How long we ask a channel to live (providers may shorten it: Graph allows about three days).
LIFETIME = timedelta(days=7)


def watch_secret(calendar_pk: int) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"calendar-watch:{calendar_pk}".encode(), hashlib.sha256).hexdigest()


def secret_matches(calendar: Calendar, given: str) -> bool:
    return hmac.compare_digest(watch_secret(calendar.pk).encode(), given.encode())


def needs_renewal(calendar: Calendar, *, now: datetime) -> bool:
    return calendar.watch_expires_at is None or calendar.watch_expires_at - now < RENEW_AHEAD


def watch_address(provider_key: str) -> str:
    path = reverse("calendar-webhooks:notify", args=[provider_key])
    return settings.PUBLIC_BASE_URL + path


def watch_renew(calendar: Calendar, *, now: datetime) -> bool:
    """Open a fresh channel for ``calendar`` (closing the old one); ``False`` when the provider
    does not push. Raises :class:`ProviderError`."""
    connection = calendar.connection
    api = providers.get(connection.provider)
    if not api.can_push:
        return False
    old_id, old_resource = calendar.watch_id, calendar.watch_resource_id
    watch = api.watch(  # type: ignore[attr-defined]
        connection,
        calendar.external_id,
        address=watch_address(connection.provider),
        watch_id=secrets.token_hex(16),
        secret=watch_secret(calendar.pk),
        expires_at=now + LIFETIME,
    )
    calendar.watch_id = watch.watch_id
    calendar.watch_resource_id = watch.resource_id
    calendar.watch_expires_at = watch.expires_at
    calendar.save(update_fields=["watch_id", "watch_resource_id", "watch_expires_at"])
    if old_id:
        watch_stop(calendar, watch_id=old_id, resource_id=old_resource)
    return True


def watch_stop(calendar: Calendar, *, watch_id: str, resource_id: str) -> None:
    """Close a channel; a failure only means it expires on its own."""
    api = providers.get(calendar.connection.provider)
    try:
        api.stop_watch(calendar.connection, calendar.external_id, watch_id, resource_id)  # type: ignore[attr-defined]
    except ProviderError as exc:
        logger.info("Closing channel %s failed (%s); it will expire by itself.", watch_id, exc)
