"""Outbox handlers for meeting poll emails. Each runs in a worker, after the poll's transaction."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from booking.notifications import sender_for
from booking.poll_models import Poll, PollVote
from workestra.lib.formatting import local_range
from workflows import outbox
from workflows.models import OutboxMessage


def _poll(message: OutboxMessage) -> Poll:
    poll = (
        Poll.objects.select_related("owner", "link", "link__owner", "chosen")
        .filter(pk=message.payload.get("poll_id"))
        .first()
    )
    if poll is None:
        raise outbox.Drop("the poll no longer exists")
    return poll


def _send(poll: Poll, *, template: str, to: str, context: dict[str, object]) -> None:
    context = {"poll": poll, "host": poll.owner, **context}
    subject = render_to_string(f"booking/polls/email/{template}_subject.txt", context)
    body = render_to_string(f"booking/polls/email/{template}.txt", context)
    from_email, reply_to = sender_for(poll.link)
    EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=body,
        from_email=from_email,
        to=[to],
        reply_to=reply_to,
    ).send()


def send_invitation(message: OutboxMessage) -> None:
    poll = _poll(message)
    if poll.status != Poll.Status.OPEN:
        raise outbox.Drop("the poll is closed")
    _send(poll, template="invitation", to=str(message.payload["email"]), context={})


def send_result(message: OutboxMessage) -> None:
    poll = _poll(message)
    vote = PollVote.objects.filter(pk=message.payload.get("vote_id"), poll=poll).first()
    if vote is None or poll.chosen is None:
        raise outbox.Drop("the vote or the chosen time no longer exists")
    when = local_range(poll.chosen.start, poll.chosen.end, vote.timezone)
    with translation.override(vote.language or settings.LANGUAGE_CODE):
        _send(poll, template="result", to=vote.email, context={"vote": vote, "when": when})
