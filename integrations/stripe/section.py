"""What the Stripe part of Settings → Integrations shows: the workspace's account, the webhook
URL to give Stripe, and the form for owners and admins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from integrations.models import StripeAccount
from integrations.stripe.forms import StripeAccountForm
from workestra.tenancy import AuthedRequest

EVENTS = (
    "checkout.session.completed, checkout.session.async_payment_succeeded, "
    "checkout.session.async_payment_failed, checkout.session.expired, payment_intent.succeeded, "
    "payment_intent.payment_failed, charge.refunded"
)


def workspace_account(request: AuthedRequest) -> StripeAccount | None:
    return StripeAccount.objects.filter(workspace=request.workspace).first()


def context(request: AuthedRequest, form: StripeAccountForm | None = None) -> dict[str, Any]:
    account = workspace_account(request)
    can_manage = request.membership.is_admin
    if can_manage and form is None:
        form = StripeAccountForm(has_secrets=account is not None)
    webhook_url = ""
    if account is not None:
        webhook_url = settings.PUBLIC_BASE_URL + reverse(
            "payments:webhook", args=[account.public_id]
        )
    return {
        "account": account,
        "can_manage": can_manage,
        "form": form if can_manage else None,
        "webhook_url": webhook_url,
        "events": EVENTS,
    }
