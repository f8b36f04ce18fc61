"""Two-factor sign-in with an authenticator app (TOTP) and recovery codes."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal import auth as totp
from django.test import Client

PASSWORD = "correct horse battery"  # what UserFactory sets


def code_for(secret: str) -> str:
    counters = list(totp.yield_hotp_counters_from_time())
    return totp.format_hotp_value(totp.hotp_value(secret, counters[len(counters) // 2]))


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_with_an_authenticator_app_a_password_alone_no_longer_signs_in(client, owner):
    client.post("/login", {"login": owner.email, "password": PASSWORD})
    # Adding a second factor asks for the password again first.
    asked = client.get("/accounts/2fa/totp/activate/")
    assert asked["Location"].startswith("/accounts/reauthenticate/")
    client.post(asked["Location"], {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200 and 'class="topbar"' in page.content.decode()
    secret = client.session[totp.SECRET_SESSION_KEY]

    wrong = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert wrong.status_code == 200 and 'role="alert"' in wrong.content.decode()
    assert (
        client.post("/accounts/2fa/totp/activate/", {"code": code_for(secret)}).status_code == 302
    )
    assert Authenticator.objects.filter(user=owner, type="totp").exists()
    assert Authenticator.objects.filter(user=owner, type="recovery_codes").exists()

    client.post("/logout")
    response = client.post("/login", {"login": owner.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert not signed_in(client)

    refused = client.post("/accounts/2fa/authenticate/", {"code": "123"})
    assert refused.status_code == 200 and not signed_in(client)
    recovery = Authenticator.objects.get(user=owner, type="recovery_codes")
    code = recovery.wrap().get_unused_codes()[0]
    client.post("/accounts/2fa/authenticate/", {"code": code})
    assert signed_in(client)


def test_signing_out_other_sessions_ends_them_and_keeps_this_one(owner):
    laptop, phone = Client(), Client()
    for device in (laptop, phone):
        device.post("/login", {"login": owner.email, "password": PASSWORD})
    assert phone.get("/settings/profile").status_code == 200
    listing = laptop.get("/accounts/sessions/")
    assert listing.status_code == 200 and 'class="topbar"' in listing.content.decode()

    laptop.post("/accounts/sessions/")

    assert signed_in(laptop)
    assert phone.get("/settings/profile").status_code == 302
