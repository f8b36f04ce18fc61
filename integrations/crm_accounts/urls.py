"""``/integrations/<hubspot|salesforce>/connect``, ``/callback`` and ``/disconnect``."""

from __future__ import annotations

from django.urls import path, register_converter

from integrations.crm_accounts import registry, views


class CrmConverter:
    regex = "|".join(registry.CLIENTS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CrmConverter, "crm")

app_name = "crm_accounts"

urlpatterns = [
    path("integrations/<crm:provider>/connect", views.connect, name="connect"),
    path("integrations/<crm:provider>/callback", views.callback, name="callback"),
    path("integrations/<crm:provider>/disconnect", views.disconnect, name="disconnect"),
]
