"""The JSON API: ``/api/v1/``, with its OpenAPI schema at ``/api/v1/openapi.json``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from booking.api import router as public_booking_router
from booking.api_hosts import router as host_router
from booking.api_verify import router as public_verification_router

REQUIRED = "This field is required."

api = NinjaAPI(title="Workestra Scheduling API", version="1", urls_namespace="api")
api.add_router("/public", public_booking_router)
api.add_router("/public", public_verification_router)
api.add_router("/", host_router)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


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
