"""Signing in and out, the workspace every host-side request is scoped to, and the Django admin."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import Client, RequestFactory

from booking.models import BookingLink, Reservation
from crm.models import Contact, Deal
from tests.conftest import NOW, login
from tests.factories import BookingFactory, LinkFactory, MembershipFactory, StageFactory
from workestra.models import Invitation, Membership, User
from workestra.tenancy import SESSION_KEY, WorkspaceMiddleware, scoped
from workflows.models import OutboxMessage

PASSWORD = "correct horse battery"  # what UserFactory sets
LIST_URL = "/settings/booking-links"


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def without_csrf_tokens(content: bytes) -> bytes:
    """The page with its masked CSRF tokens (64 letters and digits, new on every render) removed."""
    return re.sub(rb"[A-Za-z0-9]{64}", b"", content)


def choose_workspace(client: Client, workspace_id: int) -> None:
    session = client.session
    session[SESSION_KEY] = workspace_id
    session.save()


# --- Login and logout -----------------------------------------------------------------------


def test_login_page_asks_for_email_and_password(client, db):
    response = client.get("/login")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'type="email" name="login"' in page
    assert 'type="password" name="password"' in page


def test_login_with_email_and_password_opens_the_booking_links(client, owner):
    response = client.post("/login", {"login": "owner@acme.test", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    assert is_signed_in(client)
    assert client.get(LIST_URL).status_code == 200


def test_login_trims_spaces_around_the_email(client, owner):
    client.post("/login", {"login": "  owner@acme.test ", "password": PASSWORD})

    assert is_signed_in(client)


def test_login_email_is_case_insensitive(client, owner):
    client.post("/login", {"login": "Owner@ACME.test", "password": PASSWORD})

    assert is_signed_in(client)


def test_new_users_emails_are_stored_lowercase(db):
    user = User.objects.create_user("New.Person@Example.COM", PASSWORD)

    assert user.email == "new.person@example.com"


def test_login_with_a_wrong_password_shows_an_error(client, owner):
    response = client.post("/login", {"login": "owner@acme.test", "password": "wrong"})

    assert response.status_code == 200
    assert (
        "The email address and/or password you specified are not correct."
        in response.content.decode()
    )
    assert 'value="owner@acme.test"' in response.content.decode()
    assert not is_signed_in(client)


def test_login_with_an_unknown_email_shows_the_same_error(client, owner):
    response = client.post("/login", {"login": "nobody@acme.test", "password": PASSWORD})

    assert (
        "The email address and/or password you specified are not correct."
        in response.content.decode()
    )
    assert not is_signed_in(client)


def test_deactivated_user_cannot_log_in(client, owner):
    owner.is_active = False
    owner.save()

    client.post("/login", {"login": "owner@acme.test", "password": PASSWORD})

    assert not is_signed_in(client)


def test_login_returns_to_the_page_that_asked_for_it(client, owner):
    response = client.post(
        "/login",
        {
            "login": "owner@acme.test",
            "password": PASSWORD,
            "next": "/settings/booking-links/new",
        },
    )

    assert response["Location"] == "/settings/booking-links/new"


def test_login_ignores_a_next_url_on_another_site(client, owner):
    response = client.post(
        "/login",
        {"login": "owner@acme.test", "password": PASSWORD, "next": "https://evil.example/"},
    )

    assert response["Location"] == LIST_URL


def test_signed_in_user_visiting_login_goes_to_the_booking_links(owner_client):
    response = owner_client.get("/login")

    assert response.status_code == 302
    assert response["Location"] == LIST_URL


def test_home_sends_visitors_to_login_and_hosts_to_their_links(client, owner_client):
    assert client.get("/")["Location"] == "/login"
    assert owner_client.get("/")["Location"] == LIST_URL


def test_logout_is_a_post_that_ends_the_session(owner_client):
    response = owner_client.post("/logout")

    assert response.status_code == 302
    assert response["Location"] == "/login"
    assert not is_signed_in(owner_client)
    assert owner_client.get(LIST_URL)["Location"] == f"/login?next={LIST_URL}"


def test_logout_by_get_is_refused_and_keeps_the_session(owner_client):
    response = owner_client.get("/logout")

    assert response.status_code == 405
    assert is_signed_in(owner_client)


def test_pages_offer_logout_as_a_form_post(owner_client):
    page = owner_client.get(LIST_URL).content.decode()

    assert '<form method="post" action="/logout"' in page


# --- Workspace scoping ----------------------------------------------------------------------


def test_signed_in_user_without_a_workspace_gets_a_page_saying_so(unused_user):
    response = login(unused_user).get(LIST_URL)

    assert response.status_code == 403
    assert "not a member of any workspace" in response.content.decode()


def test_user_without_a_workspace_cannot_create_links(unused_user):
    response = login(unused_user).post("/settings/booking-links/new", {"title": "Sneaky"})

    assert response.status_code == 403
    assert not BookingLink.objects.exists()


def test_first_membership_is_the_default_workspace_and_is_remembered(frozen, owner, workspace):
    # The clock is frozen before the owner's first membership is stamped, so "a day later"
    # really is later whatever day the suite runs.
    MembershipFactory(user=owner, created_at=NOW + timedelta(days=1))
    client = login(owner)

    client.get(LIST_URL)

    assert client.session[SESSION_KEY] == workspace.pk


def test_member_of_two_workspaces_sees_the_one_chosen_in_the_session(owner, link):
    second = MembershipFactory(user=owner, workspace__name="Side project").workspace
    LinkFactory(workspace=second, owner=owner, title="Side project call")
    client = login(owner)

    first_page = client.get(LIST_URL).content.decode()
    choose_workspace(client, second.pk)
    second_page = client.get(LIST_URL).content.decode()

    assert "Intro call" in first_page
    assert "Side project call" not in first_page
    assert "Side project call" in second_page
    assert "Intro call" not in second_page


def test_links_of_the_other_workspace_are_not_found_while_one_is_chosen(owner, link):
    second = MembershipFactory(user=owner).workspace
    client = login(owner)
    choose_workspace(client, second.pk)

    assert client.get(f"/settings/booking-links/{link.pk}").status_code == 404


def test_session_pointing_at_a_foreign_workspace_falls_back_to_the_users_own(
    owner_client, workspace, outsider
):
    foreign = outsider.memberships.get().workspace
    LinkFactory(workspace=foreign, owner=outsider, title="Their demo")
    choose_workspace(owner_client, foreign.pk)

    page = owner_client.get(LIST_URL).content.decode()

    assert "Their demo" not in page
    assert "Acme" in page
    assert owner_client.session[SESSION_KEY] == workspace.pk


def test_removed_member_loses_the_workspace(teammate, teammate_client, link):
    assert teammate_client.get(LIST_URL).status_code == 200

    Membership.objects.filter(user=teammate).delete()

    assert teammate_client.get(LIST_URL).status_code == 403
    assert teammate_client.get(f"/settings/booking-links/{link.pk}").status_code == 403


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", ""), ("post", ""), ("post", "/toggle"), ("get", "/delete"), ("post", "/delete")],
)
def test_another_workspaces_link_looks_exactly_like_a_missing_one(
    outsider_client, link, method, suffix
):
    send = getattr(outsider_client, method)

    foreign = send(f"/settings/booking-links/{link.pk}{suffix}")
    missing = send(f"/settings/booking-links/999999{suffix}")

    assert foreign.status_code == missing.status_code == 404
    assert without_csrf_tokens(foreign.content) == without_csrf_tokens(missing.content)
    link.refresh_from_db()
    assert (link.title, link.is_active, link.deleted_at) == ("Intro call", True, None)


def test_middleware_leaves_anonymous_requests_without_a_workspace(db):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    seen = {}

    def view(req):
        seen.update(workspace=req.workspace, membership=req.membership)
        return HttpResponse()

    WorkspaceMiddleware(view)(request)

    assert seen == {"workspace": None, "membership": None}


def test_scoped_keeps_only_the_requests_workspace_rows(link, outsider):
    LinkFactory(workspace=outsider.memberships.get().workspace, owner=outsider)
    request = RequestFactory().get("/")
    request.workspace = link.workspace

    assert list(scoped(BookingLink.objects.all(), request)) == [link]


# --- Django admin ---------------------------------------------------------------------------

ADMIN_APPS = ("availability", "workestra", "crm", "booking", "workflows")
ADMIN_MODELS = [
    pytest.param(model._meta.label_lower, id=model._meta.label)
    for label in ADMIN_APPS
    for model in apps.get_app_config(label).get_models()
]


@pytest.fixture
def superuser_client(db):
    user = User.objects.create_superuser("root@workestra.test", PASSWORD)
    return login(user)


@pytest.fixture
def one_of_everything(link, owner, workspace):
    """A row in every table the admin lists, so each changelist renders its columns."""
    stage = StageFactory(pipeline__workspace=workspace)
    contact = Contact.objects.create(workspace=workspace, email="ada@example.com", name="Ada")
    deal = Deal.objects.create(workspace=workspace, contact=contact, stage=stage, title="Ada deal")
    booking = BookingFactory(
        link=link,
        start=NOW + timedelta(days=2),
        name="Ada",
        ical_uid="admin-test@workestra.test",
        contact=contact,
        deal=deal,
    )
    Reservation.objects.create(
        booking=booking, host=owner, blocked_start=booking.start, blocked_end=booking.end
    )
    OutboxMessage.objects.create(kind="email.confirmation", idempotency_key="admin-test")
    Invitation.objects.create(
        workspace=workspace,
        email="new@acme.test",
        role="member",
        invited_by=owner,
        token_hash="0" * 64,
        expires_at=NOW + timedelta(days=7),
    )


@pytest.mark.parametrize("model", ADMIN_MODELS)
@pytest.mark.usefixtures("one_of_everything")
def test_admin_changelist_loads_for_a_superuser(superuser_client, model):
    app_label, model_name = model.split(".")

    response = superuser_client.get(f"/admin/{app_label}/{model_name}/")

    assert response.status_code == 200


def test_admin_changelist_is_closed_to_hosts_who_are_not_staff(owner_client):
    response = owner_client.get("/admin/booking/bookinglink/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_workspace_admin_inline_lists_members(superuser_client, workspace, owner):
    response = superuser_client.get(f"/admin/workestra/workspace/{workspace.pk}/change/")

    assert response.status_code == 200
    assert "Olga Owner" in response.content.decode()


def test_admin_pages_stay_closed_to_a_second_workspace_owner(outsider_client):
    assert outsider_client.get("/admin/").status_code == 302


def test_outsider_cannot_see_the_workspace_name_of_others(outsider_client, workspace):
    page = outsider_client.get(LIST_URL).content.decode()

    assert "Acme" not in page
