"""Single-use links as JSON: make one for a contact, and list the workspace's."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from booking import single_use
from booking.models import SingleUseLink
from booking.single_use_forms import MAX_EXPIRY_DAYS, template_links
from crm.models import Contact
from crm.services import contact_find_or_create
from workestra.api_errors import responses
from workestra.models import Membership

router = Router(tags=["single-use links"], auth=django_auth)
MAX_LIST = 500


class ContactOut(Schema):
    id: int
    email: str
    name: str


class SingleUseOut(Schema):
    id: int
    url: str
    link_id: int
    contact: ContactOut
    expires_at: str
    allow_forwarding: bool
    status: str = Field(description="open, consumed or expired")
    consumed_at: str | None
    consumed_by_booking_id: int | None
    created_at: str


class SingleUseIn(Schema):
    link_id: int = Field(description="The template booking link.")
    contact_id: int | None = Field(None, description="A contact of the workspace, or:")
    email: str | None = Field(None, max_length=254, description="found or made as a contact")
    name: str | None = Field(None, max_length=200)
    expires_at: datetime | None = Field(None, description="Default: 30 days from now.")
    allow_forwarding: bool = Field(False, description="Off: only the contact's email can book.")


def _membership(request: HttpRequest) -> Membership:
    membership = getattr(request, "membership", None)
    if membership is None:
        raise HttpError(404, "No workspace for this account.")
    return membership


def _out(single: SingleUseLink, now: datetime) -> dict[str, Any]:
    return {
        "id": single.pk,
        "url": single.url,
        "link_id": single.link_id,
        "contact": {
            "id": single.contact.pk,
            "email": single.contact.email,
            "name": single.contact.name,
        },
        "expires_at": single.expires_at.isoformat(),
        "allow_forwarding": single.allow_forwarding,
        "status": single_use.status_of(single, now),
        "consumed_at": single.consumed_at.isoformat() if single.consumed_at else None,
        "consumed_by_booking_id": single.consumed_by_booking_id,
        "created_at": single.created_at.isoformat(),
    }


@router.get("/single-use-links", response=responses({200: list[SingleUseOut]}, 401, 404))
def single_use_list(
    request: HttpRequest, link_id: int | None = None, contact_id: int | None = None
) -> Any:
    """The workspace's single-use links, newest first (at most 500)."""
    membership = _membership(request)
    rows = SingleUseLink.objects.filter(workspace_id=membership.workspace_id)
    if link_id is not None:
        rows = rows.filter(link_id=link_id)
    if contact_id is not None:
        rows = rows.filter(contact_id=contact_id)
    now = timezone.now()
    return [_out(s, now) for s in rows.select_related("contact")[:MAX_LIST]]


@router.post("/single-use-links", response=responses({201: SingleUseOut}, 401, 403, 404))
def single_use_create(request: HttpRequest, payload: SingleUseIn) -> Any:
    """A fresh single-use link for one contact on one of the workspace's booking links."""
    membership = _membership(request)
    workspace = membership.workspace
    link = template_links(workspace).filter(pk=payload.link_id).first()
    if link is None:
        raise HttpError(404, "No booking link with this id in your workspace.")
    now = timezone.now()
    if payload.expires_at is not None:
        if timezone.is_naive(payload.expires_at):
            return Status(400, {"detail": "Give expires_at with its UTC offset."})
        if payload.expires_at <= now:
            return Status(400, {"detail": "expires_at must be in the future."})
        if (payload.expires_at - now).days >= MAX_EXPIRY_DAYS:
            return Status(400, {"detail": "expires_at must be at most a year from now."})
    if payload.contact_id is not None:
        contact = Contact.objects.filter(workspace=workspace, pk=payload.contact_id).first()
        if contact is None:
            raise HttpError(404, "No contact with this id in your workspace.")
    elif payload.email:
        try:
            email = _valid_email(payload.email)
        except ValueError as exc:
            return Status(400, {"detail": str(exc)})
        contact = contact_find_or_create(
            workspace=workspace, email=email, name=(payload.name or "").strip()
        )
    else:
        return Status(400, {"detail": "Give contact_id, or the contact's email."})
    made = single_use.create(
        link=link,
        contact=contact,
        expires_at=payload.expires_at,
        allow_forwarding=payload.allow_forwarding,
        created_by_id=membership.user_id,
    )
    return Status(201, _out(made, now))


def _valid_email(raw: str) -> str:
    email = raw.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValueError("Enter an email address, e.g. ada@example.com.") from None
    return email
