"""The invitation email of the members page, sent through the outbox.

The tenant core (``workestra``) may not import ``workflows``, so it cannot enqueue this itself:
``WorkflowsConfig.ready()`` provides :func:`enqueue_invitation` as ``workestra.hooks``'
invitation mailer, and ``invitation_create`` calls that inside its transaction. The kind is
declared once, in ``workflows/kinds.py``, and enqueued as the declared ``Kind``.

The link's secret is stored nowhere but here: the invitation keeps only its hash. The row carries
the token until the email is out, then the handler blanks it, so a delivered row opens nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from workestra.models import Invitation
from workflows import outbox
from workflows.kinds import MEMBER_INVITATION
from workflows.models import OutboxMessage


def enqueue_invitation(invitation: Invitation, token: str) -> None:
    outbox.enqueue(
        kind=MEMBER_INVITATION,
        key=f"invitation:{invitation.pk}",
        payload={"invitation_id": invitation.pk, "token": token},
        subject=f"invitation:{invitation.pk}",
    )


def send_invitation(message: OutboxMessage) -> None:
    token = message.payload.get("token") or ""
    invitation = (
        Invitation.objects.select_related("workspace", "invited_by")
        .filter(pk=message.payload.get("invitation_id"))
        .first()
    )
    if invitation is None or not token:
        raise outbox.Drop("the invitation is gone or its email was already sent")
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise outbox.Drop("the invitation was used or withdrawn before its email went out")
    context = {
        "invitation": invitation,
        "inviter": invitation.invited_by.display_name if invitation.invited_by else "Someone",
        "url": settings.PUBLIC_BASE_URL + reverse("invitation", args=[token]),
    }
    subject = render_to_string("workestra/email/invitation_subject.txt", context)
    EmailMessage(
        subject=" ".join(subject.split()),
        body=render_to_string("workestra/email/invitation.txt", context),
        to=[invitation.email],
    ).send()
    OutboxMessage.objects.filter(pk=message.pk).update(
        payload={"invitation_id": invitation.pk, "token": ""}
    )
