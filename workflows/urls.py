from django.urls import path

from workflows import views

app_name = "workflows"

urlpatterns = [
    path("calendar/workflows", views.workflow_list, name="list"),
    path("calendar/workflows/new", views.workflow_new, name="new"),
    path("calendar/workflows/new/blank", views.workflow_create, name="create"),
    path("calendar/workflows/<int:pk>", views.workflow_edit, name="edit"),
    path("calendar/workflows/<int:pk>/toggle", views.workflow_toggle, name="toggle"),
    path("calendar/workflows/<int:pk>/delete", views.workflow_delete, name="delete"),
    path("calendar/workflows/<int:pk>/test", views.workflow_test, name="test"),
    path("calendar/workflows/<int:pk>/runs", views.workflow_runs, name="runs"),
]
