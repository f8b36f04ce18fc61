"""Identity providers the SSO tests sign in through: a real OIDC provider on a local port
(``oidc-provider-mock``, built on Authlib) and a small SAML IdP that signs its assertions with
xmlsec through python3-saml, the library the service provider side uses to check them."""

from __future__ import annotations

import base64
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.utils import OneLogin_Saml2_Utils


@dataclass
class OidcProvider:
    issuer: str

    def register(self, redirect_uri: str) -> tuple[str, str]:
        """A client allowed to return to ``redirect_uri``; its id and secret."""
        answer = httpx.post(
            f"{self.issuer}/oauth2/clients",
            json={
                "redirect_uris": [redirect_uri],
                "token_endpoint_auth_method": "client_secret_post",
            },
        )
        answer.raise_for_status()
        client = answer.json()
        return client["client_id"], client["client_secret"]

    def set_user(self, sub: str, **claims: object) -> None:
        httpx.put(f"{self.issuer}/users/{sub}", json=claims).raise_for_status()

    def authorize(self, authorize_url: str, sub: str) -> str:
        """The person ``sub`` approves the sign-in; the redirect back to us, with its code."""
        answer = httpx.post(authorize_url, data={"sub": sub})
        assert answer.status_code == 302, answer.text[:500]
        return answer.headers["location"]


@contextmanager
def oidc_provider() -> Iterator[OidcProvider]:
    import oidc_provider_mock

    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # the local provider speaks plain http
    with oidc_provider_mock.run_server_in_thread(require_client_registration=True) as server:
        yield OidcProvider(issuer=f"http://localhost:{server.server_port}")


def _certificate() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.acme.test")])
    start = datetime(2020, 1, 1, tzinfo=UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365 * 20))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return key_pem, cert.public_bytes(serialization.Encoding.PEM).decode()


class SamlIdp:
    entity_id = "https://idp.acme.test/saml"
    sso_url = "https://idp.acme.test/saml/sso"

    def __init__(self) -> None:
        self.key, self.certificate = _certificate()

    def respond(self, redirect_url: str, email: str, *, sign: bool = True, name: str = "") -> dict:
        """The form the IdP posts back for the AuthnRequest in ``redirect_url``."""
        query = parse_qs(urlsplit(redirect_url).query)
        request_xml = OneLogin_Saml2_Utils.decode_base64_and_inflate(query["SAMLRequest"][0])
        request_xml = request_xml.decode() if isinstance(request_xml, bytes) else request_xml
        request_id = re.search(r'ID="([^"]+)"', request_xml).group(1)
        acs = re.search(r'AssertionConsumerServiceURL="([^"]+)"', request_xml).group(1)
        audience = re.search(r"<saml:Issuer>([^<]+)</saml:Issuer>", request_xml).group(1)
        assertion = self._assertion(request_id, acs, audience, email, name)
        if sign:
            assertion = OneLogin_Saml2_Utils.add_sign(
                assertion,
                self.key,
                self.certificate,
                sign_algorithm=OneLogin_Saml2_Constants.RSA_SHA256,
                digest_algorithm=OneLogin_Saml2_Constants.SHA256,
            )
            assertion = assertion.decode() if isinstance(assertion, bytes) else assertion
            assertion = re.sub(r"^<\?xml[^>]*\?>\s*", "", assertion)
        response = self._response(request_id, acs, assertion)
        return {
            "SAMLResponse": base64.b64encode(response.encode()).decode(),
            "RelayState": query.get("RelayState", [""])[0],
            "acs": urlsplit(acs).path,
        }

    def _assertion(self, request_id: str, acs: str, audience: str, email: str, name: str) -> str:
        now = datetime.now(UTC)
        stamp = _stamp(now)
        later = _stamp(now + timedelta(minutes=5))
        earlier = _stamp(now - timedelta(minutes=1))
        name_attribute = (
            f'<saml:Attribute Name="displayName"><saml:AttributeValue>{name}'
            "</saml:AttributeValue></saml:Attribute>"
            if name
            else ""
        )
        return (
            '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
            f'ID="_{secrets.token_hex(16)}" Version="2.0" IssueInstant="{stamp}">'
            f"<saml:Issuer>{self.entity_id}</saml:Issuer>"
            "<saml:Subject>"
            '<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">'
            f"{email}</saml:NameID>"
            '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
            f'<saml:SubjectConfirmationData InResponseTo="{request_id}" '
            f'NotOnOrAfter="{later}" Recipient="{acs}"/>'
            "</saml:SubjectConfirmation></saml:Subject>"
            f'<saml:Conditions NotBefore="{earlier}" NotOnOrAfter="{later}">'
            f"<saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience>"
            "</saml:AudienceRestriction></saml:Conditions>"
            f'<saml:AuthnStatement AuthnInstant="{stamp}" SessionIndex="_{secrets.token_hex(8)}">'
            "<saml:AuthnContext><saml:AuthnContextClassRef>"
            "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
            "</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"
            '<saml:AttributeStatement><saml:Attribute Name="email">'
            f"<saml:AttributeValue>{email}</saml:AttributeValue></saml:Attribute>"
            f"{name_attribute}</saml:AttributeStatement>"
            "</saml:Assertion>"
        )

    def _response(self, request_id: str, acs: str, assertion: str) -> str:
        stamp = _stamp(datetime.now(UTC))
        return (
            '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
            'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
            f'ID="_{secrets.token_hex(16)}" Version="2.0" IssueInstant="{stamp}" '
            f'Destination="{acs}" InResponseTo="{request_id}">'
            f"<saml:Issuer>{self.entity_id}</saml:Issuer>"
            '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>'
            f"</samlp:Status>{assertion}</samlp:Response>"
        )


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
