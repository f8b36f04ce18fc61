"""Request checks that every page and endpoint shares."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

UNDECODABLE_FORM_MESSAGE = _("The form was sent with characters that are not valid UTF-8 text.")


class RefuseUndecodableForms:
    """Refuse a posted form whose bytes are not UTF-8 text.

    Django decodes form data leniently, turning such bytes into "�", so a broken or hostile
    client would book a meeting for "��". A browser always sends valid text, so this only ever
    refuses what no person typed.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method == "POST"
            and request.content_type == "application/x-www-form-urlencoded"
            and not _form_decodes(request)
        ):
            if request.path.startswith(reverse("api:api-root")):
                return JsonResponse({"detail": UNDECODABLE_FORM_MESSAGE}, status=400)
            return render(
                request,
                "workestra/bad_request.html",
                {"message": UNDECODABLE_FORM_MESSAGE},
                status=400,
            )
        return self.get_response(request)


def _form_decodes(request: HttpRequest) -> bool:
    try:
        body = request.body
    except RequestDataTooBig:
        return True  # not ours to answer: Django refuses it when the form is read
    # Fields are split on ASCII "&" and "=", which never occur inside a multi-byte character,
    # so the whole body decodes exactly when every field does.
    try:
        # Django itself refuses a form that declares any charset but UTF-8.
        unquote_to_bytes(body).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
