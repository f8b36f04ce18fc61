from allauth.account import views as account_views
from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import include, path
from django.views.decorators.http import require_POST

from workestra.api import api
from workestra.views.favicon import favicon
from workestra.views.invitations import invitation_page
from workestra.views.profile import profile
from workestra.views.sso import sso_start


def home(request):
    return redirect("booking:link-list" if request.user.is_authenticated else "login")


urlpatterns = [
    path("", home, name="home"),
    path("favicon.ico", favicon, name="favicon"),
    # The account pages are allauth's under /accounts/; sign-in and sign-out keep their addresses.
    path("login", account_views.LoginView.as_view(), name="login"),
    path("logout", require_POST(account_views.LogoutView.as_view()), name="logout"),
    path("", include("integrations.calendars.urls_signin")),  # Continue with Google/Microsoft
    path("accounts/sso", sso_start, name="sso-start"),
    path("accounts/", include("allauth.urls")),
    path("settings/profile", profile, name="profile"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("scim/v2/", include("workestra.scim.urls")),
    path("invite/<str:token>", invitation_page, name="invitation"),
    path("", include("workestra.urls_members")),
    path("", include("booking.urls")),
    path("", include("booking.urls_calendar")),
    path("", include("booking.urls_payments")),
    path("", include("crm.urls")),
    path("", include("workflows.urls")),
    path("", include("workflows.urls_webhooks")),
    path("", include("workflows.urls_sms")),
    path("", include("integrations.calendars.urls")),
    path("", include("integrations.crm_accounts.urls")),
]

if settings.BENCH_VIEWS:  # the yardstick of ``manage.py bench_serving``; off unless asked for
    from bench.views import trivial

    urlpatterns.append(path("bench/trivial", trivial))
