from django.urls import path

from workflows import views_sms

app_name = "sms"

urlpatterns = [
    path("settings/sms", views_sms.sms_settings, name="settings"),
    path("integrations/twilio/sms", views_sms.inbound, name="inbound"),
    path("integrations/twilio/sms/status", views_sms.status, name="status"),
]
