"""Fixtures of the workspace-core tests."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress

from workestra.models import Workspace


@pytest.fixture
def business(workspace, owner):
    """Olga's workspace on the Business plan (SSO, SCIM); her acme.test address is verified."""
    workspace.plan = Workspace.Plan.BUSINESS
    workspace.save(update_fields=["plan"])
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    return workspace
