"""Change notifications from the hosts' calendars, wired to queue a sync of the calendar."""

from django.urls import path

from booking.calendar_sync import enqueue_sync
from integrations.calendars.webhooks import notification_view

app_name = "calendar-webhooks"

urlpatterns = [
    path(
        "api/calendar-providers/webhook/<str:provider>",
        notification_view(enqueue_sync),
        name="notify",
    ),
]
