"""Twilio's webhooks: inbound texts and delivery reports for the messages we sent.

Both accept only requests signed by Twilio (``X-Twilio-Signature`` over the public URL and the
POST fields) with the auth token of the account behind our number (a workspace's own, else the
server's); anything else gets a 403 and changes nothing. What a text or a report means for
the product is not decided here: the URL patterns (see ``urls.py``) pass the handlers in, so this
package never imports the apps that use it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations.twilio import accounts, client

# (sender, body) -> the reply to text back ("" for none)
OnMessage = Callable[[str, str], str]
# (message SID, status, error_code=...) -> anything
OnStatus = Callable[..., object]


def _signed_by_twilio(request: HttpRequest, our_number: str) -> bool:
    """Signed with the token of a workspace sending from ``our_number``, or the server's."""
    url = f"{settings.PUBLIC_BASE_URL}{request.get_full_path()}"
    signature = request.headers.get("X-Twilio-Signature")
    if not signature:
        return False
    tokens = accounts.webhook_tokens(our_number) if our_number else None
    return client.validate_signature(url, request.POST, signature, tokens)


def _refused() -> HttpResponse:
    return HttpResponseForbidden("Invalid or missing Twilio signature.", content_type="text/plain")


@csrf_exempt
@require_POST
def inbound(request: HttpRequest, *, on_message: OnMessage) -> HttpResponse:
    if not _signed_by_twilio(request, request.POST.get("To", "")):
        return _refused()
    reply = on_message(request.POST.get("From", ""), request.POST.get("Body", ""))
    return HttpResponse(client.message_twiml(reply), content_type="text/xml; charset=utf-8")


@csrf_exempt
@require_POST
def status(request: HttpRequest, *, on_status: OnStatus) -> HttpResponse:
    # A delivery report is about a message we sent: our number is the sender.
    if not _signed_by_twilio(request, request.POST.get("From", "")):
        return _refused()
    on_status(
        request.POST.get("MessageSid", ""),
        request.POST.get("MessageStatus") or request.POST.get("SmsStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
    )
    return HttpResponse(status=204)
