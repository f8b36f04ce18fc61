"""Stripe's webhook URL, wired to the handler of the app whose data the events change.

The app includes ``payment_webhooks(on_event=…)`` in its own URL namespace; the path is
``/integrations/stripe/webhook/<public id of the workspace's Stripe account>`` (name ``webhook``).
"""

from __future__ import annotations

from django.urls import URLPattern, path

from integrations.stripe import views


def payment_webhooks(*, on_event: views.OnEvent) -> list[URLPattern]:
    return [
        path(
            "integrations/stripe/webhook/<str:public_id>",
            views.webhook,
            {"on_event": on_event},
            name="webhook",
        ),
    ]
