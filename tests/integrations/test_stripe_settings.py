"""Connecting Stripe on Settings → Integrations, and the client's failures: the key is checked
with Stripe before it is stored (encrypted, with the webhook's signing secret), and a failure
says whether retrying could help."""

from __future__ import annotations

import pytest
from django.urls import reverse

from integrations.models import StripeAccount
from integrations.stripe import client
from tests.integrations import fake_stripe as server
from tests.integrations import fixtures_stripe

fake_stripe = fixtures_stripe.fake_stripe
localstripe_url = fixtures_stripe.localstripe_url

SAVE = "integrations:stripe_save"
GOOD = {"api_key": server.API_KEY, "webhook_secret": server.WEBHOOK_SECRET}


def test_an_owner_connects_stripe_and_sees_the_webhook_url(owner_client, workspace, fake_stripe):
    response = owner_client.post(reverse(SAVE), GOOD)

    assert response.status_code == 302
    account = StripeAccount.objects.get(workspace=workspace)
    assert account.account_name == "Acme Ltd"
    assert server.API_KEY not in account.api_key_encrypted
    assert server.WEBHOOK_SECRET not in account.webhook_secret_encrypted
    assert (account.api_key, account.webhook_secret) == (server.API_KEY, server.WEBHOOK_SECRET)
    page = owner_client.get(reverse("integrations:settings")).content.decode()
    assert f"/integrations/stripe/webhook/{account.public_id}" in page
    assert server.API_KEY not in page


def test_a_key_stripe_refuses_is_not_stored(owner_client, workspace, fake_stripe):
    response = owner_client.post(reverse(SAVE), {**GOOD, "api_key": "sk_test_wrong"})

    assert response.status_code == 400
    assert "Stripe refused the key" in response.content.decode()
    assert not StripeAccount.objects.exists()


def test_malformed_secrets_are_refused_before_asking_stripe(owner_client, fake_stripe):
    response = owner_client.post(reverse(SAVE), {"api_key": "pk_test_1", "webhook_secret": "x"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "restricted key (rk_…)" in page and "it starts whsec_" in page
    assert fake_stripe.requests == []


def test_a_member_cannot_change_the_account(teammate_client, fake_stripe):
    assert teammate_client.post(reverse(SAVE), GOOD).status_code == 403
    assert not StripeAccount.objects.exists()


def test_disconnecting_removes_the_secrets(owner_client, workspace, fake_stripe):
    fixtures_stripe.connect_stripe(workspace)
    owner_client.post(reverse("integrations:stripe_remove"))
    assert not StripeAccount.objects.exists()


@pytest.mark.parametrize(("status", "permanent"), [(503, False), (429, False), (400, True)])
def test_a_failure_says_whether_a_retry_could_help(fake_stripe, status, permanent):
    fake_stripe.fail_next.append(status)
    with pytest.raises(client.StripeError) as caught:
        client.refund_create(server.API_KEY, payment_intent="pi_x", amount=1, idempotency_key="k")
    assert caught.value.permanent is permanent
