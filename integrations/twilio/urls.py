"""Twilio's webhook URLs, wired to the handlers of the app that sends the texts.

The app includes them in its own URL namespace, e.g.
``sms_webhooks(on_message=sms.handle_inbound, on_status=sms.record_status)`` gives
``/integrations/twilio/sms`` (name ``inbound``) and ``/integrations/twilio/sms/status``
(name ``status``).
"""

from __future__ import annotations

from django.urls import URLPattern, path

from integrations.twilio import views


def sms_webhooks(*, on_message: views.OnMessage, on_status: views.OnStatus) -> list[URLPattern]:
    return [
        path(
            "integrations/twilio/sms",
            views.inbound,
            {"on_message": on_message},
            name="inbound",
        ),
        path(
            "integrations/twilio/sms/status",
            views.status,
            {"on_status": on_status},
            name="status",
        ),
    ]
