"""Stripe's webhook: the signature first, then each event acted on exactly once.

The app that owns the data passes ``on_event(workspace_id, event)`` (see ``urls.py``); it runs
in the same transaction that records the event id, so a replay finds the id and changes nothing,
and a handler that fails stores nothing (Stripe delivers the event again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations.models import StripeAccount, StripeEvent
from integrations.stripe import client
from workestra.lib import crypto

logger = logging.getLogger(__name__)

OnEvent = Callable[[int, dict[str, Any]], None]


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, public_id: str, on_event: OnEvent) -> HttpResponse:
    account = StripeAccount.objects.filter(public_id=public_id).first()
    if account is None:
        return HttpResponse("Unknown webhook.", status=404, content_type="text/plain")
    try:
        secret = account.webhook_secret
        event = client.event_verify(
            request.body, request.headers.get("Stripe-Signature", ""), secret
        )
    except (client.BadSignature, crypto.MissingKey, crypto.Undecryptable):
        return HttpResponse("Invalid signature.", status=400, content_type="text/plain")
    event_id = str(event.get("id", ""))
    if not event_id:
        return HttpResponse("No event id.", status=400, content_type="text/plain")
    try:
        with transaction.atomic():
            StripeEvent.objects.create(
                account=account, event_id=event_id, event_type=str(event.get("type", ""))[:100]
            )
            on_event(account.workspace_id, event)
    except IntegrityError:
        if not StripeEvent.objects.filter(account=account, event_id=event_id).exists():
            raise
        logger.info("Stripe event %s was already processed", event_id)
    return HttpResponse("OK", content_type="text/plain")
