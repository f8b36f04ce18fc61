"""CORS for the public JSON API (``/api/v1/public/…``): a browser page on a site the link allows
may call it; any other site gets no CORS headers, so its browser keeps the answer from it. No
cookies are involved (the public API takes none), so credentials are never allowed."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import patch_vary_headers

from booking import embed
from booking.models import BookingLink

PREFIX = "/api/v1/public/"
_LINK_PATH = re.compile(r"^/api/v1/public/links/([^/]+)")
_BOOKING_PATH = re.compile(r"^/api/v1/public/bookings/([^/]+)")


def _link_for(path: str) -> BookingLink | None:
    if match := _LINK_PATH.match(path):
        return embed.link_by_slug(match.group(1))
    if match := _BOOKING_PATH.match(path):
        return embed.link_by_booking_token(match.group(1))
    return None


def _allowed(request: HttpRequest, origin: str) -> bool:
    link = _link_for(request.path)
    return link is not None and embed.origin_allowed(link, origin)


class PublicApiCorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        origin = request.headers.get("Origin", "")
        allowed = bool(origin) and _allowed(request, origin)
        preflight = (
            request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers
        )
        if preflight:
            response: HttpResponseBase = HttpResponse(status=204)
            if allowed:
                response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
                response["Access-Control-Allow-Headers"] = "Content-Type, Accept, Accept-Language"
                response["Access-Control-Max-Age"] = "600"
        else:
            response = self.get_response(request)
        if allowed:
            response["Access-Control-Allow-Origin"] = origin
        patch_vary_headers(response, ["Origin"])
        return response
