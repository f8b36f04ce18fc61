"""A workspace's own Twilio account on /settings/integrations, against the fake Twilio over real
HTTP: saving (checked with Twilio, token encrypted), refusals, who may change it, and that its
texts, calls and webhooks then use it while other workspaces keep the server's account."""

from __future__ import annotations

import html
import io
from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from integrations.calendars import provider as providers
from integrations.models import TwilioAccount
from integrations.twilio import accounts
from tests.conftest import login
from tests.factories import LinkFactory, MembershipFactory
from tests.workflows import fake_twilio
from tests.workflows.fake_twilio import ACCOUNT_SID, FROM_NUMBER
from tests.workflows.test_sms import INBOUND, PHONE, START, signed_post, sms_workflow
from workestra.lib import crypto
from workestra.models import Membership, Workspace
from workflows import outbox
from workflows.models import OutboxMessage, SmsOptOut, WorkflowStep

PAGE = "/settings/integrations"
SAVE = "/settings/integrations/twilio"
REMOVE = "/settings/integrations/twilio/remove"
OWN_SID = "AC" + "ab12" * 8
OWN_TOKEN = "f" * 31 + "9"
OWN_NUMBER = "+442071838750"

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture(autouse=True)
def _no_calendar_providers() -> Iterator[None]:
    """Only the Twilio section on the page: no calendar or video provider is offered."""
    with providers.only({}):
        yield


@pytest.fixture
def twilio_api(settings):
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    for fake in fake_twilio.running(settings):
        fake.add_account(OWN_SID, OWN_TOKEN)
        yield fake


def text(response) -> str:
    return html.unescape(response.content.decode())


def save(client, **fields):
    data = {"account_sid": OWN_SID, "auth_token": OWN_TOKEN, "from_number": "+44 20 7183 8750"}
    data.update(fields)
    return client.post(SAVE, {f"twilio-{k}": v for k, v in data.items()})


def stored_token_column(account: TwilioAccount) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT auth_token_encrypted FROM integrations_twilioaccount WHERE id = %s",
            [account.pk],
        )
        return cursor.fetchone()[0]


def connect(workspace: Workspace, *, token: str = OWN_TOKEN) -> TwilioAccount:
    account = TwilioAccount(workspace=workspace, account_sid=OWN_SID, from_number=OWN_NUMBER)
    account.auth_token = token
    account.save()
    return account


def on_pro(workspace: Workspace) -> Workspace:
    workspace.plan = Workspace.Plan.PRO
    workspace.save()
    return workspace


# --- the settings page ------------------------------------------------------------------------


def test_the_page_says_the_server_account_is_used_until_the_workspace_sets_its_own(
    twilio_api, owner_client
):
    page = text(owner_client.get(PAGE))

    assert "Twilio (SMS and calls)" in page
    assert "Using the server's Twilio account." in page
    assert 'name="twilio-account_sid"' in page


def test_an_owner_saves_valid_credentials_checked_with_twilio_and_stored_encrypted(
    twilio_api, owner_client, workspace
):
    response = save(owner_client)

    assert response.status_code == 302
    account = TwilioAccount.objects.get(workspace=workspace)
    assert (account.account_sid, account.from_number) == (OWN_SID, OWN_NUMBER)
    assert account.auth_token == OWN_TOKEN
    column = stored_token_column(account)
    assert OWN_TOKEN not in column
    assert crypto.decrypt(column) == OWN_TOKEN
    [check] = twilio_api.account_checks()
    assert check.path == f"/2010-04-01/Accounts/{OWN_SID}.json"
    assert (check.user, check.password) == (OWN_SID, OWN_TOKEN)
    page = text(owner_client.get(PAGE))
    assert f"sending from {OWN_NUMBER}" in page
    assert "Twilio connected: texts and calls now come from +442071838750." in page
    assert OWN_TOKEN not in page


def test_saving_again_with_an_empty_token_keeps_the_saved_one(twilio_api, owner_client, workspace):
    connect(workspace)

    response = save(owner_client, auth_token="", from_number="+442071838751")

    assert response.status_code == 302
    account = TwilioAccount.objects.get(workspace=workspace)
    assert (account.from_number, account.auth_token) == ("+442071838751", OWN_TOKEN)
    assert twilio_api.account_checks()[0].password == OWN_TOKEN


def test_credentials_twilio_refuses_show_its_message_and_store_nothing(twilio_api, owner_client):
    response = save(owner_client, auth_token="0" * 32)

    assert response.status_code == 400
    assert "Twilio refused the account check (error 20003): Authenticate" in text(response)
    assert not TwilioAccount.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"account_sid": "SK" + "0" * 32}, "AC followed by 32 hex digits"),
        ({"account_sid": "AC" + "g" * 32}, "AC followed by 32 hex digits"),
        ({"account_sid": OWN_SID + "0" * 300}, "AC followed by 32 hex digits"),
        ({"auth_token": ""}, "Enter the auth token."),
        ({"auth_token": "x" * 65}, "Keep the auth token under 64 characters."),
        ({"auth_token": "abc\x00def"}, "Remove the invisible null character"),
        ({"from_number": "020 7183 8750"}, "international format, e.g. +14155550100"),
        ({"from_number": "+1 555"}, "not a valid phone number"),
        ({"from_number": "+4420\x0071838750"}, "Remove the invisible null character"),
        ({"from_number": "+" + "1" * 40}, "international format, e.g. +14155550100"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_asked_or_stored(
    twilio_api, owner_client, fields, message
):
    response = save(owner_client, **fields)

    assert response.status_code == 400
    assert message in text(response)
    assert twilio_api.account_checks() == []
    assert not TwilioAccount.objects.exists()


def test_a_missing_encryption_key_is_explained_and_nothing_is_stored(
    twilio_api, owner_client, settings
):
    settings.ENCRYPTION_KEYS = []

    response = save(owner_client)

    assert response.status_code == 400
    assert crypto.MISSING_KEY_MESSAGE in text(response)
    assert not TwilioAccount.objects.exists()


def test_a_member_sees_the_status_but_cannot_change_the_account(
    twilio_api, teammate_client, workspace
):
    connect(workspace, token="a" * 32)

    page = text(teammate_client.get(PAGE))
    saved = save(teammate_client)
    removed = teammate_client.post(REMOVE)

    assert f"Connected: account <code>{OWN_SID}</code>, sending from {OWN_NUMBER}." in page
    assert 'name="twilio-account_sid"' not in page
    assert "Remove this workspace's Twilio account" not in page
    assert (saved.status_code, removed.status_code) == (403, 403)
    assert TwilioAccount.objects.get(workspace=workspace).auth_token == "a" * 32
    assert twilio_api.account_checks() == []


def test_an_admin_removes_the_account_and_the_server_default_returns(
    twilio_api, workspace, owner_client
):
    connect(workspace)
    admin = MembershipFactory(workspace=workspace, role=Membership.Role.ADMIN).user

    response = login(admin).post(REMOVE)

    assert response.status_code == 302
    assert not TwilioAccount.objects.exists()
    assert "Using the server's Twilio account." in text(owner_client.get(PAGE))


def test_saving_changes_no_other_workspace(twilio_api, owner_client, outsider, workspace):
    other = outsider.memberships.get().workspace
    connect(other, token="b" * 32)

    save(owner_client, from_number="+442071838751")

    assert TwilioAccount.objects.get(workspace=workspace).from_number == "+442071838751"

    assert TwilioAccount.objects.count() == 2
    other_account = TwilioAccount.objects.get(workspace=other)
    assert (other_account.auth_token, other_account.from_number) == ("b" * 32, OWN_NUMBER)
    assert f"sending from {OWN_NUMBER}" in text(login(outsider).get(PAGE))


def test_rotating_the_encryption_key_re_encrypts_the_twilio_token(twilio_api, workspace, settings):
    account = connect(workspace)
    before = account.auth_token_encrypted
    new = Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [new, *settings.ENCRYPTION_KEYS]
    out = io.StringIO()

    call_command("rotate_encryption_key", stdout=out)

    assert "Re-encrypted the Twilio auth tokens of 1 workspace(s)." in out.getvalue()
    settings.ENCRYPTION_KEYS = [new]
    account.refresh_from_db()
    assert account.auth_token_encrypted != before
    assert account.auth_token == OWN_TOKEN


# --- sending and webhooks with the workspace's account -----------------------------------------


def test_a_workspace_texts_with_its_own_account_and_another_with_the_servers(
    twilio_api, workspace, link, outsider, booked
):
    connect(on_pro(workspace))
    other = on_pro(outsider.memberships.get().workspace)
    other_link = LinkFactory(workspace=other, owner=outsider)
    sms_workflow(workspace)
    sms_workflow(other)
    booked(link, START, phone=PHONE)
    booked(other_link, START, phone="+4915112345679")

    outbox.drain()

    assert [row.state for row in OutboxMessage.objects.filter(kind__startswith="workflow.")] == [
        "sent",
        "sent",
    ]
    sent = {r.form["To"]: (r.user, r.path, r.form["From"]) for r in twilio_api.messages()}
    assert sent == {
        PHONE: (OWN_SID, f"/2010-04-01/Accounts/{OWN_SID}/Messages.json", OWN_NUMBER),
        "+4915112345679": (
            ACCOUNT_SID,
            f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json",
            FROM_NUMBER,
        ),
    }


def test_a_workspace_calls_with_its_own_account(twilio_api, workspace, link, booked):
    workspace.plan = Workspace.Plan.BUSINESS
    workspace.save()
    connect(workspace)
    _, step = sms_workflow(workspace, body="Your meeting starts soon.")
    WorkflowStep.objects.filter(pk=step.pk).update(action=WorkflowStep.Action.VOICE)
    booked(link, START, phone=PHONE)

    outbox.drain()

    [call] = twilio_api.calls()
    assert (call.user, call.form["From"], call.form["To"]) == (OWN_SID, OWN_NUMBER, PHONE)


def test_a_token_that_can_no_longer_be_read_fails_the_step_instead_of_using_the_server(
    twilio_api, workspace, link, booked, settings
):
    connect(on_pro(workspace))
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    sms_workflow(workspace)
    booked(link, START, phone=PHONE)

    outbox.drain()

    row = OutboxMessage.objects.get(kind__startswith="workflow.")
    assert row.state == "failed"
    assert row.last_error == accounts.UNREADABLE
    assert twilio_api.messages() == []


def inbound_stop(*, to: str, token: str):
    params = {
        "MessageSid": "SM" + "e" * 32,
        "AccountSid": OWN_SID,
        "From": PHONE,
        "To": to,
        "Body": "STOP",
    }
    return signed_post(INBOUND, params, token=token)


def test_an_inbound_text_signed_with_the_workspace_token_is_accepted(twilio_api, workspace):
    connect(workspace)

    response = inbound_stop(to=OWN_NUMBER, token=OWN_TOKEN)

    assert response.status_code == 200
    assert "you are unsubscribed" in response.content.decode()


def test_the_workspace_token_does_not_sign_for_another_number(twilio_api, workspace):
    connect(workspace)

    response = inbound_stop(to=FROM_NUMBER, token=OWN_TOKEN)

    assert response.status_code == 403
    assert not SmsOptOut.objects.exists()


def test_the_server_token_still_signs_for_the_server_number(twilio_api, workspace):
    connect(workspace)

    response = inbound_stop(to=FROM_NUMBER, token=fake_twilio.AUTH_TOKEN)

    assert response.status_code == 200
