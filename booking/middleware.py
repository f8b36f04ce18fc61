"""The language of the attendee's pages: only their surfaces are translated, host pages stay
English.

The attendee's own choice (the language menu, kept in a cookie) always wins. Otherwise a
language the host set on the link wins over the browser's (the host knows their audience; on a
booking's own pages the language it was booked in plays that part), then the browser's
``Accept-Language``, then English.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from booking.models import BookingLink
from workestra.lib import languages

PUBLIC_PREFIXES = (
    "/book/",
    "/team/",
    "/form/",
    "/one-off/",
    "/poll/",
    "/single-use/",
    "/api/v1/public/",
)
# Pages named by a link's slug, whose host may have set its language.
LINK_PAGES = {"booking:public", "booking:confirmed", "booking:confirmed-ics"}


def is_public(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIXES)


class AttendeeLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_public(request.path):
            translation.activate(settings.LANGUAGE_CODE)
            try:
                return self.get_response(request)
            finally:
                translation.deactivate()
        picked = languages.supported(request.GET.get(languages.QUERY_PARAM))
        chosen = picked or languages.supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        request.language_chosen = bool(chosen)  # type: ignore[attr-defined]
        browser = languages.from_accept_language(request.headers.get("Accept-Language", ""))
        translation.activate(chosen or browser or settings.LANGUAGE_CODE)
        try:
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", translation.get_language())
        finally:
            translation.deactivate()
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        if picked:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                picked,
                max_age=settings.LANGUAGE_COOKIE_AGE or 365 * 24 * 3600,
                samesite="Lax",
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=True,
            )
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        match = request.resolver_match
        if match is None or match.view_name not in LINK_PAGES:
            return
        language = (
            BookingLink.objects.live()
            .filter(slug=view_kwargs.get("slug", ""))
            .values_list("language", flat=True)
            .first()
        )
        prefer(request, language)


def prefer(request: HttpRequest, language: str | None) -> None:
    """Use ``language`` (a link's or a booking's) unless the attendee chose one themselves."""
    if getattr(request, "language_chosen", False) or not is_public(request.path):
        return
    if found := languages.supported(language):
        translation.activate(found)
