"""What the Twilio part of Settings → Integrations shows: the workspace's own account, whether
the server's is the default, and the form for owners and admins."""

from __future__ import annotations

from typing import Any

from integrations.models import TwilioAccount
from integrations.twilio import client
from integrations.twilio.forms import TwilioAccountForm
from workestra.tenancy import AuthedRequest


def workspace_account(request: AuthedRequest) -> TwilioAccount | None:
    return TwilioAccount.objects.filter(workspace=request.workspace).first()


def context(request: AuthedRequest, form: TwilioAccountForm | None = None) -> dict[str, Any]:
    account = workspace_account(request)
    can_manage = request.membership.is_admin
    if can_manage and form is None:
        initial = {}
        if account is not None:
            initial = {"account_sid": account.account_sid, "from_number": account.from_number}
        form = TwilioAccountForm(initial=initial, has_token=account is not None)
    return {
        "account": account,
        "can_manage": can_manage,
        "form": form if can_manage else None,
        "server_default": client.server_credentials() is not None,
    }
