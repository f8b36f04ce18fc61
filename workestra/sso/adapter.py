"""allauth's social adapter, fed by the workspaces' SSO connections.

Each ``SsoConnection`` becomes an unsaved ``SocialApp`` of allauth's ``openid_connect`` or
``saml`` provider, named by ``connection.provider_key``; nothing is kept in allauth's app table
or in settings. The IdP is trusted for its own domain only: an address it names at another
domain is refused, and an address at its domain counts as verified.
"""

from __future__ import annotations

import functools
from typing import Any

import requests
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import render
from onelogin.saml2.errors import OneLogin_Saml2_Error

from workestra.lib import guarded_requests, outbound
from workestra.models import Membership, SsoConnection, User
from workestra.sso import selectors
from workestra.sso.services import sso_address_vouch, sso_member_join

# What starting a sign-in can raise when the IdP is down or its settings cannot work.
START_ERRORS = (
    requests.RequestException,
    outbound.Refused,
    outbound.Unresolved,
    OneLogin_Saml2_Error,
    ValueError,
)
REQUEST_TIMEOUT = 10  # seconds for each call to the IdP (discovery, token, keys, user info)
SAML_EMAIL_ATTRIBUTES = [
    "email",
    "mail",
    "urn:oid:0.9.2342.19200300.100.1.3",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
]
SAML_NAME_ATTRIBUTES = [
    "name",
    "displayName",
    "urn:oid:2.16.840.1.113730.3.1.241",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
]


def app_for(connection: SsoConnection) -> SocialApp:
    """The allauth app that signs in through ``connection``."""
    key = connection.provider_key
    if connection.protocol == SsoConnection.Protocol.OIDC:
        return SocialApp(
            provider="openid_connect",
            provider_id=key,
            name=connection.workspace.name,
            client_id=connection.oidc_client_id,
            secret=connection.oidc_client_secret,
            settings={"server_url": connection.oidc_issuer, "oauth_pkce_enabled": True},
        )
    return SocialApp(
        provider="saml",
        provider_id=key,
        name=connection.workspace.name,
        client_id=key,
        settings={
            "idp": {
                "entity_id": connection.saml_entity_id,
                "sso_url": connection.saml_sso_url,
                "x509cert": connection.saml_certificate,
            },
            "attribute_mapping": {
                "uid": ["urn:oasis:names:tc:SAML:attribute:subject-id"],
                "email": SAML_EMAIL_ATTRIBUTES,
                "name": SAML_NAME_ATTRIBUTES,
            },
            "use_nameid_for_email": True,
            "advanced": {
                "strict": True,
                "want_assertion_signed": True,
                "reject_idp_initiated_sso": True,
            },
        },
    )


def connection_of(sociallogin: SocialLogin) -> SsoConnection | None:
    return selectors.connection_for_key(sociallogin.account.provider or "")


def refused(request: HttpRequest, message: str) -> ImmediateHttpResponse:
    response = render(request, "account/sso_refused.html", {"message": message}, status=403)
    return ImmediateHttpResponse(response)


class SsoAdapter(DefaultSocialAccountAdapter):
    def list_apps(
        self, request: HttpRequest | None, provider: str | None = None, client_id: str | None = None
    ) -> list[SocialApp]:
        """Only asked for one connection at a time: by key, or by protocol and key."""
        key = client_id if provider in ("saml", "openid_connect") else provider
        if not key:
            return []
        connection = selectors.connection_for_key(key)
        if connection is None:
            return []
        app = app_for(connection)
        if provider not in (None, key, app.provider) or client_id not in (None, app.client_id):
            return []
        return [app]

    def get_requests_session(self) -> Any:
        """The IdP is reached on public addresses only (loopback when the deployment says so)."""
        session = guarded_requests.session(loopback_ok=lambda: settings.SSO_ALLOW_LOOPBACK)
        session.request = functools.partial(_guarded_request, session.request)  # type: ignore[method-assign]
        return session

    def is_email_verified(self, provider: Any, email: str) -> bool:
        connection = selectors.connection_for_key(getattr(provider, "sub_id", "") or "")
        return connection is not None and selectors.domain_of(email) == connection.domain

    def authenticate_by_email(self, sociallogin: SocialLogin) -> tuple[Any, str] | None:
        """The IdP owns its domain: its address finds the account even where the address was
        never verified (allauth then wipes that account's password, set by someone who never
        proved they own the address)."""
        connection = connection_of(sociallogin)
        email = (sociallogin.user.email if sociallogin.user else "") or ""
        if connection is None or selectors.domain_of(email) != connection.domain:
            return None
        user = User.objects.filter(email__iexact=email).first()
        return (user, email) if user is not None else None

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return connection_of(sociallogin) is not None

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        connection = connection_of(sociallogin)
        if connection is None:
            raise refused(request, "This sign-in is not set up any more. Ask your workspace owner.")
        email = (sociallogin.user.email if sociallogin.user else "") or ""
        if selectors.domain_of(email) != connection.domain:
            raise refused(
                request,
                f"Your identity provider signed you in as {email or 'an unnamed account'}, "
                f"but it can only sign in addresses at {connection.domain}.",
            )
        user = sociallogin.user if sociallogin.is_existing else None
        if user is not None and _switched_off(user, connection):
            raise refused(request, "Your account in this workspace is deactivated.")
        if user is not None:
            sso_address_vouch(user=user)

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: Any) -> Any:
        user = super().populate_user(request, sociallogin, data)
        user.email = (user.email or "").strip().lower()
        name = data.get("name") or " ".join(
            part for part in (data.get("first_name"), data.get("last_name")) if part
        )
        user.name = (name or "")[:120]
        return user

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form: Any = None) -> Any:
        user = super().save_user(request, sociallogin, form)
        connection = connection_of(sociallogin)
        if connection is not None:
            sso_member_join(connection=connection, user=user)
        return user


def _guarded_request(request: Any, *args: Any, **kwargs: Any) -> Any:
    """A refused or unknown IdP host is a failed request to allauth (which shows its error
    page), never an exception it does not expect."""
    kwargs.setdefault("timeout", REQUEST_TIMEOUT)
    try:
        return request(*args, **kwargs)
    except (outbound.Refused, outbound.Unresolved) as exc:
        raise requests.ConnectionError(str(exc)) from exc


def _switched_off(user: User, connection: SsoConnection) -> bool:
    if not user.is_active:
        return True
    return Membership.objects.filter(
        user=user, workspace_id=connection.workspace_id, deactivated_at__isnull=False
    ).exists()
