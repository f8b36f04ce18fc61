"""/settings/sso: owners on the Business plan connect their domain's identity provider; every
wrong value is refused with a message and saves nothing."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from cryptography.fernet import Fernet
from django.core.management import call_command

from tests.factories import MembershipFactory
from tests.workestra.sso_idp import SamlIdp
from workestra.models import SsoConnection, Workspace

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture(autouse=True)
def _keys(settings):
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]


OIDC = {
    "domain": "acme.test",
    "protocol": "oidc",
    "required": "on",
    "oidc_issuer": "https://login.acme.test/realms/staff",
    "oidc_client_id": "workestra",
    "oidc_client_secret": "s3cret-value",
}


def test_the_page_shows_what_the_idp_needs(business, owner_client):
    body = owner_client.get("/settings/sso").content.decode()
    assert f"/accounts/oidc/workspace-{business.pk}/login/callback/" in body
    assert f"/accounts/saml/workspace-{business.pk}/acs/" in body


def test_an_owner_connects_oidc_and_the_secret_is_stored_encrypted(business, owner_client):
    answer = owner_client.post("/settings/sso", OIDC)
    assert answer.status_code == 302
    connection = SsoConnection.objects.get(workspace=business)
    assert (connection.domain, connection.required) == ("acme.test", True)
    assert "s3cret-value" not in connection.oidc_client_secret_encrypted
    assert connection.oidc_client_secret == "s3cret-value"

    # Saving again without a secret keeps the stored one.
    owner_client.post("/settings/sso", {**OIDC, "oidc_client_secret": "", "required": ""})
    connection.refresh_from_db()
    assert connection.oidc_client_secret == "s3cret-value"
    assert connection.required is False


def test_an_owner_connects_saml_with_a_pasted_certificate(business, owner_client):
    idp = SamlIdp()
    values = {
        "domain": "ACME.test",
        "protocol": "saml",
        "required": "on",
        "saml_entity_id": idp.entity_id,
        "saml_sso_url": idp.sso_url,
        "saml_certificate": idp.certificate,
    }
    assert owner_client.post("/settings/sso", values).status_code == 302
    connection = SsoConnection.objects.get(workspace=business)
    assert connection.domain == "acme.test"
    assert "BEGIN" not in connection.saml_certificate
    assert connection.oidc_client_secret_encrypted == ""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"domain": "not a domain"}, "Enter a domain name such as example.com."),
        ({"domain": "localhost"}, "Enter a domain name such as example.com."),
        ({"domain": "gmail.com"}, "is a public email service"),
        ({"domain": "other.test"}, "Verify an address at other.test on your profile first"),
        ({"domain": "a" * 300 + ".test"}, "Ensure this value has at most 253 characters"),
        ({"oidc_issuer": "ftp://login.acme.test"}, "Use a URL starting with https://"),
        ({"oidc_issuer": "not a url"}, "Enter a valid URL."),
        ({"oidc_issuer": "http://10.0.0.5/realm"}, "is a private address"),
        ({"oidc_issuer": "http://login.acme.test"}, "must start with https://"),
        ({"oidc_issuer": ""}, "Required for this kind of sign-on."),
        ({"oidc_client_secret": ""}, "Required for this kind of sign-on."),
        ({"protocol": "kerberos"}, "Select a valid choice"),
        ({"protocol": "saml"}, "Required for this kind of sign-on."),
    ],
)
def test_bad_values_are_refused_with_a_message(business, owner_client, change, message):
    answer = owner_client.post("/settings/sso", {**OIDC, **change})
    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert not SsoConnection.objects.exists()
    assert "Turn off single sign-on" not in answer.content.decode()


def test_a_certificate_that_is_not_one_is_refused(business, owner_client):
    values = {
        "domain": "acme.test",
        "protocol": "saml",
        "saml_entity_id": "https://idp.acme.test",
        "saml_sso_url": "https://idp.acme.test/sso",
        "saml_certificate": "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----",
    }
    answer = owner_client.post("/settings/sso", values)
    assert answer.status_code == 400
    assert "This is not a PEM certificate" in answer.content.decode()


def test_a_domain_another_workspace_signs_in_is_refused(business, owner_client, owner):
    other = MembershipFactory(workspace__plan=Workspace.Plan.BUSINESS).workspace
    SsoConnection.objects.create(workspace=other, domain="acme.test", protocol="oidc")
    answer = owner_client.post("/settings/sso", OIDC)
    assert answer.status_code == 400
    assert "acme.test already signs in through another workspace" in answer.content.decode()


def test_members_and_admins_cannot_change_it(business, teammate_client):
    assert teammate_client.get("/settings/sso").status_code == 403
    assert teammate_client.post("/settings/sso", OIDC).status_code == 403
    assert not SsoConnection.objects.exists()


def test_the_free_plan_is_told_which_plan_it_needs(workspace, owner, owner_client):
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    answer = owner_client.post("/settings/sso", OIDC)
    assert answer.status_code == 403
    assert "Single sign-on needs the Business plan." in answer.content.decode()
    assert not SsoConnection.objects.exists()


def test_turning_it_off_removes_the_connection(business, owner_client):
    owner_client.post("/settings/sso", OIDC)
    answer = owner_client.post("/settings/sso/delete")
    assert answer.status_code == 302
    assert not SsoConnection.objects.exists()


def test_key_rotation_re_encrypts_the_client_secret(business, owner_client, settings):
    owner_client.post("/settings/sso", OIDC)
    old = settings.ENCRYPTION_KEYS[0]
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old]
    call_command("rotate_encryption_key")
    settings.ENCRYPTION_KEYS = settings.ENCRYPTION_KEYS[:1]
    assert SsoConnection.objects.get().oidc_client_secret == "s3cret-value"
