"""``/settings/sms``: the workspace's credit balance, its ledger, recent messages and opt-outs.

Twilio's webhooks (inbound texts, delivery reports) are in ``integrations.twilio``; ``urls_sms``
wires them to :func:`workflows.sms.handle_inbound` and :func:`workflows.sms.record_status`.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from integrations.twilio import accounts
from workestra.models import Workspace
from workestra.tenancy import AuthedRequest, scoped, workspace_required
from workflows import sms
from workflows.models import SmsCredit, SmsMessage, SmsOptOut

LEDGER_ROWS = 100
MESSAGE_ROWS = 50


@require_GET
@workspace_required
def sms_settings(request: AuthedRequest) -> HttpResponse:
    workspace: Workspace = request.workspace
    ledger = scoped(SmsCredit.objects.select_related("message"), request)[:LEDGER_ROWS]
    messages = scoped(SmsMessage.objects.all(), request)[:MESSAGE_ROWS]
    opt_outs = scoped(SmsOptOut.objects.order_by("-created_at", "-pk"), request)
    try:
        credentials = accounts.credentials_for(workspace.pk)
    except accounts.Unreadable:
        credentials = None
    return render(
        request,
        "sms/settings.html",
        {
            "summary": sms.summary(workspace.pk),
            "ledger": ledger,
            "sms_messages": messages,
            "opt_outs": opt_outs,
            "plan_allows_sms": workspace.plan != Workspace.Plan.FREE,
            "twilio_connected": credentials is not None,
            "from_number": credentials.from_number if credentials else "",
        },
    )
