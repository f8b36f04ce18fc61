from django.urls import path

from workflows import views_webhooks as views

app_name = "webhooks"

urlpatterns = [
    path("settings/webhooks", views.webhook_list, name="list"),
    path("settings/webhooks/new", views.webhook_create, name="create"),
    path("settings/webhooks/<int:pk>/enable", views.webhook_enable, name="enable"),
    path("settings/webhooks/<int:pk>/delete", views.webhook_delete, name="delete"),
]
