"""The JSON API: ``/api/v1/``, with its OpenAPI schema at ``/api/v1/openapi.json``."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.parser import Parser

from booking.api import router as public_booking_router
from booking.api_hosts import router as host_router
from booking.api_single_use import router as single_use_router
from booking.api_verify import router as public_verification_router

REQUIRED = "This field is required."


class UnreadableBody(ValueError):
    """A body that is not JSON text we can store; the message says what to fix."""


class StrictJSONParser(Parser):
    """JSON bodies must be UTF-8 (RFC 8259) and their strings real text. ``json.loads`` alone
    would guess another encoding from the first bytes and take escapes such as ``"\\ud800"``
    (half a character) that no database can store."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            data = json.loads(request.body.decode("utf-8"))
        except UnicodeDecodeError:
            raise UnreadableBody("Send the body as JSON encoded in UTF-8.") from None
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise UnreadableBody(
                "Strings must be valid Unicode: a \\u escape such as \\ud800 stands for half "
                "a character (a lone surrogate)."
            ) from None
        return data


api = NinjaAPI(
    title="Workestra Scheduling API",
    version="1",
    urls_namespace="api",
    parser=StrictJSONParser(),
)
api.add_router("/public", public_booking_router)
api.add_router("/public", public_verification_router)
api.add_router("/", host_router)
api.add_router("/", single_use_router)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Ninja answers every parser error with one generic message; ours say what to fix.
    cause = exc.__cause__
    detail = str(cause) if isinstance(cause, UnreadableBody) else str(exc)
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def body_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # Without this, Django answers with its HTML "Bad Request (400)" page.
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return api.create_response(
        request, {"detail": f"Send a body of at most {limit:,} bytes."}, status=413
    )


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [str(p) for p in error.get("loc", []) if p not in ("body", "payload", "query")]
        message = REQUIRED if error.get("type") == "missing" else error.get("msg", "Invalid.")
        errors.setdefault(".".join(loc) or "request", []).append(message)
    return api.create_response(
        request, {"detail": "Some fields are not valid.", "errors": errors}, status=422
    )
