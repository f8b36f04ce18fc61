from django.urls import path

from workestra.scim import groups, views

app_name = "scim"

urlpatterns = [
    path("ServiceProviderConfig", views.service_provider_config, name="config"),
    path("ResourceTypes", views.resource_types, name="resource-types"),
    path("Schemas", views.schemas, name="schemas"),
    path("Users", views.users, name="users"),
    path("Users/<str:pk>", views.user, name="user"),
    path("Groups", groups.groups, name="groups"),
    path("Groups/<str:pk>", groups.group, name="group"),
]
