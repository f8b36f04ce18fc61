"""SCIM provisioning: the workspace's bearer token, users switched on, off and out, teams as
groups, the plan gate, and bad input answered as SCIM errors."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from django.test import Client

from tests.conftest import login
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory
from workestra.models import Membership, ScimToken, Team, TeamMember, User, Workspace
from workestra.scim.services import scim_token_create

pytestmark = pytest.mark.usefixtures("frozen")

BASE = "/scim/v2"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture
def secret(business, owner):
    return scim_token_create(workspace=business, by=owner, now=business.created_at)[1]


def call(method, path, secret=None, body=None, raw=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    data = raw if raw is not None else (json.dumps(body) if body is not None else "")
    return getattr(Client(), method)(
        f"{BASE}{path}", data=data, content_type="application/scim+json", **headers
    )


def new_user(secret, email="new@acme.test", **extra):
    body = {"userName": email, "name": {"givenName": "Nia", "familyName": "New"}, **extra}
    return call("post", "/Users", secret, body)


def patch_active(secret, user_id, value, entra=False):
    operation = (
        {"op": "Replace", "path": "active", "value": "False" if value is False else "True"}
        if entra
        else {"op": "replace", "value": {"active": value}}
    )
    return call(
        "patch", f"/Users/{user_id}", secret, {"schemas": [PATCH], "Operations": [operation]}
    )


def signed_in(user):
    """A browser signed in through the login page, as people sign in (the session is tracked)."""
    client = Client()
    response = client.post("/login", {"login": user.email, "password": "correct horse battery"})
    assert response.status_code == 302
    return client


def assert_error(response, status, scim_type=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/scim+json")
    body = response.json()
    assert body["schemas"] == [ERROR]
    assert body["status"] == str(status)
    assert body["detail"]
    if scim_type:
        assert body["scimType"] == scim_type


# --- Token and plan -------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic abc", "Bearer "])
def test_missing_or_wrong_token_is_401_and_writes_nothing(secret, header):
    headers = {"HTTP_AUTHORIZATION": header} if header else {}
    response = Client().post(
        f"{BASE}/Users",
        data=json.dumps({"userName": "x@acme.test"}),
        content_type="application/scim+json",
        **headers,
    )
    assert_error(response, 401)
    assert not User.objects.filter(email="x@acme.test").exists()


def test_revoked_token_is_401(secret, owner_client):
    token = ScimToken.objects.get()
    owner_client.post(f"/settings/scim/{token.pk}/revoke")
    assert_error(new_user(secret), 401)
    assert not User.objects.filter(email="new@acme.test").exists()


def test_a_plan_without_scim_gets_403(secret, business):
    business.plan = Workspace.Plan.PRO
    business.save(update_fields=["plan"])
    response = new_user(secret)
    assert_error(response, 403)
    assert "Business" in response.json()["detail"]
    assert not User.objects.filter(email="new@acme.test").exists()


def test_discovery_documents(secret):
    config = call("get", "/ServiceProviderConfig", secret).json()
    assert config["patch"]["supported"] is True
    types = call("get", "/ResourceTypes", secret).json()
    assert {t["endpoint"] for t in types["Resources"]} == {"/Users", "/Groups"}
    schemas = call("get", "/Schemas", secret).json()
    assert schemas["totalResults"] == 2


# --- Users --------------------------------------------------------------------------------------


def test_create_user_makes_a_member_of_this_workspace_only(secret, business):
    response = new_user(secret, "Nia@Acme.test")
    assert response.status_code == 201
    body = response.json()
    assert body["userName"] == "nia@acme.test"
    assert body["active"] is True
    user = User.objects.get(email="nia@acme.test")
    assert user.name == "Nia New"
    assert body["id"] == str(user.pk)
    assert list(user.memberships.values_list("workspace", "role")) == [(business.pk, "member")]


def test_creating_an_existing_member_is_409(secret, teammate):
    assert_error(new_user(secret, teammate.email), 409, "uniqueness")


def test_filter_by_username_and_paging(secret, owner, teammate):
    found = call("get", '/Users?filter=userName eq "MATE@acme.test"', secret).json()
    assert found["totalResults"] == 1
    assert found["Resources"][0]["id"] == str(teammate.pk)
    page = call("get", "/Users?startIndex=2&count=1", secret).json()
    assert page["totalResults"] == 2
    assert page["startIndex"] == 2
    assert [r["id"] for r in page["Resources"]] == [str(max(owner.pk, teammate.pk))]


def test_another_workspaces_ids_are_404(secret, outsider):
    other_team = Team.objects.create(
        workspace=outsider.memberships.get().workspace, name="Theirs", slug="theirs"
    )
    assert_error(call("get", f"/Users/{outsider.pk}", secret), 404)
    assert_error(patch_active(secret, outsider.pk, False), 404)
    assert_error(call("delete", f"/Users/{outsider.pk}", secret), 404)
    assert_error(call("get", f"/Groups/{other_team.pk}", secret), 404)
    assert_error(call("delete", f"/Groups/{other_team.pk}", secret), 404)
    assert outsider.memberships.get().deactivated_at is None
    assert Team.objects.filter(pk=other_team.pk).exists()


@pytest.mark.parametrize("entra", [False, True], ids=["rfc", "entra-id"])
def test_deactivation_signs_the_member_out_and_keeps_them_out(secret, teammate, entra):
    client = signed_in(teammate)
    assert client.get("/settings/members").status_code == 200
    response = patch_active(secret, teammate.pk, False, entra=entra)
    assert response.status_code == 200
    assert response.json()["active"] is False
    after = client.get("/settings/members")
    assert after.status_code == 302
    assert after["Location"].startswith("/login")
    teammate.refresh_from_db()
    assert teammate.is_active is False  # in no other workspace
    # Even a fresh sign-in does not reach the workspace.
    assert login(teammate).get("/settings/members").status_code == 302


def test_deactivation_keeps_the_account_of_someone_in_another_workspace(secret, teammate):
    other = MembershipFactory(user=teammate, workspace=WorkspaceFactory(name="Other")).workspace
    browser = signed_in(teammate)
    assert browser.get("/settings/members").status_code == 200
    patch_active(secret, teammate.pk, False)
    teammate.refresh_from_db()
    assert teammate.is_active is True
    # Their session ended all the same; signing in again reaches only the other workspace.
    assert browser.get("/settings/members")["Location"].startswith("/login")
    page = login(teammate).get("/settings/members")
    assert page.status_code == 200
    assert page.context["current_workspace"] == other


def test_reactivation_lets_the_member_back_in(secret, teammate):
    patch_active(secret, teammate.pk, False)
    response = patch_active(secret, teammate.pk, True, entra=True)
    assert response.json()["active"] is True
    teammate.refresh_from_db()
    assert teammate.is_active is True
    assert login(teammate).get("/settings/members").status_code == 200


def test_put_replaces_name_and_active(secret, teammate):
    body = {"userName": teammate.email, "displayName": "Tim Renamed", "active": False}
    response = call("put", f"/Users/{teammate.pk}", secret, body)
    assert response.status_code == 200
    teammate.refresh_from_db()
    assert teammate.name == "Tim Renamed"
    assert Membership.objects.get(user=teammate).deactivated_at is not None


def test_delete_removes_the_membership(secret, teammate):
    team = Team.objects.create(workspace=teammate.memberships.get().workspace, name="T", slug="t")
    TeamMember.objects.create(team=team, user=teammate)
    assert call("delete", f"/Users/{teammate.pk}", secret).status_code == 204
    assert not Membership.objects.filter(user=teammate).exists()
    assert not TeamMember.objects.filter(user=teammate).exists()
    assert_error(call("get", f"/Users/{teammate.pk}", secret), 404)


def test_the_last_owner_is_neither_deleted_nor_deactivated(secret, owner):
    assert_error(call("delete", f"/Users/{owner.pk}", secret), 409)
    assert_error(patch_active(secret, owner.pk, False), 409)
    membership = Membership.objects.get(user=owner)
    assert membership.deactivated_at is None


# --- Groups -------------------------------------------------------------------------------------


def test_groups_create_add_and_remove_members(secret, owner, teammate):
    created = call(
        "post", "/Groups", secret, {"displayName": "Sales", "members": [{"value": str(owner.pk)}]}
    )
    assert created.status_code == 201
    group_id = created.json()["id"]
    team = Team.objects.get(pk=group_id)
    assert list(team.members.all()) == [owner]
    add = {"op": "add", "path": "members", "value": [{"value": str(teammate.pk)}]}
    call("patch", f"/Groups/{group_id}", secret, {"schemas": [PATCH], "Operations": [add]})
    assert set(team.members.all()) == {owner, teammate}
    remove = {"op": "remove", "path": f'members[value eq "{owner.pk}"]'}
    response = call(
        "patch", f"/Groups/{group_id}", secret, {"schemas": [PATCH], "Operations": [remove]}
    )
    assert [m["value"] for m in response.json()["members"]] == [str(teammate.pk)]
    listed = call("get", '/Groups?filter=displayName eq "Sales"', secret).json()
    assert listed["totalResults"] == 1
    assert call("delete", f"/Groups/{group_id}", secret).status_code == 204
    assert not Team.objects.filter(pk=group_id).exists()


def test_a_group_cannot_take_someone_from_another_workspace(secret, outsider):
    body = {"displayName": "Mixed", "members": [{"value": str(outsider.pk)}]}
    assert_error(call("post", "/Groups", secret, body), 400, "invalidValue")
    assert not Team.objects.filter(name="Mixed").exists()


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "raw", "status"),
    [
        ("post", "/Users", "{not json", 400),
        ("post", "/Users", "[1, 2]", 400),
        ("post", "/Users", '{"userName": 5}', 400),
        ("post", "/Users", '{"userName": "not-an-email"}', 400),
        ("post", "/Users", '{"displayName": "No email"}', 400),
        ("post", "/Users", '{"userName": "a\\u0000@acme.test"}', 400),
        ("post", "/Users", '{"userName": "a@acme.test", "active": "maybe"}', 400),
        ("post", "/Users", '{"userName": "a@acme.test", "name": "flat"}', 400),
        ("post", "/Users", '{"userName": "a@acme.test", "x": "' + "y" * 70000 + '"}', 413),
        ("post", "/Users", b"\xff\xfe", 400),
        ("get", '/Users?filter=userName co "a"', "", 400),
        ("get", '/Users?filter=emails eq "a@acme.test"', "", 400),
        ("get", "/Users?startIndex=abc", "", 400),
        ("get", "/Users?startIndex=99999999999999999999999", "", 400),
        ("get", '/Users?filter=userName eq "a%00@acme.test"', "", 400),
        ("get", "/Users?filter=" + "a" * 400, "", 400),
        ("get", "/Users/abc", "", 404),
        ("get", "/Users/99999999999999999999", "", 404),
        ("patch", "/Users/{teammate}", '{"Operations": []}', 400),
        ("patch", "/Users/{teammate}", '{"Operations": [{"op": "move"}]}', 400),
        ("patch", "/Users/{teammate}", '{"Operations": [{"op": "replace", "path": "x"}]}', 400),
        ("patch", "/Users/{teammate}", '{"Operations": [{"op": "replace", "value": 3}]}', 400),
        ("post", "/Groups", '{"displayName": ""}', 400),
        ("post", "/Groups", '{"displayName": "G", "members": [{"value": true}]}', 400),
        ("put", "/Groups", "{}", 405),
    ],
)
def test_bad_input_is_a_scim_error_and_writes_nothing(secret, teammate, method, path, raw, status):
    users, teams = User.objects.count(), Team.objects.count()
    response = call(method, path.replace("{teammate}", str(teammate.pk)), secret, raw=raw)
    assert_error(response, status)
    assert (User.objects.count(), Team.objects.count()) == (users, teams)
    assert Membership.objects.get(user=teammate).deactivated_at is None


# --- Settings page ------------------------------------------------------------------------------


def test_settings_page_shows_a_new_token_once_and_stores_its_hash(business, owner_client):
    response = owner_client.post("/settings/scim/create")
    assert response.status_code == 201
    shown = re.search(r'id="new-token"[^>]*value="([^"]+)"', response.content.decode())
    assert shown is not None
    secret = shown.group(1)
    token = ScimToken.objects.get()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in token.token_hash
    assert secret not in owner_client.get("/settings/scim").content.decode()
    assert call("get", "/Users", secret).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_settings_page_is_for_owners_on_a_plan_with_scim(workspace, owner_client, teammate_client):
    assert teammate_client.get("/settings/scim").status_code == 403
    assert teammate_client.post("/settings/scim/create").status_code == 403
    response = owner_client.post("/settings/scim/create")
    assert response.status_code == 403
    assert "Business plan" in response.content.decode()
    assert not ScimToken.objects.exists()


def test_revoking_another_workspaces_token_is_404(secret, outsider):
    token = ScimToken.objects.get()
    assert login(outsider).post(f"/settings/scim/{token.pk}/revoke").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_two_workspaces_get_their_own_members(secret, db):
    other = WorkspaceFactory(plan=Workspace.Plan.BUSINESS)
    owner = UserFactory()
    other_secret = scim_token_create(workspace=other, by=owner, now=other.created_at)[1]
    new_user(other_secret, "shared@acme.test")
    new_user(secret, "shared@acme.test")
    user = User.objects.get(email="shared@acme.test")
    assert user.memberships.count() == 2
    listed = call("get", '/Users?filter=userName eq "shared@acme.test"', other_secret).json()
    assert listed["totalResults"] == 1


def test_requests_over_the_per_token_limit_are_429(secret, monkeypatch):
    monkeypatch.setattr("workestra.scim.views.PER_TOKEN_PER_MINUTE", 2)
    assert call("get", "/Users", secret).status_code == 200
    assert call("get", "/Users", secret).status_code == 200
    assert_error(call("get", "/Users", secret), 429)
    assert_error(new_user(secret), 429)
    assert not User.objects.filter(email="new@acme.test").exists()


def test_repeated_wrong_tokens_are_slowed_down(secret, monkeypatch):
    monkeypatch.setattr("workestra.scim.views.FAILED_AUTH_PER_MINUTE", 2)
    statuses = [call("get", "/Users", "wrong").status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    assert call("get", "/Users", secret).status_code == 200


def test_a_member_switched_off_elsewhere_can_be_provisioned_again(secret, db):
    gone = MembershipFactory(workspace=WorkspaceFactory(plan=Workspace.Plan.BUSINESS))
    other_secret = scim_token_create(workspace=gone.workspace, by=gone.user, now=gone.created_at)[1]
    MembershipFactory(workspace=gone.workspace)  # another owner, so this one can go
    patch_active(other_secret, gone.user.pk, False)
    gone.user.refresh_from_db()
    assert gone.user.is_active is False
    assert new_user(secret, gone.user.email).status_code == 201
    gone.user.refresh_from_db()
    assert gone.user.is_active is True
    assert login(gone.user).get("/settings/members").status_code == 200


def test_members_page_shows_who_was_switched_off(secret, owner_client, teammate):
    patch_active(secret, teammate.pk, False)
    page = owner_client.get("/settings/members").content.decode()
    assert "switched off by your identity provider" in page
    assert 'href="/settings/scim"' in page


def test_entra_id_attribute_updates_we_do_not_keep_are_accepted(secret, teammate):
    operations = [
        {"op": "Add", "path": 'emails[type eq "work"].value', "value": teammate.email},
        {"op": "Replace", "path": "externalId", "value": "abc-123"},
        {"op": "Replace", "path": "name.givenName", "value": "Timothy"},
    ]
    response = call(
        "patch", f"/Users/{teammate.pk}", secret, {"schemas": [PATCH], "Operations": operations}
    )
    assert response.status_code == 200
    teammate.refresh_from_db()
    assert teammate.name == "Timothy Mate"
    rename = [{"op": "replace", "path": "userName", "value": "other@acme.test"}]
    response = call("patch", f"/Users/{teammate.pk}", secret, {"Operations": rename})
    assert_error(response, 400, "mutability")
    teammate.refresh_from_db()
    assert teammate.email == "mate@acme.test"


def test_put_group_replaces_name_and_members(secret, owner, teammate):
    team = Team.objects.create(workspace=owner.memberships.get().workspace, name="A", slug="a")
    TeamMember.objects.create(team=team, user=owner)
    body = {"displayName": "B", "members": [{"value": str(teammate.pk)}]}
    response = call("put", f"/Groups/{team.pk}", secret, body)
    assert response.status_code == 200
    team.refresh_from_db()
    assert team.name == "B"
    assert list(team.members.all()) == [teammate]


def test_a_switched_off_owner_does_not_count_as_the_other_owner(secret, owner, workspace):
    second = MembershipFactory(workspace=workspace, role=Membership.Role.OWNER).user
    assert patch_active(secret, second.pk, False).status_code == 200
    assert_error(patch_active(secret, owner.pk, False), 409)
    assert_error(call("delete", f"/Users/{owner.pk}", secret), 409)
    assert Membership.objects.get(user=owner).deactivated_at is None
    # The switched-off owner can go.
    assert call("delete", f"/Users/{second.pk}", secret).status_code == 204
