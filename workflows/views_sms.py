"""SMS pages and Twilio's webhooks.

* ``/settings/sms``: the workspace's credit balance, its ledger, recent messages and opt-outs.
* ``/integrations/twilio/sms``: inbound texts (STOP, START, HELP), answered with TwiML.
* ``/integrations/twilio/sms/status``: delivery reports for the messages we sent.

Both webhooks accept only requests signed by Twilio (``X-Twilio-Signature`` over the public URL
and the POST fields); anything else gets a 403 and changes nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from integrations import twilio
from workestra.models import Workspace
from workestra.tenancy import scoped, workspace_required
from workflows import sms
from workflows.models import SmsCredit, SmsMessage, SmsOptOut

LEDGER_ROWS = 100
MESSAGE_ROWS = 50


def _signed_by_twilio(request: HttpRequest) -> bool:
    url = f"{settings.PUBLIC_BASE_URL}{request.get_full_path()}"
    return twilio.validate_signature(url, request.POST, request.headers.get("X-Twilio-Signature"))


def _refused() -> HttpResponse:
    return HttpResponseForbidden("Invalid or missing Twilio signature.", content_type="text/plain")


@csrf_exempt
@require_POST
def inbound(request: HttpRequest) -> HttpResponse:
    if not _signed_by_twilio(request):
        return _refused()
    reply = sms.handle_inbound(request.POST.get("From", ""), request.POST.get("Body", ""))
    return HttpResponse(twilio.message_twiml(reply), content_type="text/xml; charset=utf-8")


@csrf_exempt
@require_POST
def status(request: HttpRequest) -> HttpResponse:
    if not _signed_by_twilio(request):
        return _refused()
    sms.record_status(
        request.POST.get("MessageSid", ""),
        request.POST.get("MessageStatus") or request.POST.get("SmsStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
    )
    return HttpResponse(status=204)


@require_GET
@workspace_required
def sms_settings(request: HttpRequest) -> HttpResponse:
    workspace: Workspace = request.workspace  # type: ignore[attr-defined]
    ledger = scoped(SmsCredit.objects.select_related("message"), request)[:LEDGER_ROWS]
    messages = scoped(SmsMessage.objects.all(), request)[:MESSAGE_ROWS]
    opt_outs = scoped(SmsOptOut.objects.order_by("-created_at", "-pk"), request)
    return render(
        request,
        "sms/settings.html",
        {
            "summary": sms.summary(workspace.pk),
            "ledger": ledger,
            "sms_messages": messages,
            "opt_outs": opt_outs,
            "plan_allows_sms": workspace.plan != Workspace.Plan.FREE,
            "twilio_connected": twilio.is_configured(),
            "from_number": twilio.from_number(),
        },
    )
