"""The CRM owner lookup routing forms ask (``integrations.owner_lookup.lookup_owner``), against
HubSpot and Salesforce faked at their HTTP seam: who owns an email, what each failure becomes,
the time budget, hostile emails in SOQL, and that a workspace only ever uses its own connection."""

from __future__ import annotations

import time

import pytest
from cryptography.fernet import Fernet

from integrations.crm_accounts import registry
from integrations.models import CrmConnection
from integrations.owner_lookup import OwnerLookup, connected_providers, lookup_owner
from tests.factories import WorkspaceFactory
from tests.integrations import fixtures_crm
from tests.integrations.fixtures_crm import connect_hubspot, connect_salesforce

fake_hubspot = fixtures_crm.fake_hubspot
fake_salesforce = fixtures_crm.fake_salesforce

pytestmark = pytest.mark.django_db


@pytest.fixture
def hubspot(fake_hubspot, workspace):
    connect_hubspot(fake_hubspot, workspace)
    return fake_hubspot


@pytest.fixture
def salesforce(fake_salesforce, workspace):
    connect_salesforce(fake_salesforce, workspace)
    return fake_salesforce


# HubSpot ------------------------------------------------------------------------------------


def test_hubspot_names_the_contacts_owner_lower_cased(hubspot, workspace):
    hubspot.add_contact("visitor@client.example", "Sam.Seller@Acme.test")

    result = lookup_owner(workspace.pk, "  Visitor@Client.example ")

    assert result == OwnerLookup(
        "found", owner_email="sam.seller@acme.test", provider="hubspot", detail=result.detail
    )
    (search,) = hubspot.searches()
    assert search.body["filterGroups"][0]["filters"][0]["value"] == "visitor@client.example"


def test_a_hubspot_contact_without_an_owner_is_no_owner(hubspot, workspace):
    hubspot.add_contact("visitor@client.example", None)

    result = lookup_owner(workspace.pk, "visitor@client.example")

    assert (result.outcome, result.owner_email, result.provider) == ("no_owner", None, "hubspot")


def test_an_archived_hubspot_owner_is_no_owner(hubspot, workspace):
    hubspot.add_contact("visitor@client.example", "gone@acme.test", archived=True)

    assert lookup_owner(workspace.pk, "visitor@client.example").outcome == "no_owner"


def test_an_email_hubspot_does_not_know_is_not_found(hubspot, workspace):
    hubspot.add_contact("someone@client.example", "sam@acme.test")

    result = lookup_owner(workspace.pk, "stranger@client.example")

    assert (result.outcome, result.owner_email) == ("not_found", None)


def test_a_refused_token_is_refreshed_and_the_search_retried(hubspot, workspace):
    hubspot.add_contact("visitor@client.example", "sam@acme.test")
    before = CrmConnection.objects.get(workspace=workspace).access_token_encrypted
    hubspot.expire_access_tokens()  # the next call answers 401

    result = lookup_owner(workspace.pk, "visitor@client.example")

    assert (result.outcome, result.owner_email) == ("found", "sam@acme.test")
    assert len(hubspot.token_requests("refresh_token")) == 1
    connection = CrmConnection.objects.get(workspace=workspace)
    assert connection.access_token_encrypted != before
    assert connection.access_token not in connection.access_token_encrypted
    assert not connection.is_broken


def test_a_refused_refresh_marks_the_connection_broken(hubspot, workspace):
    hubspot.add_contact("visitor@client.example", "sam@acme.test")
    hubspot.revoke_all()  # the admin removed the app in HubSpot

    result = lookup_owner(workspace.pk, "visitor@client.example")

    assert (result.outcome, result.provider) == ("error", "hubspot")
    assert "HubSpot" in result.detail
    connection = CrmConnection.objects.get(workspace=workspace)
    assert connection.is_broken and connection.broken_reason
    # A broken connection is not asked again until an admin reconnects it.
    assert lookup_owner(workspace.pk, "visitor@client.example").outcome == "not_connected"


def test_a_token_refused_even_after_a_refresh_marks_the_connection_broken(hubspot, workspace):
    hubspot.add_contact("visitor@client.example", "sam@acme.test")
    hubspot.fail_next(401, count=2)

    result = lookup_owner(workspace.pk, "visitor@client.example")

    assert (result.outcome, result.detail) == ("error", "HubSpot answered 401.")
    assert len(hubspot.token_requests("refresh_token")) == 1
    assert CrmConnection.objects.get(workspace=workspace).is_broken


@pytest.mark.parametrize("status", [429, 500])
def test_a_hubspot_failure_is_an_error_that_names_the_answer(hubspot, workspace, status):
    hubspot.add_contact("visitor@client.example", "sam@acme.test")
    hubspot.fail_next(status)

    result = lookup_owner(workspace.pk, "visitor@client.example")

    assert result == OwnerLookup("error", provider="hubspot", detail=f"HubSpot answered {status}.")
    assert not CrmConnection.objects.get(workspace=workspace).is_broken
    # The failure was one answer: the next lookup finds the owner.
    assert lookup_owner(workspace.pk, "visitor@client.example").outcome == "found"


def test_a_slow_hubspot_times_out_within_the_budget(hubspot, workspace):
    hubspot.add_contact("visitor@client.example", "sam@acme.test")
    hubspot.delay = 3.0

    started = time.monotonic()
    result = lookup_owner(workspace.pk, "visitor@client.example", budget_seconds=0.5)
    elapsed = time.monotonic() - started

    assert (result.outcome, result.provider, result.owner_email) == ("timeout", "hubspot", None)
    assert elapsed < 1.0


# Salesforce ---------------------------------------------------------------------------------


def test_salesforce_names_the_contacts_owner(salesforce, workspace):
    owner_id = salesforce.add_user("Rita.Rep@Acme.test")
    salesforce.add_contact("visitor@client.example", owner_id)

    result = lookup_owner(workspace.pk, "visitor@client.example")

    assert (result.outcome, result.owner_email, result.provider) == (
        "found",
        "rita.rep@acme.test",
        "salesforce",
    )


def test_salesforce_falls_back_to_the_account_owner_then_to_a_lead(salesforce, workspace):
    account_owner = salesforce.add_user("accounts@acme.test")
    lead_owner = salesforce.add_user("leads@acme.test")
    salesforce.add_contact("contact@client.example", "", account_owner_id=account_owner)
    salesforce.add_lead("lead@client.example", lead_owner)

    assert lookup_owner(workspace.pk, "contact@client.example").owner_email == "accounts@acme.test"
    assert lookup_owner(workspace.pk, "lead@client.example").owner_email == "leads@acme.test"


def test_a_lead_owned_by_a_queue_or_an_inactive_user_is_no_owner(salesforce, workspace):
    salesforce.add_lead("queued@client.example", "00G000000000042")
    salesforce.add_contact("left@client.example", salesforce.add_user("x@acme.test", active=False))

    assert lookup_owner(workspace.pk, "queued@client.example").outcome == "no_owner"
    assert lookup_owner(workspace.pk, "left@client.example").outcome == "no_owner"
    assert lookup_owner(workspace.pk, "nobody@client.example").outcome == "not_found"


@pytest.mark.parametrize(
    "email",
    ["o'brien@client.example", "back\\slash@client.example", "quo\"te\\'@client.example"],
)
def test_quotes_and_backslashes_reach_salesforce_escaped(salesforce, workspace, email):
    salesforce.add_contact(email, salesforce.add_user("rita@acme.test"))

    result = lookup_owner(workspace.pk, email)

    assert (result.outcome, result.owner_email) == ("found", "rita@acme.test")


def test_an_email_written_to_change_the_query_finds_nothing(salesforce, workspace):
    salesforce.add_contact("vip@client.example", salesforce.add_user("rita@acme.test"))
    hostile = "x@client.example' OR Email != '"

    result = lookup_owner(workspace.pk, hostile)

    assert result.outcome == "not_found"
    # The whole text stayed one string literal (the fake refuses a malformed one).
    assert "WHERE Email = 'x@client.example\\' or email != \\'' ORDER BY" in salesforce.queries()[0]


def test_a_refused_salesforce_session_is_refreshed_and_retried(salesforce, workspace):
    salesforce.add_contact("visitor@client.example", salesforce.add_user("rita@acme.test"))
    salesforce.expire_access_tokens()

    result = lookup_owner(workspace.pk, "visitor@client.example")

    assert result.owner_email == "rita@acme.test"
    assert len(salesforce.token_requests("refresh_token")) == 1


@pytest.mark.parametrize("status", [429, 500])
def test_a_salesforce_failure_is_an_error(salesforce, workspace, status):
    salesforce.fail_next(status)

    result = lookup_owner(workspace.pk, "visitor@client.example")

    assert (result.outcome, result.detail) == ("error", f"Salesforce answered {status}.")


# Both, the budget and the workspace ---------------------------------------------------------


def test_salesforce_is_asked_when_hubspot_does_not_know_the_email(hubspot, salesforce, workspace):
    salesforce.add_contact("visitor@client.example", salesforce.add_user("rita@acme.test"))
    hubspot.fail_next(500)

    result = lookup_owner(workspace.pk, "visitor@client.example")

    assert (result.outcome, result.provider) == ("found", "salesforce")
    assert len(hubspot.searches()) == 1


def test_hubspot_is_asked_first_and_its_owner_wins(hubspot, salesforce, workspace):
    hubspot.add_contact("visitor@client.example", "sam@acme.test")
    salesforce.add_contact("visitor@client.example", salesforce.add_user("rita@acme.test"))

    result = lookup_owner(workspace.pk, "visitor@client.example")

    assert (result.provider, result.owner_email) == ("hubspot", "sam@acme.test")
    assert salesforce.queries() == []


def test_one_budget_covers_both_crms(hubspot, salesforce, workspace):
    hubspot.delay = 3.0
    salesforce.delay = 3.0

    started = time.monotonic()
    result = lookup_owner(workspace.pk, "visitor@client.example", budget_seconds=0.6)

    assert result.outcome == "timeout"
    assert time.monotonic() - started < 1.1


def test_a_workspace_never_uses_another_workspaces_connection(hubspot, workspace):
    hubspot.add_contact("visitor@client.example", "sam@acme.test")
    other = WorkspaceFactory()

    assert lookup_owner(other.pk, "visitor@client.example").outcome == "not_connected"
    assert hubspot.api_requests() == []

    theirs = connect_hubspot(hubspot, other)
    lookup_owner(other.pk, "visitor@client.example")
    (search,) = hubspot.searches()
    assert search.headers["authorization"] == f"Bearer {theirs.access_token}"


def test_nothing_connected_or_not_set_up_is_not_connected(hubspot, workspace, settings):
    assert lookup_owner(WorkspaceFactory().pk, "a@b.example").outcome == "not_connected"
    settings.HUBSPOT_CLIENT_ID = ""  # the server stopped offering HubSpot

    assert lookup_owner(workspace.pk, "a@b.example").outcome == "not_connected"


def test_unreadable_tokens_are_an_error_not_an_exception(hubspot, workspace, settings):
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the old key was dropped

    result = lookup_owner(workspace.pk, "visitor@client.example")

    assert (result.outcome, result.provider) == ("error", "hubspot")


@pytest.mark.parametrize("email", ["", "not-an-email", "a@b\x00.example"])
def test_no_usable_email_asks_nobody(hubspot, workspace, email):
    assert lookup_owner(workspace.pk, email).outcome == "not_found"
    assert hubspot.api_requests() == []


def test_connected_providers_are_the_ones_a_lookup_would_ask(hubspot, salesforce, workspace):
    assert connected_providers(workspace.pk) == ["hubspot", "salesforce"]
    CrmConnection.objects.filter(provider="hubspot").update(status=CrmConnection.Status.BROKEN)

    assert connected_providers(workspace.pk) == ["salesforce"]
    assert connected_providers(WorkspaceFactory().pk) == []


def test_an_unexpected_failure_is_an_error_not_an_exception(hubspot, workspace, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(registry.get("hubspot"), "find_owner", explode)

    result = lookup_owner(workspace.pk, "visitor@client.example")

    assert (result.outcome, result.owner_email) == ("error", None)
