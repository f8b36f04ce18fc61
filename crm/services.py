"""CRM writes: find-or-create a contact by email, create a deal, the default pipeline."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction

from crm.models import Contact, Deal, Pipeline, Stage
from workestra.models import Workspace

DEFAULT_STAGES = ("New leads", "Qualified", "Proposal", "Won", "Lost")


def contact_find_or_create(
    *, workspace: Workspace, email: str, name: str = "", phone: str = ""
) -> Contact:
    """The contact with this email (any case) in the workspace, created if new.

    Safe under concurrency: two bookings by the same stranger at once meet the unique
    constraint, and the loser reads the winner's row.
    """
    existing = Contact.objects.filter(workspace=workspace, email__iexact=email).first()
    if existing is not None:
        return _fill_blanks(existing, name=name, phone=phone)
    try:
        with transaction.atomic():
            return Contact.objects.create(workspace=workspace, email=email, name=name, phone=phone)
    except IntegrityError:
        return Contact.objects.get(workspace=workspace, email__iexact=email)


def _fill_blanks(contact: Contact, *, name: str, phone: str) -> Contact:
    changed = []
    if name and not contact.name:
        contact.name = name
        changed.append("name")
    if phone and not contact.phone:
        contact.phone = phone
        changed.append("phone")
    if changed:
        contact.save(update_fields=changed)
    return contact


def deal_create(
    *,
    workspace: Workspace,
    contact: Contact,
    stage: Stage,
    title: str,
    value: Decimal | None = None,
) -> Deal:
    return Deal.objects.create(
        workspace=workspace, contact=contact, stage=stage, title=title[:200], value=value
    )


def pipeline_ensure_default(*, workspace: Workspace) -> Pipeline:
    pipeline, created = Pipeline.objects.get_or_create(workspace=workspace, name="Sales")
    if created:
        Stage.objects.bulk_create(
            Stage(workspace=workspace, pipeline=pipeline, name=name, position=i)
            for i, name in enumerate(DEFAULT_STAGES)
        )
    return pipeline
