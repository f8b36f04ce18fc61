"""Account emails (verification, password reset, email change) through the outbox.

Why here: ``workestra`` is the bottom layer every app uses, so it must not import ``workflows``;
the adapter allauth calls needs the outbox, so it lives in ``workflows``, which may use both
allauth and ``workestra``. allauth renders its own templates in the request; the rendered email
is stored on an outbox row and a worker sends it, so a slow or failing mail server never holds up
(or breaks) a sign-up or a reset request.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import messages
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from workestra.sso import selectors as sso_selectors
from workestra.sso.forms import sso_message, sso_start_url
from workflows import outbox
from workflows.kinds import Kind
from workflows.models import OutboxMessage

ACCOUNT_EMAIL = Kind(
    "account.email",
    handler="workflows.accounts.send_account_email",
    title="Account email: address verification, password reset or change notice",
    is_email=True,
)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Render now, send later: one outbox row per send, so each request mails once."""
        message = self.render_mail(template_prefix, email, context)
        html = [
            body
            for body, mimetype in getattr(message, "alternatives", [])
            if mimetype == "text/html"
        ]
        outbox.enqueue(
            kind=ACCOUNT_EMAIL,
            key=f"account-email:{uuid.uuid4()}",
            subject=f"account:{email}"[:64],
            payload={
                "template": template_prefix.rsplit("/", 1)[-1],
                "subject": message.subject,
                "body": message.body,
                "html": html[0] if html else "",
                "from_email": message.from_email,
                "to": list(message.to),
            },
        )

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        return public_url(super().get_email_confirmation_url(request, emailconfirmation))

    def get_reset_password_from_key_url(self, key: str) -> str:
        return public_url(super().get_reset_password_from_key_url(key))

    def pre_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse | None:
        """Accounts made by staff (``createsuperuser``, the admin, the demo seed) have no address
        record; their address counts as verified. A sign-up always has an unverified record."""
        if user.is_active and not EmailAddress.objects.filter(user=user).exists():
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        refusal = sso_refusal(request, user, kwargs.get("signal_kwargs") or {})
        if refusal is not None:
            return refusal
        return super().pre_login(request, user, **kwargs)


def sso_refusal(
    request: HttpRequest, user: Any, signal_kwargs: dict[str, Any]
) -> HttpResponse | None:
    """Every login passes here: someone at a domain that requires SSO gets in only through
    that domain's identity provider (not a password, a code, a reset or Google/Microsoft)."""
    connection = sso_selectors.password_refused_connection(user.email or "")
    if connection is None:
        return None
    sociallogin = signal_kwargs.get("sociallogin")
    if sociallogin is not None and sociallogin.account.provider == connection.provider_key:
        return None
    messages.error(request, sso_message(connection.domain))
    return redirect(sso_start_url(user.email))


def public_url(url: str) -> str:
    """``url`` on ``PUBLIC_BASE_URL``, like every other link the product emails."""
    parts = urlsplit(url)
    return settings.PUBLIC_BASE_URL + parts.path + (f"?{parts.query}" if parts.query else "")


def send_account_email(message: OutboxMessage) -> None:
    payload = message.payload
    if not payload.get("to"):
        raise outbox.Drop("no recipient")
    email = EmailMultiAlternatives(
        subject=payload.get("subject", ""),
        body=payload.get("body", ""),
        from_email=payload.get("from_email") or None,
        to=payload["to"],
    )
    if payload.get("html"):
        email.attach_alternative(payload["html"], "text/html")
    email.send()
