"""Meeting poll writes: create, vote, finalize, cancel, and the release of expired polls.

A poll's proposed times hold its hosts tentatively (``PollHold``, read as busy by
``booking.selectors.host_busy``) until the poll is finalized, cancelled or expires. Finalizing
books the winner through ``booking_create`` on the poll's own hidden link, so the booking gets
the usual reservations, emails and workflows.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from availability import engine
from booking import kinds, selectors
from booking.models import Booking, BookingLink, LinkHost
from booking.poll_models import MAX_TIMES, Poll, PollHold, PollTime, PollVote
from booking.polls import ANSWERS, poll_host_ids
from booking.services.create import Attendee, booking_create
from booking.services.errors import BookingError
from workestra.models import User, Workspace
from workflows import outbox

#: Hidden poll links accept any 5-minute start within two years; min notice is the poll's own.
POLL_GRID_MINUTES = 5
POLL_HORIZON_DAYS = 730


class PollError(Exception):
    """A poll write that can't be done; ``message`` is for the person who asked."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class PollDraft:
    title: str
    duration: int
    location: str
    starts: tuple[datetime, ...]
    expires_at: datetime
    co_hosts: tuple[User, ...] = ()
    invitees: tuple[str, ...] = ()
    hide_tally: bool = False


def poll_create(*, workspace: Workspace, owner: User, draft: PollDraft, now: datetime) -> Poll:
    """Store the poll, its times and the hosts' holds in one transaction, and queue the
    invitations. Raises :class:`PollError` (nothing written) when there are no times or more
    than 40, the expiry or a time is past, or a host is not free at a time."""
    starts = sorted(set(draft.starts))
    if not starts:
        raise PollError(gettext("Propose at least one time."), field="times")
    if len(starts) > MAX_TIMES:
        raise PollError(
            gettext("Propose at most %(max)s times; you proposed %(count)s.")
            % {"max": MAX_TIMES, "count": len(starts)},
            field="times",
        )
    if draft.expires_at <= now:
        raise PollError(gettext("The poll must close in the future."), field="expires_at")
    with transaction.atomic():
        link = _hidden_link(workspace, owner, draft, now=now)
        poll = Poll.objects.create(
            workspace=workspace,
            owner=owner,
            title=draft.title,
            duration=draft.duration,
            location=draft.location,
            invitees=list(draft.invitees),
            hide_tally=draft.hide_tally,
            expires_at=draft.expires_at,
            link=link,
            created_at=now,
        )
        poll.co_hosts.set(draft.co_hosts)
        for start in starts:
            _check_free(link, start, draft.duration, now=now)
        times = PollTime.objects.bulk_create(
            PollTime(poll=poll, start=s, end=s + timedelta(minutes=draft.duration)) for s in starts
        )
        _hold(poll, times)
        for email in draft.invitees:
            outbox.enqueue(
                kind=kinds.POLL_INVITATION,
                key=f"poll:{poll.pk}:invite:{email}",
                payload={"poll_id": poll.pk, "email": email},
                subject=f"poll:{poll.pk}",
            )
    return poll


def _hidden_link(
    workspace: Workspace, owner: User, draft: PollDraft, *, now: datetime
) -> BookingLink:
    """The poll's own link (Booking.link is required): collective over the owner and co-hosts,
    their default hours, no notice, no caps. It is stored deleted, so no list, public page or
    slug lookup ever shows it; only finalizing revives it, inside its transaction."""
    location = draft.location.strip()
    kind = "link" if location.startswith(("https://", "http://")) else "in_person"
    link = BookingLink.objects.create(
        workspace=workspace,
        owner=owner,
        kind=BookingLink.Kind.COLLECTIVE if draft.co_hosts else BookingLink.Kind.ONE_ON_ONE,
        title=draft.title,
        slug=f"poll-{secrets.token_hex(8)}",
        duration=draft.duration,
        slot_interval=POLL_GRID_MINUTES,
        max_days_ahead=POLL_HORIZON_DAYS,
        timezone=owner.timezone or "UTC",
        locations=[{"kind": kind, "detail": location}] if location else [],
        deleted_at=now,
        created_at=now,
    )
    if draft.co_hosts:
        LinkHost.objects.bulk_create(
            LinkHost(link=link, user=user) for user in (owner, *draft.co_hosts)
        )
    return link


def _check_free(link: BookingLink, start: datetime, duration: int, *, now: datetime) -> None:
    if start <= now:
        raise PollError(
            gettext("%(time)s has already passed.") % {"time": _label(link, start)},
            field="times",
        )
    found = selectors.link_availability(
        link, start=start, end=start + timedelta(seconds=1), now=now, duration=duration
    )
    if not found.is_offered(engine.to_epoch(start)):
        raise PollError(
            gettext("%(time)s is not free for every host. Propose another time.")
            % {"time": _label(link, start)},
            field="times",
        )


def _label(link: BookingLink, start: datetime) -> str:
    return timezone.localtime(start, timezone=_zone(link)).strftime("%a %d %b %Y %H:%M")


def _zone(link: BookingLink) -> ZoneInfo:
    return ZoneInfo(link.timezone)


def _hold(poll: Poll, times: list[PollTime]) -> None:
    hosts = poll_host_ids(poll)
    PollHold.objects.bulk_create(
        PollHold(
            poll=poll,
            time=t,
            host_id=host,
            start=t.start,
            end=t.end,
            expires_at=poll.expires_at,
        )
        for t in times
        for host in hosts
    )


def _release(poll: Poll, *, now: datetime) -> None:
    PollHold.objects.filter(poll=poll, released_at__isnull=True).update(released_at=now)


def _locked(poll: Poll) -> Poll:
    return Poll.objects.select_for_update().select_related("owner", "link").get(pk=poll.pk)


def _refuse_unless_open(poll: Poll, now: datetime) -> None:
    if poll.status == Poll.Status.FINALIZED:
        raise PollError(gettext("This poll is closed: the meeting time has been chosen."))
    if poll.status == Poll.Status.CANCELLED:
        raise PollError(gettext("This poll was cancelled."))
    if poll.status == Poll.Status.EXPIRED or poll.expires_at <= now:
        raise PollError(gettext("This poll has closed."))


def poll_vote(
    *,
    poll: Poll,
    name: str,
    email: str,
    zone: str,
    answers: dict[int, str],
    now: datetime,
    language: str = "",
) -> PollVote:
    """Record the voter's answer for every time; the same email again replaces its answers.
    ``language`` is the one their page was shown in, for their result email. Raises :class:`PollError` when the poll is closed or a time is left unanswered."""
    with transaction.atomic():
        poll = _locked(poll)
        _refuse_unless_open(poll, now)
        ids = set(poll.times.values_list("pk", flat=True))
        if set(answers) != ids or any(a not in ANSWERS for a in answers.values()):
            raise PollError(gettext("Answer yes, if need be or no for every time."))
        stored = {str(pk): answer for pk, answer in sorted(answers.items())}
        vote, created = PollVote.objects.select_for_update().get_or_create(
            poll=poll,
            email=email.lower(),
            defaults={
                "name": name,
                "timezone": zone,
                "answers": stored,
                "language": language,
                "created_at": now,
                "updated_at": now,
            },
        )
        if not created:
            vote.name, vote.timezone, vote.answers, vote.updated_at = name, zone, stored, now
            vote.language = language
            vote.save(update_fields=["name", "timezone", "answers", "language", "updated_at"])
    return vote


def poll_finalize(*, poll: Poll, time: PollTime, now: datetime) -> Booking:
    """Book ``time`` for every voter (the first voter who said yes as the attendee, the others
    as guests) through the booking service, release the poll's holds and email every voter.
    Raises :class:`PollError` when the poll is closed, has no voters or the time is no longer
    free; nothing changes then."""
    with transaction.atomic():
        poll = _locked(poll)
        _refuse_unless_open(poll, now)
        if time.poll_id != poll.pk:
            raise PollError(gettext("Pick one of the poll's times."))
        votes = _voters_for(poll, time)
        if not votes:
            raise PollError(gettext("Nobody has voted yet, so there is no one to invite."))
        _release(poll, now=now)
        booking = _book(poll, time, votes, now=now)
        poll.status, poll.chosen, poll.booking, poll.closed_at = (
            Poll.Status.FINALIZED,
            time,
            booking,
            now,
        )
        poll.save(update_fields=["status", "chosen", "booking", "closed_at"])
        for vote in votes:
            outbox.enqueue(
                kind=kinds.POLL_RESULT,
                key=f"poll:{poll.pk}:result:{vote.pk}",
                payload={"poll_id": poll.pk, "vote_id": vote.pk},
                subject=booking.subject,
            )
    return booking


def _voters_for(poll: Poll, time: PollTime) -> list[PollVote]:
    """Every voter, those who said yes to ``time`` first, then if need be, then the rest."""
    order = {"yes": 0, "maybe": 1}
    votes = list(poll.votes.all())
    return sorted(votes, key=lambda v: order.get(v.answers.get(str(time.pk), ""), 2))


def _book(poll: Poll, time: PollTime, votes: list[PollVote], *, now: datetime) -> Booking:
    link = poll.link
    link.deleted_at = None
    link.save(update_fields=["deleted_at"])
    first, others = votes[0], votes[1:]
    attendee = Attendee(
        name=first.name,
        email=first.email,
        timezone=first.timezone,
        guests=tuple(v.email for v in others),
        # Finalizing is the host's request (English); the invite speaks the attendee's language.
        language=first.language or settings.LANGUAGE_CODE,
    )
    try:
        booking = booking_create(
            link=link, start=time.start, attendee=attendee, duration=poll.duration, now=now
        )
    except BookingError as exc:
        # The booking service words its refusals for attendees picking from a list; the host
        # reads which time and why in their own terms.
        message = (
            gettext("%(time)s has already passed.")
            if time.start <= now
            else gettext("%(time)s is no longer free for every host. Pick another time.")
        )
        raise PollError(message % {"time": _label(link, time.start)}) from exc
    link.deleted_at = now
    link.save(update_fields=["deleted_at"])
    return booking


def poll_cancel(*, poll: Poll, now: datetime) -> Poll:
    """Close an open poll without a meeting and release its holds."""
    with transaction.atomic():
        poll = _locked(poll)
        _refuse_unless_open(poll, now)
        poll.status, poll.closed_at = Poll.Status.CANCELLED, now
        poll.save(update_fields=["status", "closed_at"])
        _release(poll, now=now)
    return poll


def polls_expire(now: datetime) -> None:
    """The periodic job: close open polls past their expiry and release their holds (a few
    row updates, so it does the work itself); running it twice closes nothing twice."""
    for pk in Poll.objects.filter(status=Poll.Status.OPEN, expires_at__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            poll = Poll.objects.select_for_update().get(pk=pk)
            if poll.status != Poll.Status.OPEN:
                continue
            poll.status, poll.closed_at = Poll.Status.EXPIRED, now
            poll.save(update_fields=["status", "closed_at"])
            _release(poll, now=now)
