"""``{% signin_providers as providers %}``: the providers a visitor may sign in with (those set
up on this server), for the login and sign-up pages."""

from __future__ import annotations

from django import template

from integrations.calendars import provider as providers
from integrations.calendars.signin import SIGNIN_KEYS

register = template.Library()


@register.simple_tag
def signin_providers() -> list[dict[str, str]]:
    offered = []
    for key in SIGNIN_KEYS:
        try:
            client = providers.get(key)  # only these two: the login page loads no other SDK
        except KeyError:
            continue
        if client.is_configured():
            offered.append({"key": key, "label": str(client.label)})
    return offered
