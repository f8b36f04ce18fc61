"""Signing in to Workestra with Google or Microsoft, on the calendar connections' OAuth apps.

Why our own flow and not ``allauth.socialaccount``: the calendar connection already runs one
PKCE + state sign-in per provider (``oauth.py``) against the same OAuth apps, with the same
scopes. Reusing it means one consent screen and one grant both sign the host in and connect
their calendar, every fake and setting the calendar tests use covers sign-in too, and no second
set of provider settings (socialaccount apps, tokens, accounts tables) has to be kept in step
with ``GOOGLE_*`` / ``MICROSOFT_*``. allauth still owns the session: the login itself goes
through ``perform_login``, so its login stages (MFA codes included) and signals all apply.

An address counts only when the provider vouches for it (Google: the ID token's
``email_verified``; Microsoft: the directory's ``mail`` / ``userPrincipalName``).
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction

from integrations.calendars.provider import Grant
from workestra.models import Membership, User, Workspace
from workestra.services import workspace_create_for_owner
from workestra.sso import selectors as sso_selectors

# The providers whose sign-in names the person (an address they vouch for); Zoom and the
# other conferencing apps also use OAuth, but only to reach their meetings.
SIGNIN_KEYS = ("google", "microsoft")


class SigninRefused(Exception):
    """The provider's answer cannot sign anyone in; the message is for the visitor."""


def user_for_grant(grant: Grant, *, label: str) -> tuple[User, bool]:
    """The user whose address the provider vouched for, made with a workspace when new.

    Returns the user and whether they are new. An existing account's address becomes verified;
    if it was not verified yet, its password (set by whoever signed up with the address, which
    nobody proved to own) stops working, so the address's owner is the only one who gets in.
    """
    email = grant.account.strip().lower()
    if not email or not grant.email_verified:
        raise SigninRefused(
            f"{label} did not confirm that {email or 'the address'} is yours, so we can't sign "
            "you in with it. Log in with your email and password instead."
        )
    connection = sso_selectors.password_refused_connection(email)
    if connection is not None:
        raise SigninRefused(
            f"Addresses at {connection.domain} sign in through your company's single sign-on: "
            "use “Sign in with SSO”."
        )
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        if user is None:
            return _user_create(email), True
        if not user.is_active:
            raise SigninRefused("This account is disabled.")
        _address_verify(user, email)
    return user, False


def _user_create(email: str) -> User:
    user = User.objects.create_user(email=email, password=None)  # no password: signs in by OAuth
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    workspace_create_for_owner(user=user)
    return user


def _address_verify(user: User, email: str) -> None:
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is not None and address.verified:
        return
    if address is None:
        has_primary = EmailAddress.objects.filter(user=user, primary=True).exists()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=not has_primary)
        return
    address.verified = True
    address.save(update_fields=["verified"])
    user.set_unusable_password()
    user.save(update_fields=["password"])


def home_workspace(user: User) -> Workspace | None:
    """The workspace a new calendar connection belongs to: the user's first one."""
    membership = (
        Membership.objects.select_related("workspace")
        .filter(user=user)
        .order_by("created_at", "pk")
        .first()
    )
    return membership.workspace if membership else None
