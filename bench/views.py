"""The yardstick of ``bench_serving``: a trivial Django JSON view of two queries, routed only when
``BENCH_VIEWS`` is on (never in production)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from booking.models import BookingLink
from workestra.models import Workspace


def trivial(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "workspaces": Workspace.objects.count(),
            "link": BookingLink.objects.values_list("slug", flat=True).order_by("pk").first(),
        }
    )
