"""Sign-up, email verification, password reset and login throttling, with every account email
going out through the outbox."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.factories import UserFactory
from workestra.models import Membership, User, Workspace
from workflows import outbox
from workflows.models import OutboxMessage

PASSWORD = "a long enough passphrase 42"
LINK = re.compile(r"https?://[^/\s]+(/accounts/\S+)")


def sign_up(client, email="ada@example.test", **extra):
    return client.post(
        "/accounts/signup/", {"email": email, "password1": PASSWORD, "name": "Ada", **extra}
    )


def link_in(message) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)


def verify(client, outbox_email) -> object:
    url = link_in(outbox_email)
    assert client.get(url).status_code == 200
    return client.post(url)


def test_sign_up_sends_the_verification_email_only_once_the_outbox_drains(client, db):
    response = sign_up(client)

    assert response.status_code == 302
    assert mail.outbox == []
    assert OutboxMessage.objects.filter(kind="account.email").count() == 1

    outbox.drain()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.test"]
    assert "Confirm" in mail.outbox[0].subject or "confirm" in mail.outbox[0].body.lower()


def test_verifying_signs_in_and_leads_to_onboarding_in_an_owned_free_workspace(client, db):
    sign_up(client, workspace="Ada Consulting")
    outbox.drain()

    response = verify(client, mail.outbox[0])

    assert response.status_code == 302
    assert response["Location"] == "/onboarding"
    user = User.objects.get(email="ada@example.test")
    assert user.name == "Ada"
    membership = Membership.objects.get(user=user)
    assert membership.role == Membership.Role.OWNER
    assert membership.workspace.name == "Ada Consulting"
    assert membership.workspace.plan == Workspace.Plan.FREE


def test_workspace_is_named_after_the_person_and_slugs_never_clash(client, db):
    sign_up(client, email="one@example.test")
    sign_up(client, email="two@example.test")

    names = sorted(Workspace.objects.values_list("name", flat=True))
    slugs = set(Workspace.objects.values_list("slug", flat=True))
    assert names == ["Ada's workspace", "Ada's workspace"]
    assert len(slugs) == 2


def test_an_unverified_address_cannot_log_in(client, db):
    sign_up(client)
    client.logout()
    outbox.drain()
    mail.outbox.clear()

    response = client.post("/login", {"login": "ada@example.test", "password": PASSWORD})

    assert "_auth_user_id" not in client.session
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"


def test_sign_up_with_a_taken_address_tells_its_owner_by_email_not_the_visitor(client, owner):
    response = client.post(
        "/accounts/signup/", {"email": owner.email.upper(), "password1": PASSWORD}
    )

    assert response.status_code == 302  # the same answer as for a new address
    assert User.objects.count() == 1
    assert Workspace.objects.count() == 1
    outbox.drain()
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert "already" in mail.outbox[0].body


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"email": "", "password1": ""},
        {"email": "not-an-email", "password1": PASSWORD},
        {"email": "a" * 330 + "@example.test", "password1": PASSWORD},
        {"email": "nul\x00@example.test", "password1": PASSWORD},
        {"email": "ok@example.test", "password1": "short"},
        {"email": "ok@example.test", "password1": PASSWORD, "name": "x" * 500},
        {"email": "ok@example.test", "password1": PASSWORD, "workspace": "x\x00y"},
    ],
)
def test_bad_sign_up_input_is_explained_and_nothing_is_created(client, db, data):
    response = client.post("/accounts/signup/", data)

    assert response.status_code in (200, 400)
    assert 'role="alert"' in response.content.decode()
    assert not User.objects.exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"login": "", "password": ""},
        {"login": "a" * 400, "password": "x"},
        {"login": "nul\x00@example.test", "password": "x"},
    ],
)
def test_bad_login_input_is_explained(client, db, data):
    response = client.post("/login", data)

    assert response.status_code in (200, 400)
    assert 'role="alert"' in response.content.decode()


# --- Password reset ---------------------------------------------------------------------------


def test_password_reset_by_email_works_once(client, owner):
    response = client.post("/accounts/password/reset/", {"email": owner.email})
    assert response.status_code == 302
    assert mail.outbox == []
    outbox.drain()
    assert len(mail.outbox) == 1
    url = link_in(mail.outbox[0])

    form_url = client.get(url)["Location"]  # the key moves to the session
    response = client.post(
        form_url, {"password1": "a brand new passphrase", "password2": "a brand new passphrase"}
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("a brand new passphrase")

    again = client.get(url, follow=True)
    assert "Bad Token" in again.content.decode() or "invalid" in again.content.decode().lower()
    owner.refresh_from_db()
    assert owner.check_password("a brand new passphrase")


def test_password_reset_for_an_unknown_address_gives_nothing_away(client, db):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.test"})

    assert response.status_code == 302
    outbox.drain()
    assert all("nobody" not in m.body or "reset" not in m.body.lower() for m in mail.outbox)


# --- Throttling -------------------------------------------------------------------------------


def test_login_is_throttled_after_repeated_failures(client, db):
    user = UserFactory(email="target@example.test")
    user.set_password(PASSWORD)
    user.save()
    for _ in range(5):
        client.post("/login", {"login": user.email, "password": "wrong"})

    response = client.post("/login", {"login": user.email, "password": PASSWORD})

    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


@pytest.mark.parametrize("url", ["/login", "/accounts/signup/", "/accounts/password/reset/"])
def test_account_pages_use_the_app_layout_with_labelled_fields(client, db, url):
    body = client.get(url).content.decode()

    assert 'class="topbar"' in body and "· Workestra</title>" in body
    assert '<label for="id_email"' in body or '<label for="id_login"' in body


@pytest.mark.parametrize(
    "data",
    [{}, {"email": ""}, {"email": "x" * 400}, {"email": "nul\x00@example.test"}, {"email": "nope"}],
)
def test_bad_reset_request_is_explained(client, db, data):
    response = client.post("/accounts/password/reset/", data)

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"password1": "a brand new passphrase", "password2": "another passphrase"},
        {"password1": "short", "password2": "short"},
        {"password1": "nul\x00 in the passphrase", "password2": "nul\x00 in the passphrase"},
    ],
)
def test_bad_new_password_is_explained_and_the_old_one_still_works(client, owner, data):
    client.post("/accounts/password/reset/", {"email": owner.email})
    outbox.drain()
    form_url = client.get(link_in(mail.outbox[0]))["Location"]

    response = client.post(form_url, data)

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    owner.refresh_from_db()
    assert owner.check_password("correct horse battery")


def test_too_many_sign_ups_from_one_address_are_refused_with_a_page_saying_so(client, db):
    for _ in range(20):
        assert client.post("/accounts/signup/", {}).status_code == 200

    response = client.post("/accounts/signup/", {})

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_emailed_links_use_the_public_address(client, owner, settings):
    settings.PUBLIC_BASE_URL = "https://cal.example.org"

    sign_up(client)
    client.post("/accounts/password/reset/", {"email": owner.email})
    outbox.drain()

    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert "https://cal.example.org/accounts/" in message.body
        assert "testserver" not in message.body
