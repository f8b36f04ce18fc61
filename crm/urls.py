from django.urls import path

from crm import views

app_name = "crm"

urlpatterns = [
    path("crm/contacts", views.contact_list, name="contact-list"),
    path("crm/contacts/<int:pk>", views.contact_detail, name="contact-detail"),
    path("crm/contacts/<int:pk>/schedule", views.schedule_call, name="schedule-call"),
    path("crm/deals", views.deal_list, name="deal-list"),
    path("crm/deals/<int:pk>", views.deal_detail, name="deal-detail"),
]
