from __future__ import annotations

from django.urls import path

from integrations.calendars import signin_views

urlpatterns = [
    path("accounts/with/<str:provider_key>/start", signin_views.start, name="signin_start"),
    path(
        "accounts/with/<str:provider_key>/callback",
        signin_views.callback,
        name="signin_callback",
    ),
]
