from allauth.account import views as account_views
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import include, path
from django.views.decorators.http import require_POST

from workestra import views
from workestra.api import api


def home(request):
    return redirect("booking:link-list" if request.user.is_authenticated else "login")


urlpatterns = [
    path("", home, name="home"),
    # The account pages are allauth's under /accounts/; sign-in and sign-out keep their addresses.
    path("login", account_views.LoginView.as_view(), name="login"),
    path("logout", require_POST(account_views.LogoutView.as_view()), name="logout"),
    path("accounts/", include("allauth.urls")),
    path("settings/profile", views.profile, name="profile"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("booking.urls")),
    path("", include("booking.urls_calendar")),
    path("", include("workflows.urls")),
    path("", include("workflows.urls_webhooks")),
    path("", include("workflows.urls_sms")),
    path("", include("integrations.calendars.urls")),
]
