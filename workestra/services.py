"""Writes of the tenant core: workspaces, teams and who is in them, members, their roles and
invitations."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta

from django.db import transaction
from django.utils.crypto import get_random_string
from django.utils.text import slugify

from workestra import hooks
from workestra.models import Invitation, Membership, Team, TeamMember, User, Workspace

Role = Membership.Role
INVITATION_LIFETIME = timedelta(days=7)
RANK: dict[str, int] = {Role.MEMBER: 0, Role.ADMIN: 1, Role.OWNER: 2}


class MembershipRefused(Exception):
    """A change to who is in a workspace that its rules forbid; the message says why."""


def workspace_create_for_owner(*, user: User, name: str = "") -> Workspace:
    """A new free workspace with ``user`` as its owner; it is named after them unless ``name``
    is given, and its slug is made unique."""
    name = name.strip() or f"{user.name.strip() or user.email.split('@')[0]}'s workspace"
    name = name[: Workspace._meta.get_field("name").max_length]
    with transaction.atomic():
        workspace = Workspace.objects.create(
            name=name, slug=_unique_slug(name), plan=Workspace.Plan.FREE
        )
        Membership.objects.create(workspace=workspace, user=user, role=Membership.Role.OWNER)
    return workspace


def _unique_slug(name: str) -> str:
    base = slugify(name)[:48].strip("-") or "workspace"
    slug = base
    while Workspace.objects.filter(slug=slug).exists():
        slug = f"{base}-{get_random_string(6, 'abcdefghijklmnopqrstuvwxyz0123456789')}"
    return slug


def team_free_slug(name: str) -> str:
    """A slug made from ``name`` that no team uses, the way a link's comes from its title:
    ``Customer Success`` gives ``customer-success``, then ``customer-success-2``."""
    # slugify() keeps underscores, which the team form rejects.
    base = re.sub(r"[^a-z0-9]+", "-", slugify(name))[:54].strip("-") or "team"
    slug, n = base, 2
    while Team.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def team_create(
    *, workspace: Workspace, name: str, slug: str, description: str, roles: Mapping[int, str]
) -> Team:
    """A new team; ``roles`` maps each member's user id to their team role. A blank ``slug``
    is made from the name."""
    team = Team(workspace=workspace)
    slug = slug or team_free_slug(name)
    return _save(team, name=name, slug=slug, description=description, roles=roles)


def team_update(
    *, team: Team, name: str, slug: str, description: str, roles: Mapping[int, str]
) -> Team:
    """Change the team; whoever is not in ``roles`` leaves it, the others get their role. A
    blank ``slug`` keeps the team's address."""
    return _save(team, name=name, slug=slug or team.slug, description=description, roles=roles)


def _save(team: Team, *, name: str, slug: str, description: str, roles: Mapping[int, str]) -> Team:
    with transaction.atomic():
        team.name = name
        team.slug = slug
        team.description = description
        team.save()
        team.team_members.exclude(user_id__in=list(roles)).delete()
        for user_id, role in roles.items():
            TeamMember.objects.update_or_create(team=team, user_id=user_id, defaults={"role": role})
    return team


# --- Members and roles ------------------------------------------------------------------------


def _check_manage(actor: Membership, *, current: str | None, wanted: str | None) -> None:
    """Owners manage everyone; admins manage members and admins; members manage nobody."""
    if wanted is not None and wanted not in Role.values:
        raise MembershipRefused("Choose a role: owner, admin or member.")
    if not actor.is_admin:
        raise MembershipRefused("Only owners and admins can manage members.")
    if actor.role != Role.OWNER and Role.OWNER in (current, wanted):
        raise MembershipRefused("Only an owner can make someone an owner or change an owner.")


def _refuse_losing_last_owner(membership: Membership, message: str) -> None:
    """Lock the workspace's owners so two demotions at once cannot both pass the count."""
    if membership.role != Role.OWNER:
        return
    owners = list(
        Membership.objects.select_for_update()
        # A switched-off owner cannot act, so only owners still switched on count.
        .filter(workspace_id=membership.workspace_id, role=Role.OWNER, deactivated_at__isnull=True)
        .order_by("pk")  # one lock order, so two owners stepping down at once cannot deadlock
        .values_list("pk", flat=True)
    )
    if owners == [membership.pk]:
        raise MembershipRefused(message)


def membership_set_role(*, actor: Membership, membership: Membership, role: str) -> Membership:
    if membership.pk == actor.pk and RANK.get(role, 0) > RANK[actor.role]:
        raise MembershipRefused("You cannot raise your own role; ask an owner.")
    _check_manage(actor, current=membership.role, wanted=role)
    with transaction.atomic():
        if role != Role.OWNER:
            _refuse_losing_last_owner(
                membership,
                "A workspace needs at least one owner: make someone else an owner first.",
            )
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def membership_remove(*, actor: Membership, membership: Membership) -> None:
    """Take someone out of the workspace. Their upcoming bookings stay, waiting for a new host."""
    if membership.pk == actor.pk:
        membership_leave(membership=membership)
        return
    _check_manage(actor, current=membership.role, wanted=None)
    with transaction.atomic():
        _refuse_losing_last_owner(membership, "The last owner cannot be removed.")
        _leave(membership)


def membership_leave(*, membership: Membership) -> None:
    with transaction.atomic():
        _refuse_losing_last_owner(
            membership,
            "You are the last owner: make someone else an owner before you leave.",
        )
        _leave(membership)


def membership_keep_an_owner(*, membership: Membership, message: str) -> None:
    """Refuse (with ``message``) when ``membership`` is the workspace's last owner; call inside
    the transaction that takes the owner away."""
    _refuse_losing_last_owner(membership, message)


def membership_deprovision(*, membership: Membership) -> None:
    """The workspace's identity provider takes someone out; the last owner stays."""
    with transaction.atomic():
        _refuse_losing_last_owner(membership, "The last owner cannot be removed.")
        _leave(membership)


def _leave(membership: Membership) -> None:
    TeamMember.objects.filter(
        team__workspace_id=membership.workspace_id, user_id=membership.user_id
    ).delete()
    membership.delete()


# --- Invitations --------------------------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def invitation_create(
    *, actor: Membership, email: str, role: str, now: datetime
) -> tuple[Invitation, str]:
    """Invite ``email`` with ``role``; an open invitation to the same address is replaced.

    Returns the invitation and its link token, ``<pk>.<secret>``. The token is not stored: only
    the email, enqueued in this transaction, carries it.
    """
    _check_manage(actor, current=None, wanted=role)
    email = email.strip().lower()
    if Membership.objects.filter(workspace_id=actor.workspace_id, user__email=email).exists():
        raise MembershipRefused(f"{email} is already a member of this workspace.")
    secret = secrets.token_urlsafe(16)  # 128 bits
    with transaction.atomic():
        Invitation.objects.open().filter(
            workspace_id=actor.workspace_id, email__iexact=email
        ).update(revoked_at=now)
        invitation = Invitation.objects.create(
            workspace_id=actor.workspace_id,
            email=email,
            role=role,
            invited_by=actor.user,
            token_hash=_hash(secret),
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
        )
        token = f"{invitation.pk}.{secret}"
        hooks.invitation_mailer(invitation, token)
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link's token opens, compared in constant time; ``None`` for any other."""
    pk, _, secret = token.partition(".")
    if not (pk.isascii() and pk.isdigit()) or len(pk) > 18 or not secret:
        return None
    invitation = Invitation.objects.select_related("workspace").filter(pk=int(pk)).first()
    if invitation is None or not hmac.compare_digest(invitation.token_hash, _hash(secret)):
        return None
    return invitation


def invitation_problem(invitation: Invitation, *, now: datetime) -> str | None:
    """Why the link no longer works, or ``None`` while it can be accepted."""
    if invitation.accepted_at is not None:
        return "This invitation has already been used."
    if invitation.revoked_at is not None:
        return "This invitation was withdrawn. Ask for a new one."
    if invitation.expires_at <= now:
        return "This invitation has expired. Ask for a new one."
    return None


def invitation_accept(*, invitation: Invitation, user: User, now: datetime) -> Membership:
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        problem = invitation_problem(invitation, now=now)
        if problem:
            raise MembershipRefused(problem)
        if invitation.email.lower() != user.email.lower():
            raise MembershipRefused("This invitation is for another email address.")
        membership, _ = Membership.objects.get_or_create(
            workspace_id=invitation.workspace_id,
            user=user,
            defaults={"role": invitation.role, "created_at": now},
        )
        invitation.accepted_at = now
        invitation.save(update_fields=["accepted_at"])
    return membership


def invitation_revoke(*, actor: Membership, invitation: Invitation, now: datetime) -> None:
    _check_manage(actor, current=invitation.role, wanted=None)
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise MembershipRefused("Only an open invitation can be withdrawn.")
    invitation.revoked_at = now
    invitation.save(update_fields=["revoked_at"])
