"""Connecting the workspace's HubSpot and Salesforce on /settings/integrations: the OAuth flow
(PKCE, state bound to the session), tokens encrypted at rest, who may connect and disconnect,
and the page showing each state."""

from __future__ import annotations

import html
import io
from urllib.parse import parse_qs, urlsplit

from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection as db

from integrations.models import CrmConnection
from integrations.owner_lookup import lookup_owner
from tests.conftest import login
from tests.factories import MembershipFactory
from tests.integrations import fake_hubspot as hubspot_server
from tests.integrations import fake_salesforce as salesforce_server
from tests.integrations import fixtures_crm
from tests.integrations.fixtures_crm import connect_hubspot, connect_salesforce

fake_hubspot = fixtures_crm.fake_hubspot
fake_salesforce = fixtures_crm.fake_salesforce

PAGE = "/settings/integrations"


def _start(client, provider: str) -> dict[str, str]:
    """Press Connect; the query the browser is sent to the CRM with."""
    response = client.post(f"/integrations/{provider}/connect")
    assert response.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}


def _stored_column(pk: int, column: str) -> str:
    with db.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM integrations_crmconnection WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_an_owner_connects_hubspot_and_the_tokens_are_encrypted(
    owner_client, workspace, fake_hubspot
):
    assert "Connect HubSpot" in owner_client.get(PAGE).content.decode()
    query = _start(owner_client, "hubspot")
    assert query["code_challenge_method"] == "S256"
    assert "crm.objects.owners.read" in query["scope"]
    code = fake_hubspot.issue_code(
        query["code_challenge"], query["redirect_uri"], hubspot_server.PORTAL_ID
    )

    done = owner_client.get(
        "/integrations/hubspot/callback", {"code": code, "state": query["state"]}
    )

    assert done.status_code == 302
    connection = CrmConnection.objects.get(workspace=workspace, provider="hubspot")
    assert connection.account == hubspot_server.PORTAL
    (exchange,) = fake_hubspot.token_requests("authorization_code")
    assert exchange.body["code_verifier"]  # the fake checked it against the challenge
    for column, plain in [
        ("refresh_token_encrypted", connection.refresh_token),
        ("access_token_encrypted", connection.access_token),
    ]:
        stored = _stored_column(connection.pk, column)
        assert plain and plain not in stored
    page = html.unescape(owner_client.get(PAGE).content.decode())
    assert f"Connected: {hubspot_server.PORTAL}" in page
    assert f"Disconnect HubSpot ({hubspot_server.PORTAL})" in page


def test_an_owner_connects_salesforce_at_the_orgs_instance(
    owner_client, workspace, fake_salesforce
):
    query = _start(owner_client, "salesforce")
    code = fake_salesforce.issue_code(
        query["code_challenge"], query["redirect_uri"], salesforce_server.USERNAME
    )

    owner_client.get("/integrations/salesforce/callback", {"code": code, "state": query["state"]})

    connection = CrmConnection.objects.get(workspace=workspace, provider="salesforce")
    assert connection.account == salesforce_server.USERNAME
    assert connection.instance_url == fake_salesforce.base_url
    assert connection.refresh_token and connection.refresh_token not in (
        connection.refresh_token_encrypted
    )


def test_a_callback_with_a_state_this_session_did_not_start_connects_nothing(
    owner_client, owner, workspace, fake_hubspot
):
    query = _start(owner_client, "hubspot")
    code = fake_hubspot.issue_code(
        query["code_challenge"], query["redirect_uri"], hubspot_server.PORTAL_ID
    )
    other_session = login(owner)  # the same person in another browser

    for client, state in [(owner_client, "forged-state"), (other_session, query["state"])]:
        refused = client.get("/integrations/hubspot/callback", {"code": code, "state": state})
        assert refused.status_code == 400
        assert (
            "couldn&#x27;t confirm that this sign-in was started here" in refused.content.decode()
        )

    assert not CrmConnection.objects.exists()
    assert fake_hubspot.token_requests("authorization_code") == []


def test_a_code_issued_for_another_verifier_is_refused_by_the_crm(
    owner_client, workspace, fake_hubspot
):
    query = _start(owner_client, "hubspot")
    code = fake_hubspot.issue_code("not-our-challenge", query["redirect_uri"], "x")

    refused = owner_client.get(
        "/integrations/hubspot/callback", {"code": code, "state": query["state"]}
    )

    assert refused.status_code == 400
    assert "HubSpot refused the sign-in" in html.unescape(refused.content.decode())
    assert not CrmConnection.objects.exists()


def test_a_state_started_for_hubspot_cannot_finish_salesforce(
    owner_client, fake_hubspot, fake_salesforce
):
    query = _start(owner_client, "hubspot")
    code = fake_salesforce.issue_code(query["code_challenge"], query["redirect_uri"], "x")

    refused = owner_client.get(
        "/integrations/salesforce/callback", {"code": code, "state": query["state"]}
    )

    assert refused.status_code == 400
    assert not CrmConnection.objects.exists()


def test_an_admin_demoted_during_the_sign_in_connects_nothing(
    owner_client, owner, workspace, fake_hubspot
):
    query = _start(owner_client, "hubspot")
    code = fake_hubspot.issue_code(
        query["code_challenge"], query["redirect_uri"], hubspot_server.PORTAL_ID
    )
    owner.memberships.update(role="member")

    refused = owner_client.get(
        "/integrations/hubspot/callback", {"code": code, "state": query["state"]}
    )

    assert refused.status_code == 403
    assert not CrmConnection.objects.exists()


def test_declining_at_the_crm_connects_nothing(owner_client, fake_hubspot):
    query = _start(owner_client, "hubspot")

    back = owner_client.get(
        "/integrations/hubspot/callback", {"error": "access_denied", "state": query["state"]}
    )

    assert back.status_code == 302
    assert not CrmConnection.objects.exists()


def test_members_see_the_connection_but_cannot_change_it(
    teammate_client, workspace, fake_hubspot, fake_salesforce
):
    connect_hubspot(fake_hubspot, workspace)

    page = html.unescape(teammate_client.get(PAGE).content.decode())
    assert f"Connected: {hubspot_server.PORTAL}" in page
    assert "Disconnect HubSpot" not in page
    assert "Connect Salesforce" not in page

    assert "Not connected." in page  # Salesforce, offered but not connected
    assert teammate_client.post("/integrations/salesforce/connect").status_code == 403
    assert teammate_client.post("/integrations/hubspot/disconnect").status_code == 403
    assert CrmConnection.objects.filter(workspace=workspace).count() == 1


def test_disconnecting_revokes_and_forgets_the_tokens_and_stops_the_lookup(
    owner_client, workspace, fake_hubspot
):
    refresh = connect_hubspot(fake_hubspot, workspace).refresh_token
    fake_hubspot.add_contact("visitor@client.example", "sam@acme.test")

    done = owner_client.post("/integrations/hubspot/disconnect")

    assert done.status_code == 302
    assert not CrmConnection.objects.exists()
    assert not fake_hubspot.is_valid_refresh_token(refresh)
    assert lookup_owner(workspace.pk, "visitor@client.example").outcome == "not_connected"
    assert "Connect HubSpot" in owner_client.get(PAGE).content.decode()


def test_disconnecting_salesforce_revokes_its_token(owner_client, workspace, fake_salesforce):
    refresh = connect_salesforce(fake_salesforce, workspace).refresh_token

    owner_client.post("/integrations/salesforce/disconnect")

    assert not CrmConnection.objects.exists()
    assert not fake_salesforce.is_valid_refresh_token(refresh)


def test_disconnecting_still_forgets_a_connection_the_crm_cannot_be_asked_about(
    owner_client, workspace, fake_hubspot, settings
):
    connect_hubspot(fake_hubspot, workspace)
    settings.HUBSPOT_API_BASE = "http://127.0.0.1:9"  # nothing listens there: HubSpot is down

    assert owner_client.post("/integrations/hubspot/disconnect").status_code == 302
    assert not CrmConnection.objects.exists()


def test_another_workspaces_admin_cannot_touch_this_connection(workspace, fake_hubspot):
    connect_hubspot(fake_hubspot, workspace)
    stranger = login(MembershipFactory(user__email="boss@other.test").user)

    stranger.post("/integrations/hubspot/disconnect")

    assert CrmConnection.objects.filter(workspace=workspace).count() == 1
    page = html.unescape(stranger.get(PAGE).content.decode())
    assert hubspot_server.PORTAL not in page


def test_a_broken_connection_is_shown_and_reconnecting_repairs_it(
    owner_client, workspace, fake_hubspot
):
    connection = connect_hubspot(fake_hubspot, workspace)
    connection.mark_broken("HubSpot refused to renew the connection's token.")
    assert "Needs reconnecting" in owner_client.get(PAGE).content.decode()

    query = _start(owner_client, "hubspot")
    code = fake_hubspot.issue_code(
        query["code_challenge"], query["redirect_uri"], hubspot_server.PORTAL_ID
    )
    owner_client.get("/integrations/hubspot/callback", {"code": code, "state": query["state"]})

    (repaired,) = CrmConnection.objects.filter(workspace=workspace)
    assert not repaired.is_broken and repaired.broken_reason == ""


def test_a_crm_the_server_does_not_offer_says_which_settings_to_set(owner_client, settings):
    settings.SALESFORCE_CLIENT_ID = ""

    page = owner_client.get(PAGE).content.decode()
    assert "<code>SALESFORCE_CLIENT_ID</code>" in page
    refused = owner_client.post("/integrations/salesforce/connect")
    assert refused.status_code == 400
    assert "Salesforce is not set up on this server." in refused.content.decode()


def test_rotating_the_key_re_encrypts_the_crm_tokens(workspace, fake_salesforce, settings):
    connection = connect_salesforce(fake_salesforce, workspace)
    refresh, access = connection.refresh_token, connection.access_token
    new = Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [new, *settings.ENCRYPTION_KEYS]
    out = io.StringIO()

    call_command("rotate_encryption_key", stdout=out)

    assert "Re-encrypted the tokens of 1 CRM connection(s)." in out.getvalue()
    settings.ENCRYPTION_KEYS = [new]  # the old key is gone
    connection.refresh_from_db()
    assert (connection.refresh_token, connection.access_token) == (refresh, access)
