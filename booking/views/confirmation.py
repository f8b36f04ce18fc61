"""The pages that show a booked or moved meeting, with its add-to-calendar links and .ics file.

Both are GETs that change nothing: the confirmation page behind its signed token, the
rescheduled page behind the booking's own token (``manage.rescheduled``).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from booking import add_to_calendar
from booking.embed import embeddable, link_by_slug
from booking.ics import booking_hosts, booking_ics
from booking.locations import CALENDAR_MEETINGS, CONFERENCING
from booking.models import Booking
from booking.views.after import CONFIRM_SALT
from booking.views.public import CONFIRM_MAX_AGE


def _confirmed_booking(slug: str, token: str) -> Booking:
    try:
        pk = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        raise Http404("This confirmation link is not valid.") from None
    return get_object_or_404(Booking.objects.select_related("link", "host"), pk=pk, link__slug=slug)


@embeddable(link_by_slug)
def confirmed(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    booking = _confirmed_booking(slug, token)
    ics_url = reverse("booking:confirmed-ics", args=[slug, token])
    return render_meeting_page(request, booking, ics_url=ics_url)


def confirmed_ics(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    return ics_response(_confirmed_booking(slug, token))


def ics_response(booking: Booking) -> HttpResponse:
    response = HttpResponse(
        booking_ics(booking, method="PUBLISH"), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="invite.ics"'
    return response


def render_meeting_page(
    request: HttpRequest, booking: Booking, *, ics_url: str, rescheduled: bool = False
) -> HttpResponse:
    zone = ZoneInfo(booking.timezone)
    hosts = [h.display_name for h in booking_hosts(booking)]
    event = calendar_event(booking, hosts)
    context: dict[str, Any] = {
        "booking": booking,
        "link": booking.link,
        "rescheduled": rescheduled,
        "host_names": _names(hosts),
        "start_local": booking.start.astimezone(zone),
        "end_local": booking.end.astimezone(zone),
        "join_pending": _join_link_pending(booking),
        "ics_url": ics_url,
        "google_url": add_to_calendar.google_url(event),
        "outlook_url": add_to_calendar.outlook_url(event),
        "office365_url": add_to_calendar.office365_url(event),
    }
    return render(request, "booking/confirmed.html", context)


def _join_link_pending(booking: Booking) -> bool:
    """A video meeting whose provider has not made its link yet: it comes by email."""
    kind = booking.location_kind
    return not booking.meeting_url and (kind in CONFERENCING or kind in CALENDAR_MEETINGS)


def calendar_event(booking: Booking, hosts: list[str]) -> add_to_calendar.CalendarEvent:
    """The meeting as the attendee's calendar should hold it: what, with whom, where, and the
    links to join, move or cancel it."""
    lines = [_("Join: %(url)s") % {"url": booking.meeting_url}] if booking.meeting_url else []
    if booking.dial_in:
        lines.append(booking.dial_in)
    lines += [
        _("Reschedule: %(url)s") % {"url": booking.reschedule_url},
        _("Cancel: %(url)s") % {"url": booking.cancel_url},
    ]
    # Last, so that a long description is what gets shortened, never the links.
    if booking.link.description:
        lines.append(booking.link.description)
    return add_to_calendar.CalendarEvent(
        title=_("%(title)s with %(hosts)s") % {"title": booking.link.title, "hosts": _names(hosts)},
        start=booking.start,
        end=booking.end,
        zone=booking.timezone,
        details="\n\n".join(lines),
        location=booking.location or booking.meeting_url,
    )


def _names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return _("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}
