"""/favicon.ico, which browsers and feed readers ask for whatever the page's <link rel=icon>."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    # Not permanent: the hashed file it points to changes name whenever the icon changes.
    return HttpResponseRedirect(static("favicon.svg"))
