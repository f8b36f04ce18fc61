from django.urls import path

from integrations.twilio.urls import sms_webhooks
from workflows import sms, views_sms

app_name = "sms"

urlpatterns = [
    path("settings/sms", views_sms.sms_settings, name="settings"),
    *sms_webhooks(on_message=sms.handle_inbound, on_status=sms.record_status),
]
