"""After an SSO login: the member lands in the workspace whose IdP signed them in."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from workestra import tenancy
from workestra.models import User
from workestra.sso import selectors
from workestra.sso.services import sso_member_join


@receiver(user_logged_in)
def sso_login_joins_workspace(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    sociallogin = kwargs.get("sociallogin")
    if sociallogin is None:
        return
    connection = selectors.connection_for_key(sociallogin.account.provider or "")
    if connection is None:
        return
    sso_member_join(connection=connection, user=user)
    request.session[tenancy.SESSION_KEY] = connection.workspace_id
