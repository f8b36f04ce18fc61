"""The members page: invitations by email, roles and their rules, leaving, removing a member
whose bookings then wait for a new host, and switching between one's workspaces."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail

from booking.models import Booking
from tests.conftest import NOW, login
from tests.factories import BookingFactory, LinkFactory, MembershipFactory, UserFactory
from workestra.models import Invitation, Membership
from workflows import outbox
from workflows.models import OutboxMessage

pytestmark = pytest.mark.usefixtures("frozen")

Role = Membership.Role
MEMBERS = "/settings/members"


def invite(client, email, role="member"):
    return client.post(f"{MEMBERS}/invite", {"email": email, "role": role})


def invitation_link(email):
    """The link in the invitation email sent to ``email``, after the outbox is drained."""
    outbox.drain()
    sent = [m for m in mail.outbox if m.to == [email]]
    assert len(sent) == 1, f"expected one invitation email to {email}, got {len(sent)}"
    return re.search(r"https?://\S+(/invite/\S+)", sent[0].body).group(1)


def membership(user, workspace):
    return Membership.objects.get(user=user, workspace=workspace)


@pytest.fixture
def newcomer(db):
    return UserFactory(email="nia@new.test", name="Nia New")


@pytest.fixture
def admin(workspace):
    return MembershipFactory(
        workspace=workspace, role=Role.ADMIN, user__email="ada@acme.test", user__name="Ada Admin"
    ).user


# --- Invitations ------------------------------------------------------------------------------


def test_an_invitation_email_lets_the_invited_account_join_with_its_role(
    owner_client, workspace, newcomer
):
    response = invite(owner_client, "Nia@New.test", role="admin")
    assert response.status_code == 302
    email_link = invitation_link("nia@new.test")
    assert mail.outbox[0].subject == "Olga Owner invited you to Acme on Workestra"

    client = login(newcomer)
    page = client.get(email_link)
    assert page.status_code == 200
    assert not Membership.objects.filter(user=newcomer).exists()  # a GET changes nothing
    accepted = client.post(email_link)

    assert accepted.status_code == 302
    assert membership(newcomer, workspace).role == Role.ADMIN
    assert "Nia New" in client.get(MEMBERS).content.decode()
    outbox.drain()
    assert len(mail.outbox) == 1  # a second drain sends nothing


def test_the_stored_invitation_holds_no_usable_secret(owner_client, newcomer):
    invite(owner_client, "nia@new.test")
    email_link = invitation_link("nia@new.test")
    invitation = Invitation.objects.get()
    secret = email_link.rsplit(".", 1)[1]
    assert secret not in invitation.token_hash
    assert (
        login(newcomer).get(f"/invite/{invitation.pk}.{invitation.token_hash}").status_code == 404
    )


def test_a_signed_out_visitor_is_told_to_sign_in_with_the_invited_address(owner_client, client):
    invite(owner_client, "nia@new.test")
    email_link = invitation_link("nia@new.test")

    page = client.get(email_link).content.decode()

    assert "n…@new.test" in page
    assert f'href="/login?next={email_link.replace("/", "%2F")}"' in page


def test_a_used_link_says_so_and_adds_nobody_twice(owner_client, workspace, newcomer):
    invite(owner_client, "nia@new.test")
    email_link = invitation_link("nia@new.test")
    client = login(newcomer)
    client.post(email_link)

    again = client.post(email_link)

    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert Membership.objects.filter(user=newcomer, workspace=workspace).count() == 1


def test_an_expired_link_says_so(owner_client, newcomer, frozen):
    invite(owner_client, "nia@new.test")
    email_link = invitation_link("nia@new.test")
    frozen.shift(timedelta(days=7, seconds=1))

    response = login(newcomer).post(email_link)

    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not Membership.objects.filter(user=newcomer).exists()


def test_a_withdrawn_invitation_no_longer_works(owner_client, newcomer):
    invite(owner_client, "nia@new.test")
    email_link = invitation_link("nia@new.test")
    invitation = Invitation.objects.get()

    owner_client.post(f"{MEMBERS}/invitations/{invitation.pk}/revoke")
    response = login(newcomer).post(email_link)

    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
    assert not Membership.objects.filter(user=newcomer).exists()


def test_reinviting_replaces_the_open_invitation(owner_client, newcomer, workspace):
    invite(owner_client, "nia@new.test")
    first_link = invitation_link("nia@new.test")
    mail.outbox.clear()
    invite(owner_client, "nia@new.test", role="admin")
    second_link = invitation_link("nia@new.test")
    client = login(newcomer)

    assert client.post(first_link).status_code == 410
    client.post(second_link)
    assert membership(newcomer, workspace).role == Role.ADMIN
    assert Invitation.objects.open().count() == 0


def test_an_invitation_for_another_address_names_it_masked(owner_client, outsider, workspace):
    invite(owner_client, "nia@new.test")
    email_link = invitation_link("nia@new.test")

    response = login(outsider).post(email_link)

    assert response.status_code == 403
    page = response.content.decode()
    assert "This invitation is for n…@new.test" in page
    assert "nia@new.test" not in page
    assert not Membership.objects.filter(user=outsider, workspace=workspace).exists()


def test_a_made_up_token_opens_nothing(client, owner_client):
    invite(owner_client, "nia@new.test")
    pk = Invitation.objects.get().pk
    for token in (f"{pk}.not-the-secret", f"{pk}.", "garbage", "².x", f"{pk + 1}.x"):
        assert client.get(f"/invite/{token}").status_code == 404, token


# --- Who may do what --------------------------------------------------------------------------


def test_a_member_can_neither_invite_nor_change_roles(teammate_client, owner, workspace):
    assert invite(teammate_client, "nia@new.test").status_code == 403
    owner_row = membership(owner, workspace)
    assert (
        teammate_client.post(f"{MEMBERS}/{owner_row.pk}/role", {"role": "member"}).status_code
        == 403
    )
    assert not Invitation.objects.exists()
    assert membership(owner, workspace).role == Role.OWNER


def test_a_member_cannot_raise_their_own_role(teammate_client, teammate, workspace):
    mine = membership(teammate, workspace)
    response = teammate_client.post(f"{MEMBERS}/{mine.pk}/role", {"role": "owner"})
    assert response.status_code == 403
    assert membership(teammate, workspace).role == Role.MEMBER


def test_an_admin_cannot_raise_their_own_role(admin, workspace):
    mine = membership(admin, workspace)
    response = login(admin).post(f"{MEMBERS}/{mine.pk}/role", {"role": "owner"})
    assert response.status_code == 400
    assert "You cannot raise your own role" in response.content.decode()
    assert membership(admin, workspace).role == Role.ADMIN


def test_an_admin_manages_members_but_cannot_make_or_change_owners(
    admin, teammate, owner, workspace
):
    client = login(admin)
    mate = membership(teammate, workspace)
    assert client.post(f"{MEMBERS}/{mate.pk}/role", {"role": "admin"}).status_code == 302
    assert membership(teammate, workspace).role == Role.ADMIN

    refused = client.post(f"{MEMBERS}/{mate.pk}/role", {"role": "owner"})
    assert refused.status_code == 400
    assert "Only an owner can make someone an owner" in refused.content.decode()
    boss = membership(owner, workspace)
    assert client.post(f"{MEMBERS}/{boss.pk}/role", {"role": "member"}).status_code == 400
    assert invite(client, "nia@new.test", role="owner").status_code == 400
    assert membership(teammate, workspace).role == Role.ADMIN
    assert membership(owner, workspace).role == Role.OWNER
    assert not Invitation.objects.exists()


def test_an_owner_can_make_another_owner_and_then_step_down(
    owner_client, owner, teammate, workspace
):
    mate = membership(teammate, workspace)
    mine = membership(owner, workspace)
    owner_client.post(f"{MEMBERS}/{mate.pk}/role", {"role": "owner"})
    assert owner_client.post(f"{MEMBERS}/{mine.pk}/role", {"role": "member"}).status_code == 302
    assert membership(owner, workspace).role == Role.MEMBER


def test_the_last_owner_can_be_neither_demoted_removed_nor_leave(
    owner_client, owner, admin, workspace
):
    mine = membership(owner, workspace)

    demoted = owner_client.post(f"{MEMBERS}/{mine.pk}/role", {"role": "admin"})
    assert demoted.status_code == 400
    assert "at least one owner" in demoted.content.decode()
    removed = owner_client.post(f"{MEMBERS}/{mine.pk}/remove")
    assert removed.status_code == 400
    left = owner_client.post(f"{MEMBERS}/leave")
    assert left.status_code == 400
    assert "You are the last owner" in left.content.decode()
    assert membership(owner, workspace).role == Role.OWNER


def test_a_member_can_leave(teammate_client, teammate, workspace):
    assert teammate_client.post(f"{MEMBERS}/leave").status_code == 302
    assert not Membership.objects.filter(user=teammate, workspace=workspace).exists()


def test_another_workspaces_member_and_invitation_ids_are_404(owner_client, outsider):
    theirs = Membership.objects.get(user=outsider)
    their_invitation = Invitation.objects.create(
        workspace=theirs.workspace,
        email="x@other.test",
        role="member",
        token_hash="0" * 64,
        expires_at=theirs.created_at + timedelta(days=7),
    )
    assert owner_client.post(f"{MEMBERS}/{theirs.pk}/role", {"role": "member"}).status_code == 404
    assert owner_client.post(f"{MEMBERS}/{theirs.pk}/remove").status_code == 404
    revoke = owner_client.post(f"{MEMBERS}/invitations/{their_invitation.pk}/revoke")
    assert revoke.status_code == 404
    assert Membership.objects.filter(pk=theirs.pk).exists()
    assert Invitation.objects.open().filter(pk=their_invitation.pk).exists()


# --- Removing a member ------------------------------------------------------------------------


def test_a_removed_members_upcoming_bookings_stay_and_are_listed_for_a_new_host(
    owner_client, teammate, workspace, admin
):
    link = LinkFactory(workspace=workspace, owner=teammate, title="Demo")
    upcoming = [BookingFactory(link=link), BookingFactory(link=link, name="Bo Guest")]
    mate = membership(teammate, workspace)

    assert owner_client.post(f"{MEMBERS}/{mate.pk}/remove").status_code == 302

    page = owner_client.get(MEMBERS).content.decode()
    assert "2 upcoming bookings of Tim Mate need a new host" in page
    for booking in upcoming:
        assert f'href="/calendar/bookings/{booking.pk}"' in page
        assert owner_client.get(f"/calendar/bookings/{booking.pk}").status_code == 200
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CONFIRMED
    assert not Membership.objects.filter(pk=mate.pk).exists()
    past = BookingFactory(link=link, start=NOW - timedelta(days=1))
    assert f"/calendar/bookings/{past.pk}" not in owner_client.get(MEMBERS).content.decode()


def test_only_owners_and_admins_see_bookings_waiting_for_a_new_host(owner, teammate, workspace):
    link = LinkFactory(workspace=workspace, owner=owner, title="Demo")
    BookingFactory(link=link)
    leaver = MembershipFactory(workspace=workspace, role=Role.OWNER)
    BookingFactory(link=LinkFactory(workspace=workspace, owner=leaver.user))
    login(leaver.user).post(f"{MEMBERS}/leave")

    assert "need a new host" in login(owner).get(MEMBERS).content.decode()
    assert "need a new host" not in login(teammate).get(MEMBERS).content.decode()


# --- Switching workspace ----------------------------------------------------------------------


def test_switching_to_another_of_ones_workspaces(owner_client, owner, outsider):
    second = MembershipFactory(user=owner, workspace__name="Beta", role=Role.MEMBER)
    response = owner_client.post("/settings/workspace", {"workspace": second.workspace_id})
    assert response.status_code == 302
    assert "Members of Beta" in owner_client.get(MEMBERS).content.decode()

    foreign = Membership.objects.get(user=outsider).workspace_id
    assert owner_client.post("/settings/workspace", {"workspace": foreign}).status_code == 404
    assert "Members of Beta" in owner_client.get(MEMBERS).content.decode()


# --- Bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "role", "message"),
    [
        ("not-an-email", "member", "Enter an email address like name@example.com."),
        ("a" * 250 + "@example.com", "member", "at most 254 characters"),
        ("nia\x00@new.test", "member", "Null characters are not allowed."),
        ("nia@new.test", "superuser", "Choose a role: owner, admin or member."),
    ],
    ids=["malformed", "oversized", "nul", "unknown-role"],
)
def test_bad_invitations_are_refused_with_a_message(owner_client, email, role, message):
    response = invite(owner_client, email, role)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Invitation.objects.exists()
    outbox.drain()
    assert mail.outbox == []


def test_an_unknown_role_on_a_member_is_refused(owner_client, teammate, workspace):
    mate = membership(teammate, workspace)
    response = owner_client.post(f"{MEMBERS}/{mate.pk}/role", {"role": "god\x00"})
    assert response.status_code == 400
    assert "Choose a role" in response.content.decode()
    assert membership(teammate, workspace).role == Role.MEMBER


def test_a_malformed_workspace_id_is_refused(owner_client):
    for raw in ("1; drop", "²", "9" * 40, ""):
        assert owner_client.post("/settings/workspace", {"workspace": raw}).status_code == 404


def test_inviting_someone_already_in_the_workspace_says_so(owner_client, teammate):
    response = invite(owner_client, "MATE@acme.test")
    assert response.status_code == 400
    assert "mate@acme.test is already a member of this workspace." in response.content.decode()
    assert not Invitation.objects.exists()


def test_once_the_email_is_out_its_outbox_row_no_longer_holds_the_link(owner_client):
    invite(owner_client, "nia@new.test")
    email_link = invitation_link("nia@new.test")
    secret = email_link.rsplit(".", 1)[1]
    assert secret not in str(OutboxMessage.objects.get(kind="members.invitation").payload)


def test_the_members_page_lists_roles_and_join_dates_and_the_nav_links_it(owner, teammate_client):
    page = teammate_client.get(MEMBERS).content.decode()
    assert '<a href="/settings/members" aria-current="page">Members</a>' in page
    assert "Olga Owner" in page
    assert "Tim Mate (you)" in page
    assert '<td data-label="Role">Owner</td>' in page
    assert '<time datetime="2026-11-23T07:00:00+00:00">23 Nov 2026</time>' in page
    assert "Send invitation" not in page  # members see the list, not the tools


def test_guessing_invitation_links_is_rate_limited(client, db):
    answers = [client.get(f"/invite/{n}.guess").status_code for n in range(35)]
    assert set(answers[:30]) == {404}
    assert answers[-1] == 429
