"""Continue with Google / Microsoft on the login and sign-up pages, against the fakes."""

from __future__ import annotations

import ssl
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.messages import get_messages

from integrations.models import CalendarConnection, Provider
from tests.factories import MembershipFactory
from tests.integrations import fake_google as google_server
from tests.integrations import fixtures_google
from tests.integrations.fixtures_microsoft import fake_microsoft_fixture
from workestra.models import Membership, User

fake_google = fixtures_google.fake_google
fake_microsoft = fake_microsoft_fixture

pytestmark = pytest.mark.django_db


def start(client, provider: str, connect_calendar: bool = True):
    data = {"connect_calendar": "on"} if connect_calendar else {}
    response = client.post(f"/accounts/with/{provider}/start", data)
    assert response.status_code == 302
    return response["Location"]


def consent(authorize_url: str, verify: ssl.SSLContext | bool = True) -> str:
    """The browser at the provider: it signs in and is sent back; our callback path + query."""
    answer = httpx.get(authorize_url, verify=verify, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["location"])
    return f"{back.path}?{back.query}"


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def signed_in_as(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def test_the_pages_offer_only_the_configured_providers(client, db, fake_google, settings):
    settings.MICROSOFT_CLIENT_ID = ""
    for page in ("/login", "/accounts/signup/"):
        html = client.get(page).content.decode()
        assert "Continue with Google" in html
        assert "Continue with Microsoft" not in html


def test_a_new_user_via_google_gets_a_workspace_onboarding_and_the_calendar(client, fake_google):
    fake_google.signed_in = "new.host@gmail.test"

    response = client.get(consent(start(client, "google")))

    assert response.status_code == 302
    assert response["Location"] == "/onboarding"
    user = User.objects.get(email="new.host@gmail.test")
    assert signed_in_as(client) == user.pk
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    membership = Membership.objects.get(user=user)
    assert membership.role == Membership.Role.OWNER
    connection = CalendarConnection.objects.get(user=user)
    assert connection.provider == Provider.GOOGLE
    assert connection.workspace == membership.workspace
    assert connection.account == "new.host@gmail.test"
    assert connection.secret.startswith("1//refresh-")  # decrypted on read ...
    raw = CalendarConnection.objects.filter(pk=connection.pk).values_list(
        "secret_encrypted", flat=True
    )
    assert "1//refresh-" not in str(raw[0])  # ... and stored encrypted
    assert connection.calendars.exists()
    assert client.get("/onboarding").status_code == 200


def test_without_the_calendar_box_only_the_account_is_made(client, fake_google):
    fake_google.signed_in = "quiet@gmail.test"

    client.get(consent(start(client, "google", connect_calendar=False)))

    assert User.objects.filter(email="quiet@gmail.test").exists()
    assert not CalendarConnection.objects.exists()


def test_an_existing_user_logs_in_via_microsoft(client, fake_microsoft):
    user = MembershipFactory(user__email=fake_microsoft.signed_in).user
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    response = client.get(
        consent(
            start(client, "microsoft"),
            verify=ssl.create_default_context(cafile=fake_microsoft.ca_file),
        )
    )

    assert response.status_code == 302
    assert response["Location"] != "/onboarding"
    assert signed_in_as(client) == user.pk
    assert User.objects.count() == 1
    assert Membership.objects.filter(user=user).count() == 1
    assert user.check_password("correct horse battery")  # their password still works
    assert CalendarConnection.objects.get(user=user).provider == Provider.MICROSOFT


def test_a_replayed_callback_is_refused(client, fake_google):
    callback = consent(start(client, "google"))
    client.get(callback)
    client.post("/logout")
    users = User.objects.count()

    response = client.get(callback)

    assert response["Location"] == "/login"
    assert any("couldn't confirm" in t for t in texts(response))
    assert signed_in_as(client) is None
    assert User.objects.count() == users


def test_a_callback_started_in_another_browser_is_refused(client, fake_google):
    from django.test import Client

    callback = consent(start(Client(), "google"))

    response = client.get(callback)

    assert response["Location"] == "/login"
    assert signed_in_as(client) is None
    assert not User.objects.exists()


def test_a_state_that_does_not_match_is_refused(client, fake_google):
    callback = consent(start(client, "google"))
    query = parse_qs(urlsplit(callback).query)

    response = client.get(
        "/accounts/with/google/callback", {"code": query["code"][0], "state": "forged"}
    )

    assert response["Location"] == "/login"
    assert not User.objects.exists()
    assert fake_google.token_requests("authorization_code") == []


def test_access_denied_explains_and_creates_nothing(client, fake_google):
    location = start(client, "google")
    state = parse_qs(urlsplit(location).query)["state"][0]

    response = client.get(
        "/accounts/with/google/callback", {"error": "access_denied", "state": state}
    )

    assert response["Location"] == "/login"
    assert any("didn't finish signing in at Google" in t for t in texts(response))
    assert not User.objects.exists() and not CalendarConnection.objects.exists()
    assert signed_in_as(client) is None


def test_an_unverified_google_address_does_not_take_over_an_account(client, fake_google):
    owner = MembershipFactory(user__email="taken@gmail.test").user
    fake_google.signed_in = "taken@gmail.test"
    fake_google.email_verified = False

    response = client.get(consent(start(client, "google")))

    assert response["Location"] == "/login"
    assert any("did not confirm" in t for t in texts(response))
    assert signed_in_as(client) is None
    assert not CalendarConnection.objects.exists()
    assert User.objects.count() == 1
    owner.refresh_from_db()
    assert owner.check_password("correct horse battery")


def test_an_unconfirmed_password_sign_up_loses_its_password_to_the_address_owner(
    client, fake_google
):
    squatter = User.objects.create_user(email="mine@gmail.test", password="set by someone else")
    EmailAddress.objects.create(user=squatter, email=squatter.email, verified=False, primary=True)
    fake_google.signed_in = "mine@gmail.test"

    client.get(consent(start(client, "google")))

    squatter.refresh_from_db()
    assert signed_in_as(client) == squatter.pk
    assert not squatter.check_password("set by someone else")
    assert EmailAddress.objects.get(user=squatter).verified


def test_an_account_with_mfa_is_asked_for_its_code_and_connects_nothing_yet(client, fake_google):
    owner = MembershipFactory(user__email=google_server.ACCOUNT).user
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    Authenticator.objects.create(user=owner, type=Authenticator.Type.TOTP, data={"secret": "x"})

    response = client.get(consent(start(client, "google")))

    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert signed_in_as(client) is None
    assert not CalendarConnection.objects.exists()
    assert any("Settings → Integrations" in t for t in texts(response))
    assert client.get("/accounts/2fa/authenticate/").status_code == 200


@pytest.mark.parametrize("provider", ["zoom", "caldav", "nope"])
def test_only_google_and_microsoft_sign_in(client, db, provider):
    assert client.post(f"/accounts/with/{provider}/start").status_code == 404


def test_a_signed_in_host_is_not_sent_to_sign_in_again(client, fake_google):
    host = MembershipFactory().user
    client.force_login(host)

    response = client.post("/accounts/with/google/start", {"connect_calendar": "on"})

    assert response["Location"] == "/"
    assert not [k for k, _v in client.session.items() if k.startswith("calendar_oauth:")]
    assert signed_in_as(client) == host.pk
