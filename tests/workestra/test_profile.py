"""/settings/profile and the account pages it links to, in the app's layout."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.conftest import login
from workflows import outbox

PASSWORD = "correct horse battery"  # what UserFactory sets


def test_profile_saves_name_and_zone(owner_client, owner):
    response = owner_client.post(
        "/settings/profile", {"name": "Olive Owner", "timezone": "America/New_York"}
    )

    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.name, owner.timezone) == ("Olive Owner", "America/New_York")
    assert "Profile saved." in owner_client.get("/settings/profile").content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "x", "timezone": "Mars/Base"}, "Select a valid choice"),
        ({"name": "x", "timezone": "localtime"}, "Select a valid choice"),
        ({"name": "x"}, "This field is required"),
        ({"name": "x" * 121, "timezone": "UTC"}, "at most 120 characters"),
        ({"name": "a\x00b", "timezone": "UTC"}, "Null characters are not allowed"),
    ],
)
def test_profile_refuses_bad_input_with_a_message(owner_client, owner, data, message):
    before = (owner.name, owner.timezone)

    response = owner_client.post("/settings/profile", data)

    body = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in body and message in body
    owner.refresh_from_db()
    assert (owner.name, owner.timezone) == before


def test_profile_links_to_email_password_mfa_and_sessions(owner_client):
    body = owner_client.get("/settings/profile").content.decode()

    for url in (
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/accounts/sessions/",
    ):
        assert f'href="{url}"' in body
    assert 'href="/settings/profile" aria-current="page">Profile</a>' in body


def test_profile_needs_sign_in(client, db):
    assert client.get("/settings/profile")["Location"] == "/login?next=/settings/profile"


@pytest.mark.parametrize(
    "url",
    ["/accounts/email/", "/accounts/password/change/", "/accounts/2fa/", "/accounts/sessions/"],
)
def test_account_pages_use_the_app_layout(owner, url):
    client = login(owner)

    response = client.get(url)

    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="topbar"' in body and "· Workestra</title>" in body


def test_changing_the_email_address_verifies_the_new_one_through_the_outbox(client, owner):
    client.post("/login", {"login": owner.email, "password": PASSWORD})
    response = client.post("/accounts/email/", {"action_add": "", "email": "new@acme.test"})

    assert response.status_code == 302
    assert mail.outbox == []
    outbox.drain()
    assert [m.to for m in mail.outbox] == [["new@acme.test"]]
    owner.refresh_from_db()
    assert owner.email == "owner@acme.test"  # until the new address is verified


def test_the_new_address_replaces_the_old_once_verified(client, owner):
    client.post("/login", {"login": owner.email, "password": PASSWORD})
    client.post("/accounts/email/", {"action_add": "", "email": "New@Acme.test"})
    outbox.drain()
    url = re.search(r"https?://[^/\s]+(/accounts/\S+)", mail.outbox[0].body).group(1)

    client.post(url)

    owner.refresh_from_db()
    assert owner.email == "new@acme.test"
    client.post("/logout")
    client.post("/login", {"login": "new@acme.test", "password": PASSWORD})
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/accounts/email/", {"action_add": "", "email": ""}),
        ("/accounts/email/", {"action_add": "", "email": "x" * 400 + "@acme.test"}),
        ("/accounts/email/", {"action_add": "", "email": "nul\x00@acme.test"}),
        ("/accounts/email/", {"action_add": "", "email": "owner@acme.test"}),
        ("/accounts/password/change/", {}),
        (
            "/accounts/password/change/",
            {
                "oldpassword": "wrong",
                "password1": "a fresh passphrase 9",
                "password2": "a fresh passphrase 9",
            },
        ),
        (
            "/accounts/password/change/",
            {"oldpassword": PASSWORD, "password1": "x\x00" * 300, "password2": "x\x00" * 300},
        ),
    ],
)
def test_bad_input_on_the_account_forms_is_explained(client, owner, url, data):
    client.post("/login", {"login": owner.email, "password": PASSWORD})

    response = client.post(url, data)

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    owner.refresh_from_db()
    assert owner.email == "owner@acme.test" and owner.check_password(PASSWORD)
