"""The account forms that keep SSO-gated addresses on their IdP, and the SSO settings forms."""

from __future__ import annotations

import re
from typing import Any

from allauth.account import forms as account_forms
from cryptography import x509
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode

from workestra.lib import outbound
from workestra.models import SsoConnection
from workestra.sso import selectors
from workestra.sso.services import FIELDS

# Addresses anyone can register; a workspace cannot claim them as its own domain.
FREEMAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.com",
        "yandex.com",
        "zoho.com",
    }
)
DOMAIN_RE = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
PEM_RE = re.compile(r"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.S)


def sso_start_url(email: str) -> str:
    return f"{reverse('sso-start')}?{urlencode({'email': email})}"


def sso_message(domain: str) -> str:
    return f"Addresses at {domain} sign in through your company's single sign-on."


class RefusesSsoAddresses:
    """Refuses an address whose domain signs in through its IdP, pointing at ``sso_url``."""

    sso_url = ""
    sso_hint = ""

    def refuse_sso_address(self, email: str) -> str:
        connection = selectors.password_refused_connection(email)
        if connection is not None:
            self.sso_url = sso_start_url(email)
            raise forms.ValidationError(f"{sso_message(connection.domain)} {self.sso_hint}".strip())
        return email


class LoginForm(RefusesSsoAddresses, account_forms.LoginForm):
    def clean_login(self) -> str:
        return self.refuse_sso_address(super().clean_login())


class SignupForm(RefusesSsoAddresses, account_forms.SignupForm):
    sso_hint = "Your account is made when you first sign in."

    def clean_email(self) -> str:
        return self.refuse_sso_address(super().clean_email())


class ResetPasswordForm(RefusesSsoAddresses, account_forms.ResetPasswordForm):
    sso_hint = "There is no password to reset."

    def clean_email(self) -> str:
        return self.refuse_sso_address(super().clean_email())


class SsoStartForm(forms.Form):
    email = forms.EmailField(label="Work email", max_length=254)


class SsoConnectionForm(forms.ModelForm):
    """What an owner enters; the domain must be one of the owner's own verified addresses."""

    oidc_issuer = forms.URLField(
        label="Issuer URL",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Where /.well-known/openid-configuration is found.",
    )
    saml_sso_url = forms.URLField(
        label="IdP single sign-on URL", required=False, max_length=500, assume_scheme="https"
    )
    oidc_client_secret = forms.CharField(
        label="Client secret",
        required=False,
        max_length=2000,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to keep the stored secret.",
    )

    class Meta:
        model = SsoConnection
        fields = list(FIELDS)
        labels = {
            "domain": "Email domain",
            "required": "Require SSO for everyone at this domain",
            "oidc_issuer": "Issuer URL",
            "oidc_client_id": "Client ID",
            "saml_entity_id": "IdP entity ID",
            "saml_sso_url": "IdP single sign-on URL",
            "saml_certificate": "IdP signing certificate (PEM)",
        }
        help_texts = {"domain": "For example example.com: the part after the @."}
        widgets = {"protocol": forms.RadioSelect, "saml_certificate": forms.Textarea}

    def __init__(self, *args: Any, owner_domains: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner_domains = owner_domains

    def clean_domain(self) -> str:
        domain = self.cleaned_data["domain"].strip().rstrip(".").lower().removeprefix("@")
        if not DOMAIN_RE.match(domain):
            raise forms.ValidationError("Enter a domain name such as example.com.")
        if domain in FREEMAIL:
            raise forms.ValidationError(
                f"{domain} is a public email service; use your organisation's own domain."
            )
        taken = SsoConnection.objects.filter(domain=domain).exclude(
            workspace_id=self.instance.workspace_id
        )
        if taken.exists():
            raise forms.ValidationError(f"{domain} already signs in through another workspace.")
        if domain not in self.owner_domains:
            raise forms.ValidationError(
                f"Verify an address at {domain} on your profile first: only a domain you "
                "receive mail at can be put behind single sign-on."
            )
        return domain

    def clean_oidc_issuer(self) -> str:
        issuer = self.cleaned_data.get("oidc_issuer", "").strip().rstrip("/")
        if not issuer:
            return ""
        problem = outbound.url_problem(issuer, loopback_ok=settings.SSO_ALLOW_LOOPBACK)
        if problem:
            raise forms.ValidationError(problem.replace("Webhooks", "Identity providers"))
        if not issuer.startswith("https://") and not settings.SSO_ALLOW_LOOPBACK:
            raise forms.ValidationError("The issuer URL must start with https://.")
        return issuer

    def clean_saml_sso_url(self) -> str:
        url = self.cleaned_data.get("saml_sso_url", "").strip()
        if url and not url.startswith("https://") and not settings.SSO_ALLOW_LOOPBACK:
            raise forms.ValidationError("The single sign-on URL must start with https://.")
        return url

    def clean_saml_certificate(self) -> str:
        text = self.cleaned_data.get("saml_certificate", "").strip()
        if not text:
            return ""
        match = PEM_RE.search(text)
        body = re.sub(r"\s+", "", match.group(1) if match else text)
        pem = f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n"
        try:
            x509.load_pem_x509_certificate(pem.encode())
        except ValueError:
            raise forms.ValidationError(
                "This is not a PEM certificate. Paste the IdP's signing certificate, "
                "including its BEGIN and END lines."
            ) from None
        return body

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        protocol = data.get("protocol")
        if protocol == SsoConnection.Protocol.OIDC:
            needed = ["oidc_issuer", "oidc_client_id"]
            if not (self.instance.pk and self.instance.oidc_client_secret_encrypted):
                needed.append("oidc_client_secret")
        elif protocol == SsoConnection.Protocol.SAML:
            needed = ["saml_entity_id", "saml_sso_url", "saml_certificate"]
        else:
            needed = []
        for field in needed:
            if not data.get(field) and field not in self.errors:
                self.add_error(field, "Required for this kind of sign-on.")
        return data
