"""CRM reads: one contact or deal for a member, the contact search, the deals of a pipeline."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from crm.models import Contact, Deal, Pipeline, Stage
from workestra.models import Membership


def contact_get_for_user(membership: Membership, pk: int) -> Contact:
    """The one way host-side code fetches a contact: another workspace's id is a 404. Every
    member of the workspace sees its contacts."""
    return get_object_or_404(Contact.objects.filter(workspace_id=membership.workspace_id), pk=pk)


def deal_get_for_user(membership: Membership, pk: int) -> Deal:
    """The one way host-side code fetches a deal: another workspace's id is a 404."""
    return get_object_or_404(
        Deal.objects.filter(workspace_id=membership.workspace_id).select_related(
            "contact", "stage", "stage__pipeline"
        ),
        pk=pk,
    )


def contacts_matching(contacts: QuerySet[Contact], query: str) -> QuerySet[Contact]:
    """``contacts`` whose name or email contains ``query`` (any case; an email's domain stands
    for the company), by name, with their number of deals."""
    query = query.strip()
    if query:
        contacts = contacts.filter(Q(name__icontains=query) | Q(email__icontains=query))
    return contacts.annotate(deal_count=Count("deals")).order_by("name", "email", "pk")


def contact_deals(contact: Contact) -> QuerySet[Deal]:
    return contact.deals.select_related("stage", "stage__pipeline").order_by("-created_at", "-pk")


@dataclass(frozen=True)
class StageColumn:
    stage: Stage
    deals: list[Deal]


def pipeline_board(pipeline: Pipeline) -> list[StageColumn]:
    """The pipeline's stages in order, each with its deals, newest first."""
    stages = list(pipeline.stages.order_by("position", "pk"))
    deals = (
        Deal.objects.filter(stage__in=stages)
        .select_related("contact")
        .order_by("-created_at", "-pk")
    )
    by_stage: dict[int, list[Deal]] = {stage.pk: [] for stage in stages}
    for deal in deals:
        by_stage[deal.stage_id].append(deal)
    return [StageColumn(stage=stage, deals=by_stage[stage.pk]) for stage in stages]
