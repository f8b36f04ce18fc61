"""Single sign-on: people at a workspace's domain sign in through its OIDC or SAML identity
provider (a real OIDC provider on a local port; a SAML IdP signing with xmlsec), join the
workspace on their first sign-in, and cannot get around it with a password or another provider."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from cryptography.fernet import Fernet
from django.test import Client

from tests.factories import MembershipFactory
from tests.workestra.sso_idp import SamlIdp, oidc_provider
from workestra.models import Membership, SsoConnection, User
from workestra.sso.services import sso_connection_save


@pytest.fixture(autouse=True)
def _sso_settings(settings):
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    settings.SSO_ALLOW_LOOPBACK = True
    settings.PUBLIC_BASE_URL = "http://testserver"


@pytest.fixture(scope="module")
def idp():
    with oidc_provider() as provider:
        yield provider


def callback_uri(workspace) -> str:
    return f"http://testserver/accounts/oidc/workspace-{workspace.pk}/login/callback/"


@pytest.fixture
def oidc(business, owner, idp):
    client_id, secret = idp.register(callback_uri(business))
    values = {
        "domain": "acme.test",
        "protocol": "oidc",
        "required": True,
        "oidc_issuer": idp.issuer,
        "oidc_client_id": client_id,
    }
    return sso_connection_save(workspace=business, by=owner, values=values, secret=secret)


def start(client: Client, email: str):
    answer = client.post("/accounts/sso", {"email": email})
    assert answer.status_code == 302, answer.content.decode()[:800]
    return answer["Location"]


def sign_in_oidc(idp, email: str, client: Client | None = None, **claims) -> tuple[Client, object]:
    client = client or Client()
    authorize_url = start(client, email)
    idp.set_user(email, email=email, **claims)
    back = urlsplit(idp.authorize(authorize_url, email))
    answer = client.get(back.path, parse_qs(back.query), follow=True)
    return client, answer


def test_a_new_person_signs_up_through_oidc_and_joins_the_workspace_as_a_member(oidc, idp):
    client, answer = sign_in_oidc(idp, "nia@acme.test", name="Nia New")

    user = User.objects.get(email="nia@acme.test")
    assert user.name == "Nia New"
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user)
    assert (membership.workspace_id, membership.role) == (oidc.workspace_id, "member")
    assert EmailAddress.objects.get(user=user).verified
    assert answer.wsgi_request.user == user
    assert client.get("/settings/profile").status_code == 200


def test_the_authorize_request_carries_a_pkce_challenge_and_a_state(oidc):
    query = parse_qs(urlsplit(start(Client(), "nia@acme.test")).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["state"][0]
    assert query["client_id"] == [oidc.oidc_client_id]


def test_an_existing_member_is_linked_and_lands_in_the_sso_workspace(oidc, idp, teammate):
    MembershipFactory(user=teammate, role=Membership.Role.OWNER)  # a workspace of their own too
    client, answer = sign_in_oidc(idp, teammate.email)

    assert answer.wsgi_request.user == teammate
    assert teammate.socialaccount_set.get().provider == oidc.provider_key
    assert client.session["workspace_id"] == oidc.workspace_id
    assert User.objects.filter(email=teammate.email).count() == 1


def test_a_password_set_on_an_unproven_address_stops_working_once_the_idp_vouches(oidc, idp):
    squatter = User.objects.create_user(email="nia@acme.test", password="squatters password")
    EmailAddress.objects.create(user=squatter, email=squatter.email, verified=False, primary=True)
    _, answer = sign_in_oidc(idp, "nia@acme.test")

    squatter.refresh_from_db()
    assert answer.wsgi_request.user == squatter
    assert EmailAddress.objects.get(user=squatter).verified
    assert not squatter.has_usable_password()


def test_an_address_outside_the_domain_is_refused(oidc, idp):
    client = Client()
    authorize_url = start(client, "nia@acme.test")
    idp.set_user("mallory", email="mallory@evil.test")
    back = urlsplit(idp.authorize(authorize_url, "mallory"))
    answer = client.get(back.path, parse_qs(back.query))

    assert answer.status_code == 403
    assert "can only sign in addresses at acme.test" in answer.content.decode()
    assert not User.objects.filter(email="mallory@evil.test").exists()


def test_a_member_deactivated_by_provisioning_is_refused(oidc, idp, teammate):
    Membership.objects.filter(user=teammate).update(deactivated_at=oidc.created_at)
    teammate.is_active = False
    teammate.save(update_fields=["is_active"])
    _, answer = sign_in_oidc(idp, teammate.email)

    assert answer.status_code == 403
    assert "deactivated" in answer.content.decode()
    assert not answer.wsgi_request.user.is_authenticated


def test_an_unknown_domain_is_told_to_use_a_password(oidc):
    answer = Client().post("/accounts/sso", {"email": "ann@elsewhere.test"})
    assert answer.status_code == 400
    assert "No workspace signs in elsewhere.test addresses with SSO" in answer.content.decode()


@pytest.mark.parametrize("value", ["", "not an address", "a@" + "b" * 300 + ".test"])
def test_the_sso_start_form_refuses_bad_addresses(oidc, value):
    answer = Client().post("/accounts/sso", {"email": value})
    assert answer.status_code == 400


def test_an_unreachable_provider_is_a_clear_error_not_a_crash(business, owner):
    values = {
        "domain": "acme.test",
        "protocol": "oidc",
        "oidc_issuer": "http://127.0.0.1:9",
        "oidc_client_id": "x",
    }
    sso_connection_save(workspace=business, by=owner, values=values, secret="s")
    answer = Client().post("/accounts/sso", {"email": "nia@acme.test"})
    assert answer.status_code == 200
    assert "could not be reached" in answer.content.decode()


# --- No way around the IdP ---------------------------------------------------------------------


def test_password_login_is_refused_for_a_required_domain_and_points_to_sso(oidc, teammate):
    answer = Client().post("/login", {"login": teammate.email, "password": "correct horse battery"})
    body = answer.content.decode()
    assert answer.status_code == 200
    assert "sign in through your company" in body
    assert "/accounts/sso?email=mate%40acme.test" in body
    assert "_auth_user_id" not in Client().session


def test_the_owner_keeps_a_password_so_a_broken_idp_cannot_lock_the_workspace_out(oidc, owner):
    answer = Client().post("/login", {"login": owner.email, "password": "correct horse battery"})
    assert answer.status_code == 302


def test_sign_up_and_password_reset_are_refused_for_a_required_domain(oidc, teammate):
    answer = Client().post(
        "/accounts/signup/",
        {"email": "newbie@acme.test", "password1": "a long enough passphrase 42"},
    )
    assert answer.status_code == 200
    assert "Your account is made when you first sign in" in answer.content.decode()
    assert not User.objects.filter(email="newbie@acme.test").exists()

    answer = Client().post("/accounts/password/reset/", {"email": teammate.email})
    assert "There is no password to reset" in answer.content.decode()


def test_an_optional_connection_leaves_passwords_working(oidc, teammate):
    SsoConnection.objects.filter(pk=oidc.pk).update(required=False)
    answer = Client().post("/login", {"login": teammate.email, "password": "correct horse battery"})
    assert answer.status_code == 302


# --- SAML -------------------------------------------------------------------------------------


# python3-saml wants a dotted host in the URLs it signs for, and reads the Host header.
SP_HOST = "sp.workestra.test"


@pytest.fixture
def saml(business, owner, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, SP_HOST]
    idp = SamlIdp()
    values = {
        "domain": "acme.test",
        "protocol": "saml",
        "required": True,
        "saml_entity_id": idp.entity_id,
        "saml_sso_url": idp.sso_url,
        "saml_certificate": idp.certificate,
    }
    sso_connection_save(workspace=business, by=owner, values=values)
    return idp


def saml_round_trip(idp: SamlIdp, email: str, **options):
    client = Client(HTTP_HOST=SP_HOST)
    redirect_url = start(client, email)
    assert redirect_url.startswith(idp.sso_url)
    form = idp.respond(redirect_url, email, **options)
    answer = client.post(form.pop("acs"), form, follow=True)
    return client, answer


def test_a_signed_saml_assertion_signs_a_new_person_in(saml):
    _, answer = saml_round_trip(saml, "sam@acme.test", name="Sam Saml")

    user = User.objects.get(email="sam@acme.test")
    assert answer.wsgi_request.user == user
    assert user.name == "Sam Saml"
    assert Membership.objects.get(user=user).role == "member"


def test_an_unsigned_saml_assertion_is_refused(saml):
    _, answer = saml_round_trip(saml, "sam@acme.test", sign=False)

    assert not answer.wsgi_request.user.is_authenticated
    assert not User.objects.filter(email="sam@acme.test").exists()


def test_a_saml_assertion_signed_by_another_key_is_refused(saml):
    forger = SamlIdp()
    client = Client(HTTP_HOST=SP_HOST)
    form = forger.respond(start(client, "sam@acme.test"), "sam@acme.test")
    answer = client.post(form.pop("acs"), form, follow=True)

    assert not answer.wsgi_request.user.is_authenticated
    assert not User.objects.filter(email="sam@acme.test").exists()


def test_the_sp_metadata_is_served_for_the_idp(saml, business):
    answer = Client(HTTP_HOST=SP_HOST).get(f"/accounts/saml/workspace-{business.pk}/metadata/")
    assert answer.status_code == 200
    assert b"AssertionConsumerService" in answer.content


def test_google_sign_in_is_refused_for_a_required_domain(oidc):
    from integrations.calendars import signin
    from integrations.calendars.provider import Grant

    grant = Grant.__new__(Grant)
    object.__setattr__(grant, "account", "newbie@acme.test")
    object.__setattr__(grant, "email_verified", True)
    with pytest.raises(signin.SigninRefused, match="single sign-on"):
        signin.user_for_grant(grant, label="Google")
    assert not User.objects.filter(email="newbie@acme.test").exists()
