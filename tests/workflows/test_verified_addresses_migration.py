"""Accounts from before sign-up existed get their address as verified; sign-ups keep theirs."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress

from tests.factories import UserFactory
from tests.workflows.test_outcomes_migration import migrate

BEFORE = [("workflows", "0003_outcomes_as_columns")]


@pytest.mark.django_db(transaction=True)
def test_existing_users_get_a_verified_address_and_pending_sign_ups_do_not():
    migrate(BEFORE)
    try:
        demo = UserFactory(email="demo@workestra.test")
        pending = UserFactory(email="pending@example.test")
        EmailAddress.objects.create(user=pending, email=pending.email, verified=False, primary=True)
    finally:
        migrate(None)

    rows = {a.user_id: (a.email, a.verified, a.primary) for a in EmailAddress.objects.all()}
    assert rows == {
        demo.pk: ("demo@workestra.test", True, True),
        pending.pk: ("pending@example.test", False, True),
    }
