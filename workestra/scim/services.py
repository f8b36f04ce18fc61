"""Writes of SCIM provisioning: tokens, members switched on, off or out, and teams as groups.

Each function validates, then writes in one transaction; refusals raise
:class:`workestra.scim.schema.ScimError`, which the views answer as SCIM errors.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from allauth.usersessions.models import UserSession
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.crypto import get_random_string
from django.utils.text import slugify

from workestra import services
from workestra.models import Membership, ScimToken, Team, TeamMember, User, Workspace
from workestra.scim.schema import ScimError, UserInput, bad


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- Tokens -------------------------------------------------------------------------------------


def scim_token_create(*, workspace: Workspace, by: User, now: datetime) -> tuple[ScimToken, str]:
    """A new token; returns it and its secret, which is stored nowhere (only its hash is)."""
    secret = secrets.token_urlsafe(32)  # 256 bits
    token = ScimToken.objects.create(
        workspace=workspace, token_hash=_hash(secret), created_by=by, created_at=now
    )
    return token, secret


def scim_token_revoke(*, token: ScimToken, now: datetime) -> None:
    if token.revoked_at is None:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])


def scim_token_for(secret: str) -> ScimToken | None:
    """The live token whose hash matches ``secret`` (compared in constant time), else None."""
    if not secret or len(secret) > 200:
        return None
    digest = _hash(secret)
    token = (
        ScimToken.objects.select_related("workspace")
        .filter(token_hash=digest, revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    return token


# --- Users --------------------------------------------------------------------------------------


def scim_user_create(*, workspace: Workspace, data: UserInput, now: datetime) -> Membership:
    """Make ``data.email`` a member (creating the account if there is none)."""
    with transaction.atomic():
        user = User.objects.filter(email__iexact=data.email).first()
        if user is None:
            user = User.objects.create_user(data.email, name=data.name or "")
        elif Membership.objects.filter(workspace=workspace, user=user).exists():
            raise ScimError(409, f"{data.email} is already a member.", "uniqueness")
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    workspace=workspace, user=user, role=Membership.Role.MEMBER, created_at=now
                )
        except IntegrityError:
            raise ScimError(409, f"{data.email} is already a member.", "uniqueness") from None
        if not data.active:
            _deactivate(membership, now)
        elif not user.is_active and _switched_off_by_provisioning(user):
            _reactivate(membership)
    return membership


def _switched_off_by_provisioning(user: User) -> bool:
    """The account was switched off because its only workspaces deactivated it here."""
    return Membership.objects.filter(user=user, deactivated_at__isnull=False).exists()


def scim_user_update(
    *, membership: Membership, name: str | None, active: bool | None, now: datetime
) -> Membership:
    """Rename (only a user in no other workspace: one workspace's provider does not rename
    someone's account elsewhere) and switch on or off."""
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
        )
        user = membership.user
        if name is not None and name != user.name and not _elsewhere(membership).exists():
            user.name = name
            user.save(update_fields=["name"])
        if active is False and membership.deactivated_at is None:
            _deactivate(membership, now)
        elif active is True and membership.deactivated_at is not None:
            _reactivate(membership)
    return membership


def _elsewhere(membership: Membership) -> QuerySet[Membership]:
    return Membership.objects.filter(user_id=membership.user_id).exclude(pk=membership.pk)


def _deactivate(membership: Membership, now: datetime) -> None:
    """Off: the member's sessions end and tenancy no longer lets them into this workspace; the
    account itself is switched off only when it belongs to no other workspace."""
    try:
        services.membership_keep_an_owner(
            membership=membership, message="The last owner cannot be deactivated."
        )
    except services.MembershipRefused as refused:
        raise ScimError(409, str(refused), "mutability") from None
    membership.deactivated_at = now
    membership.save(update_fields=["deactivated_at"])
    user = membership.user
    if not _elsewhere(membership).exists() and user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    for session in UserSession.objects.filter(user=user):
        session.end()


def _reactivate(membership: Membership) -> None:
    membership.deactivated_at = None
    membership.save(update_fields=["deactivated_at"])
    user = membership.user
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])


def scim_user_delete(*, membership: Membership) -> None:
    try:
        services.membership_deprovision(membership=membership)
    except services.MembershipRefused as refused:
        raise ScimError(409, str(refused), "mutability") from None


# --- Groups (teams) -----------------------------------------------------------------------------


def _check_members(workspace: Workspace, user_ids: list[int]) -> None:
    found = set(
        Membership.objects.filter(workspace=workspace, user_id__in=user_ids).values_list(
            "user_id", flat=True
        )
    )
    missing = sorted(set(user_ids) - found)
    if missing:
        raise bad(f"User {missing[0]} is not a member of this workspace.")


def _unique_slug(name: str) -> str:
    base = slugify(name)[:48].strip("-") or "team"
    slug = base
    while Team.objects.filter(slug=slug).exists():
        slug = f"{base}-{get_random_string(6, 'abcdefghijklmnopqrstuvwxyz0123456789')}"
    return slug


def scim_group_create(*, workspace: Workspace, name: str, member_ids: list[int]) -> Team:
    if not name:
        raise bad("displayName is required.")
    _check_members(workspace, member_ids)
    if Team.objects.filter(workspace=workspace, name__iexact=name).exists():
        raise ScimError(409, f"A group named {name} already exists.", "uniqueness")
    roles = dict.fromkeys(member_ids, TeamMember.Role.MEMBER)
    return services.team_create(
        workspace=workspace, name=name, slug=_unique_slug(name), description="", roles=roles
    )


def scim_group_change(
    *, team: Team, name: str | None, add: list[int], remove: list[int], replace: list[int] | None
) -> Team:
    """Rename, and add, remove or replace members (team roles of those who stay are kept)."""
    _check_members(team.workspace, add + (replace or []))
    with transaction.atomic():
        if name is not None:
            if not name:
                raise bad("displayName cannot be empty.")
            team.name = name
            team.save(update_fields=["name"])
        if replace is not None:
            team.team_members.exclude(user_id__in=replace).delete()
            add = add + replace
        team.team_members.filter(user_id__in=remove).delete()
        for user_id in add:
            TeamMember.objects.get_or_create(team=team, user_id=user_id)
    return team


def scim_group_delete(*, team: Team) -> None:
    team.delete()
