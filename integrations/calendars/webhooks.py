"""Change notifications from Google (watch channels) and Microsoft Graph (subscriptions).

A notification only says "this calendar changed": it is checked first (a known channel and the
secret we gave it, compared in constant time), then the app's ``on_change`` queues a sync of that
calendar. Anything unknown or unsigned is refused with 403 and changes nothing. The sync reads
the changes from the provider itself, so a forged or replayed notification could at most cause
one extra read.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations.calendars.watch import secret_matches
from integrations.models import Calendar

logger = logging.getLogger(__name__)

OnChange = Callable[[Calendar], None]
MAX_BODY = 256 * 1024
MAX_VALIDATION_TOKEN = 1024


def _calendar(provider_key: str, watch_id: str) -> Calendar | None:
    if not watch_id or len(watch_id) > 200:
        return None
    return (
        Calendar.objects.select_related("connection")
        .filter(watch_id=watch_id, connection__provider=provider_key)
        .first()
    )


def google(request: HttpRequest, on_change: OnChange) -> HttpResponse:
    calendar = _calendar("google", request.headers.get("X-Goog-Channel-Id", ""))
    token = request.headers.get("X-Goog-Channel-Token", "")
    if calendar is None or not secret_matches(calendar, token):
        return HttpResponseForbidden("Unknown channel.")
    if request.headers.get("X-Goog-Resource-State") != "sync":  # "sync" only opens the channel
        on_change(calendar)
    return HttpResponse(status=200)


def microsoft(request: HttpRequest, on_change: OnChange) -> HttpResponse:
    validation = request.GET.get("validationToken")
    if validation is not None:
        # Graph's handshake when a subscription is created: echo the token as plain text.
        if len(validation) > MAX_VALIDATION_TOKEN:
            return HttpResponse("Token too long.", status=400, content_type="text/plain")
        return HttpResponse(validation, content_type="text/plain")
    if len(request.body) > MAX_BODY:
        return HttpResponse("Too large.", status=413, content_type="text/plain")
    try:
        items = json.loads(request.body)["value"]
        if not isinstance(items, list):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"detail": "Expected a Graph change notification."}, status=400)
    changed: dict[int, Calendar] = {}
    for item in items:
        if not isinstance(item, dict):
            continue
        calendar = _calendar("microsoft", str(item.get("subscriptionId", "")))
        if calendar is not None and secret_matches(calendar, str(item.get("clientState", ""))):
            changed[calendar.pk] = calendar
    if not changed:
        return HttpResponseForbidden("Unknown subscription.")
    for calendar in changed.values():
        on_change(calendar)
    return HttpResponse(status=202)


VIEWS = {"google": google, "microsoft": microsoft}


def notification_view(on_change: OnChange) -> Callable[[HttpRequest, str], HttpResponse]:
    """The view for ``/api/calendar-providers/webhook/<provider>``, queueing syncs through the
    app's ``on_change``."""

    @csrf_exempt
    @require_POST
    def view(request: HttpRequest, provider: str) -> HttpResponse:
        handler = VIEWS.get(provider)
        if handler is None:
            return HttpResponse("Unknown provider.", status=404, content_type="text/plain")
        return handler(request, on_change)

    return view
