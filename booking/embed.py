"""The booking flow inside another site's iframe: allowed origins, framing, cookieless forms.

A page embedding a link loads ``/book/<slug>?embed=1&embed_origin=<its origin>``. Third-party
cookies are often blocked there, so the embedded pages' POSTs carry a signed, expiring, single-use
form token (bound to the link, the embedding origin and a nonce) instead of the CSRF cookie, and
are checked against the link's allowed origins. Everything else keeps refusing to be framed.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode, urlsplit

from csp.decorators import csp_replace
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from booking import selectors
from booking.models import Booking, BookingLink

EMBED_PARAM = "embed"
ORIGIN_PARAM = "embed_origin"
TOKEN_FIELD = "embed_token"  # noqa: S105 - a form field name
MAX_ORIGINS = 50
TOKEN_SALT = "booking.embed-form"  # noqa: S105 - a signing salt, not a secret
TOKEN_MAX_AGE = 2 * 3600  # seconds a rendered embedded form stays usable
NONCE_PREFIX = "embed-nonce:"

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_ORIGIN = re.compile(rf"^(https|http)://({_LABEL}(?:\.{_LABEL})*)(?::(\d{{1,5}}))?$")
_LOCAL_HOSTS = ("localhost", "127.0.0.1")


class EmbedRefused(Exception):
    """An embedded POST that cannot be trusted; the message tells the attendee what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Allowed origins ----------------------------------------------------------------------------


def normalize_origin(value: str) -> str | None:
    """``scheme://host[:port]`` in lower case, or None when ``value`` is not such an origin. Plain
    http is for local development only (localhost, 127.0.0.1, *.localhost)."""
    text = value.strip().lower().removesuffix("/")
    match = _ORIGIN.match(text) if len(text) <= 300 else None
    if match is None:
        return None
    scheme, host, port = match.groups()
    if port is not None and not 0 < int(port) <= 65535:
        return None
    if scheme == "http" and host not in _LOCAL_HOSTS and not host.endswith(".localhost"):
        return None
    default = {"https": "443", "http": "80"}[scheme]
    return f"{scheme}://{host}" if port in (None, default) else f"{scheme}://{host}:{port}"


def clean_origins(text: str) -> list[str]:
    """The origins typed one per line (or separated by spaces or commas), checked and deduplicated;
    a ValidationError names every value that is not an origin."""
    values = [v for v in re.split(r"[\s,]+", text) if v]
    origins: list[str] = []
    problems: list[str] = []
    for value in values:
        origin = normalize_origin(value)
        if origin is None:
            problems.append(
                f"“{value[:80]}” is not a site origin. Enter it as https://host or "
                "https://host:port, like https://www.example.com (plain http only for localhost)."
            )
        elif origin not in origins:
            origins.append(origin)
    if problems:
        raise ValidationError(problems)
    if len(origins) > MAX_ORIGINS:
        extra = len(origins) - MAX_ORIGINS
        raise ValidationError(f"Allow at most {MAX_ORIGINS} sites; remove {extra}.")
    return origins


def origin_allowed(link: BookingLink, origin: str) -> bool:
    """Whether ``origin`` may embed ``link``: any site when the link lists none."""
    normal = normalize_origin(origin)
    if normal is None:
        return False
    return not link.embed_origins or normal in link.embed_origins


def frame_ancestors(link: BookingLink) -> list[str]:
    return list(link.embed_origins) or ["*"]


# --- Embed mode ----------------------------------------------------------------------------------


def is_embed(request: HttpRequest) -> bool:
    return request.GET.get(EMBED_PARAM) == "1"


def parent_origin(request: HttpRequest, link: BookingLink) -> str:
    """The embedding page's origin, if the link allows it: the only target for our messages."""
    origin = request.GET.get(ORIGIN_PARAM, "")
    if not origin_allowed(link, origin):
        return ""
    return normalize_origin(origin) or ""


def embed_query(request: HttpRequest) -> str:
    """The parameters that keep the next page in embed mode."""
    params = {EMBED_PARAM: "1"}
    origin = normalize_origin(request.GET.get(ORIGIN_PARAM, ""))
    if origin:
        params[ORIGIN_PARAM] = origin
    return urlencode(params)


# --- Form tokens ---------------------------------------------------------------------------------


def make_token(link: BookingLink, origin: str) -> str:
    payload = {"l": link.pk, "o": origin, "n": secrets.token_urlsafe(16)}
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


def check_post(request: HttpRequest, link: BookingLink) -> None:
    """Raise EmbedRefused unless this embedded POST carries a fresh token for ``link``, comes from
    our own page or an allowed site, and was bound to a site the link still allows. The token is
    spent: each rendered form can be sent once."""
    expired = _("This form has expired. Reload the page and try again.")
    origin = request.headers.get("Origin")
    if (
        origin is not None
        and origin not in _own_origins(request)
        and not (link.embed_origins and normalize_origin(origin) in link.embed_origins)
    ):
        raise EmbedRefused(_("This site may not send bookings to this link."))
    try:
        payload = signing.loads(
            request.POST.get(TOKEN_FIELD, ""), salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE
        )
    except signing.BadSignature:
        raise EmbedRefused(expired) from None
    if not isinstance(payload, dict) or payload.get("l") != link.pk:
        raise EmbedRefused(expired)
    bound = str(payload.get("o", ""))
    if (bound or link.embed_origins) and not origin_allowed(link, bound):
        raise EmbedRefused(_("This site may not send bookings to this link."))
    if not cache.add(f"{NONCE_PREFIX}{payload.get('n')}", 1, timeout=TOKEN_MAX_AGE + 60):
        raise EmbedRefused(_("This form was already sent. Reload the page to book again."))


def _own_origins(request: HttpRequest) -> set[str]:
    """Our origin as this request sees it, and as the public base URL names it (behind a proxy
    that does not pass the scheme on, the request alone would say http)."""
    public = urlsplit(settings.PUBLIC_BASE_URL)
    return {f"{request.scheme}://{request.get_host()}", f"{public.scheme}://{public.netloc}"}


# --- The views' wrapper ------------------------------------------------------------------------


def allow_framing(
    request: HttpRequest, response: HttpResponseBase, link: BookingLink | None
) -> HttpResponseBase:
    """Let the link's allowed sites (any site when it lists none) frame this response."""
    if link is None:
        return response
    response.xframe_options_exempt = True  # type: ignore[attr-defined]
    replace = csp_replace({"frame-ancestors": frame_ancestors(link)})
    return replace(lambda _request: response)(request)


def _keep_embedding(request: HttpRequest, response: HttpResponseBase) -> None:
    """A redirect to one of our pages stays in embed mode (the confirmation, the code page)."""
    location = response.get("Location", "") if response.status_code in (301, 302, 303) else ""
    if location.startswith("/") and not location.startswith("//"):
        joiner = "&" if urlsplit(location).query else "?"
        response["Location"] = f"{location}{joiner}{embed_query(request)}"


def embeddable(
    find_link: Callable[..., BookingLink | None],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponseBase]]:
    """Views of the booking flow that may show inside an iframe: with ``embed=1`` they are framed
    per the link's allowed origins and take a form token instead of the CSRF cookie; without it
    they are ordinary, CSRF-protected pages that refuse framing."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponseBase]:
        protected = csrf_protect(view)

        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not is_embed(request):
                return protected(request, *args, **kwargs)
            link = find_link(*args, **kwargs)
            request.embed_link = link  # type: ignore[attr-defined]  # read by context() below
            if link is not None and request.method == "POST":
                try:
                    check_post(request, link)
                except EmbedRefused as exc:
                    page = render(request, "booking/embed_refused.html", {"message": exc.message})
                    page.status_code = 403
                    return allow_framing(request, page, link)
            response = view(request, *args, **kwargs)
            _keep_embedding(request, response)
            return allow_framing(request, response, link)

        return csrf_exempt(wrapped)

    return decorator


def link_by_slug(slug: str, *args: Any, **kwargs: Any) -> BookingLink | None:
    return selectors.link_get_public(slug) or BookingLink.objects.filter(slug=slug).first()


def link_by_booking_token(token: str, *args: Any, **kwargs: Any) -> BookingLink | None:
    booking = Booking.objects.select_related("link").filter(reschedule_token=token).first()
    return booking.link if booking else None


class EmbedContext:
    """What an embedded page's template needs: the query that keeps embed mode, a fresh form
    token and the parent page's origin for messages (empty: send none)."""

    def __init__(self, request: HttpRequest, link: BookingLink) -> None:
        self.query = embed_query(request)
        self.parent_origin = parent_origin(request, link)
        self._link = link
        self._origin = normalize_origin(request.GET.get(ORIGIN_PARAM, "")) or ""

    @property
    def token(self) -> str:
        return make_token(self._link, self._origin)


def context(request: HttpRequest) -> dict[str, Any]:
    """Template context processor: ``embed`` on pages shown in embed mode."""
    link = getattr(request, "embed_link", None)
    return {"embed": EmbedContext(request, link)} if link is not None else {}
