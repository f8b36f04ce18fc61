"""Fixtures for code that asks a CRM: the fake HubSpot and Salesforce running with every setting
(and an encryption key) pointing at them, and a workspace's connection to each.

Bind the fixtures in a test module as ``fake_hubspot = fixtures_crm.fake_hubspot``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from integrations.models import CrmConnection
from tests.integrations import fake_hubspot as hubspot
from tests.integrations import fake_salesforce as salesforce
from workestra.models import Workspace


@pytest.fixture
def fake_hubspot(settings) -> Iterator[hubspot.FakeHubSpot]:
    fake = hubspot.start()
    settings.HUBSPOT_CLIENT_ID = hubspot.CLIENT_ID
    settings.HUBSPOT_CLIENT_SECRET = hubspot.CLIENT_SECRET
    settings.HUBSPOT_AUTH_BASE = fake.base_url
    settings.HUBSPOT_API_BASE = fake.base_url
    settings.ENCRYPTION_KEYS = [*settings.ENCRYPTION_KEYS] or [Fernet.generate_key().decode()]
    try:
        yield fake
    finally:
        hubspot.stop(fake)


@pytest.fixture
def fake_salesforce(settings) -> Iterator[salesforce.FakeSalesforce]:
    fake = salesforce.start()
    settings.SALESFORCE_CLIENT_ID = salesforce.CLIENT_ID
    settings.SALESFORCE_CLIENT_SECRET = salesforce.CLIENT_SECRET
    settings.SALESFORCE_AUTH_BASE = fake.base_url
    settings.SALESFORCE_API_VERSION = "v61.0"
    settings.ENCRYPTION_KEYS = [*settings.ENCRYPTION_KEYS] or [Fernet.generate_key().decode()]
    try:
        yield fake
    finally:
        salesforce.stop(fake)


def connect_hubspot(fake: hubspot.FakeHubSpot, workspace: Workspace) -> CrmConnection:
    """The workspace's HubSpot, connected with tokens the fake issued (stored encrypted)."""
    refresh, access = fake.grant(hubspot.PORTAL_ID)
    connection = CrmConnection(
        workspace=workspace,
        provider="hubspot",
        account=hubspot.PORTAL,
        access_expires_at=timezone.now() + timedelta(minutes=30),
    )
    connection.refresh_token = refresh
    connection.access_token = access
    connection.save()
    return connection


def connect_salesforce(fake: salesforce.FakeSalesforce, workspace: Workspace) -> CrmConnection:
    """The workspace's Salesforce org, connected with tokens the fake issued."""
    refresh, access = fake.grant(salesforce.USERNAME)
    connection = CrmConnection(
        workspace=workspace,
        provider="salesforce",
        account=salesforce.USERNAME,
        instance_url=fake.base_url,
    )
    connection.refresh_token = refresh
    connection.access_token = access
    connection.save()
    return connection
