from __future__ import annotations

from django.urls import path

from integrations.calendars import views
from integrations.stripe import settings_views as stripe
from integrations.twilio import settings_views as twilio

app_name = "integrations"

urlpatterns = [
    path("settings/integrations", views.integrations_settings, name="settings"),
    path("settings/integrations/calendars", views.preferences, name="preferences"),
    path("settings/integrations/twilio", twilio.save, name="twilio_save"),
    path("settings/integrations/twilio/remove", twilio.remove, name="twilio_remove"),
    path("settings/integrations/stripe", stripe.save, name="stripe_save"),
    path("settings/integrations/stripe/remove", stripe.remove, name="stripe_remove"),
    path(
        "settings/integrations/connections/<int:pk>/disconnect",
        views.disconnect,
        name="disconnect",
    ),
    path("settings/integrations/<str:provider_key>/connect", views.connect, name="connect"),
    path("settings/integrations/<str:provider_key>/callback", views.callback, name="callback"),
]
