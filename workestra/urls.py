from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import include, path

from workestra.api import api
from workestra.views.invitations import invitation_page


def home(request):
    return redirect("booking:link-list" if request.user.is_authenticated else "login")


urlpatterns = [
    path("", home, name="home"),
    path("login", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("invite/<str:token>", invitation_page, name="invitation"),
    path("", include("workestra.urls_members")),
    path("", include("booking.urls")),
    path("", include("booking.urls_calendar")),
    path("", include("workflows.urls")),
    path("", include("workflows.urls_webhooks")),
    path("", include("workflows.urls_sms")),
    path("", include("integrations.calendars.urls")),
]
