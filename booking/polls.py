"""Reads of meeting polls: the host's access chokepoint, the token lookup, the tally, and the
tentative holds that host availability reads as busy."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import CharField, Q, QuerySet, Value
from django.shortcuts import get_object_or_404
from django.utils import timezone

from availability.sql import EpochSeconds
from booking.poll_models import Poll, PollHold, PollTime, PollVote
from booking.tokens import LOOKUP_CHARS, is_well_formed
from workestra.models import Membership

ANSWERS = tuple(PollVote.Answer.values)


def poll_get_for_user(membership: Membership, pk: int) -> Poll:
    """The one way host-side code fetches a poll: another workspace's id is a 404, and so is a
    colleague's poll the member neither owns nor co-hosts (admins see every poll)."""
    return get_object_or_404(polls_for(membership).select_related("owner", "booking"), pk=pk)


def polls_for(membership: Membership) -> QuerySet[Poll]:
    polls = Poll.objects.filter(workspace_id=membership.workspace_id)
    if membership.is_admin:
        return polls
    # A subquery, not a join: a join would repeat a poll once per co-host.
    co_hosted = Poll.co_hosts.through.objects.filter(user_id=membership.user_id)
    return polls.filter(Q(owner_id=membership.user_id) | Q(pk__in=co_hosted.values("poll_id")))


def poll_for_token(token: str) -> Poll | None:
    """The poll ``token`` opens, or ``None`` for unknown and malformed tokens (the whole token
    is compared in constant time, as for booking tokens)."""
    if not is_well_formed(token):
        return None
    candidates = Poll.objects.select_related("owner", "workspace").filter(
        token__startswith=token[:LOOKUP_CHARS]
    )[:4]
    for poll in candidates:
        if hmac.compare_digest(poll.token.encode(), token.encode()):
            return poll
    return None


def poll_host_ids(poll: Poll) -> list[int]:
    """The owner first, then the co-hosts."""
    return [poll.owner_id, *poll.co_hosts.order_by("pk").values_list("pk", flat=True)]


@dataclass
class TimeTally:
    time: PollTime
    yes: list[str]
    maybe: list[str]
    no: list[str]

    @property
    def sort_key(self) -> tuple[int, int, datetime]:
        return (-len(self.yes), -len(self.maybe), self.time.start)


def poll_tally(poll: Poll, *, best_first: bool = False) -> list[TimeTally]:
    """Who answered what for each proposed time, in time order or best first (most yes, then
    most if-need-be, then the earliest)."""
    times = list(poll.times.all())
    rows = {t.pk: TimeTally(t, [], [], []) for t in times}
    for vote in poll.votes.all():
        for key, answer in vote.answers.items():
            row = rows.get(int(key))
            if row is not None and answer in ANSWERS:
                getattr(row, answer).append(vote.name)
    tally = [rows[t.pk] for t in times]
    return sorted(tally, key=lambda r: r.sort_key) if best_first else tally


def held_rows(host_ids: list[int], *, start: datetime, end: datetime) -> QuerySet[Any]:
    """Open poll holds of ``host_ids`` overlapping ``[start, end)``, shaped like the
    reservation rows of ``booking.selectors.host_busy`` (host, epoch start, epoch end, no share
    key) so both come back from one UNION. A hold past its poll's expiry no longer counts, even
    before the expiry job releases it."""
    return (
        PollHold.objects.filter(
            released_at__isnull=True,
            expires_at__gt=timezone.now(),
            host_id__in=host_ids,
            end__gt=start,
            start__lt=end,
        )
        .order_by()
        .annotate(
            b0=EpochSeconds("start"),
            b1=EpochSeconds("end"),
            key=Value(None, output_field=CharField()),
        )
        .values_list("host_id", "b0", "b1", "key")
    )
