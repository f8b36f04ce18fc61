"""Stripe, through its ``stripe`` library: the only module that imports it.

Every call takes the workspace's own API key (secret or restricted) and goes to
``settings.STRIPE_API_BASE``. Failures raise :class:`StripeError`, whose ``permanent`` says
whether retrying could help (a refused key or request cannot; a network failure, a rate limit or
Stripe's own error can).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import stripe
from django.conf import settings

TIMEOUT_SECONDS = 10


class StripeError(Exception):
    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


class BadSignature(Exception):
    """A webhook whose signature does not match the workspace's signing secret."""


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


def is_configured() -> bool:
    return bool(settings.STRIPE_API_BASE)


def _client(api_key: str) -> stripe.StripeClient:
    base = settings.STRIPE_API_BASE.rstrip("/")
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": base},
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
    )


def _call(work: Any) -> Any:
    try:
        return work()
    except (stripe.AuthenticationError, stripe.PermissionError) as exc:
        raise StripeError(
            f"Stripe refused the key: {exc.user_message or exc}", permanent=True
        ) from exc
    except stripe.InvalidRequestError as exc:
        raise StripeError(
            f"Stripe refused the request: {exc.user_message or exc}", permanent=True
        ) from exc
    except stripe.StripeError as exc:  # network, rate limit, Stripe's own trouble
        raise StripeError(f"Stripe could not be reached: {exc}", permanent=False) from exc


def check_key(api_key: str) -> str:
    """Ask Stripe whether the key works for Checkout: the account's name, or its id."""

    def work() -> str:
        client = _client(api_key)
        client.v1.checkout.sessions.list(params={"limit": 1})
        try:
            account = client.v1.accounts.retrieve_current()
        except stripe.PermissionError:  # a restricted key need not read the account
            return ""
        found = account.to_dict()
        profile = found.get("business_profile") or {}
        dashboard = (found.get("settings") or {}).get("dashboard") or {}
        return str(profile.get("name") or dashboard.get("display_name") or found.get("id", ""))

    result: str = _call(work)
    return result


def checkout_create(
    api_key: str,
    *,
    amount: int,
    currency: str,
    product: str,
    booking_id: int,
    customer_email: str,
    expires_at: datetime,
    success_url: str,
    cancel_url: str,
    idempotency_key: str,
) -> CheckoutSession:
    """A Checkout Session for one booking: it pays ``amount`` (minor units) and expires at our
    hold's deadline; the booking's id rides along as its reference and in its metadata."""
    params: dict[str, Any] = {
        "mode": "payment",
        "client_reference_id": str(booking_id),
        "metadata": {"booking_id": str(booking_id)},
        "payment_intent_data": {"metadata": {"booking_id": str(booking_id)}},
        "customer_email": customer_email,
        "expires_at": int(expires_at.timestamp()),
        "success_url": success_url,
        "cancel_url": cancel_url,
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": currency.lower(),
                    "unit_amount": amount,
                    "product_data": {"name": product[:250]},
                },
            }
        ],
    }

    def work() -> CheckoutSession:
        session = _client(api_key).v1.checkout.sessions.create(
            params=params,  # type: ignore[arg-type]
            options={"idempotency_key": idempotency_key},
        )
        return CheckoutSession(id=session.id, url=session.url or "")

    result: CheckoutSession = _call(work)
    return result


def checkout_expire(api_key: str, session_id: str) -> None:
    """Close a session nobody should pay any more (our own deadline passed first)."""
    _call(lambda: _client(api_key).v1.checkout.sessions.expire(session_id))


def refund_create(api_key: str, *, payment_intent: str, amount: int, idempotency_key: str) -> str:
    """Refund ``amount`` of a payment; the same ``idempotency_key`` never refunds twice."""

    def work() -> str:
        refund = _client(api_key).v1.refunds.create(
            params={"payment_intent": payment_intent, "amount": amount},
            options={"idempotency_key": idempotency_key},
        )
        return str(refund.id)

    result: str = _call(work)
    return result


def event_verify(payload: bytes, signature: str, secret: str) -> dict[str, Any]:
    """The event a webhook carries, once its signature is checked against ``secret``."""
    try:
        stripe.Webhook.construct_event(payload, signature, secret)
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise BadSignature(str(exc)) from exc
    event: dict[str, Any] = json.loads(payload)
    return event
