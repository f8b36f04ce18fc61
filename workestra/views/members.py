"""``/settings/members``: who is in the workspace, their roles, invitations, leaving, and the
switch between a person's workspaces.

Owners and admins manage (a member asking gets a 403, the app's answer inside one's own
workspace); another workspace's member or invitation id is a 404. The role rules themselves live
in ``workestra.services``, which refuses with a message this page shows.

A removed member's upcoming bookings are listed here for reassignment, but they are booking's
rows and this app may not import booking: booking provides the list through
``workestra.hooks.hostless_bookings`` from ``BookingConfig.ready()``. A hook keeps the list on
the page where the removal happens, without a second page to discover, and the dependency still
points from booking to the tenant core.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from workestra import hooks, selectors, services
from workestra.models import Membership
from workestra.services import MembershipRefused
from workestra.tenancy import SESSION_KEY, AuthedRequest, workspace_required

ROLE_MESSAGE = "Choose a role: owner, admin or member."


class InviteForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        error_messages={"invalid": "Enter an email address like name@example.com."},
    )
    role = forms.ChoiceField(
        choices=Membership.Role.choices,
        initial=Membership.Role.MEMBER,
        error_messages={"invalid_choice": ROLE_MESSAGE},
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        choices=Membership.Role.choices, error_messages={"invalid_choice": ROLE_MESSAGE}
    )


def _admin_only(request: AuthedRequest) -> None:
    if not request.membership.is_admin:
        raise PermissionDenied("Only owners and admins can manage members.")


def _page(
    request: AuthedRequest,
    *,
    invite_form: InviteForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    workspace_id = request.workspace.pk
    context = {
        "members": selectors.members_of(workspace_id),
        "invitations": selectors.open_invitations(workspace_id),
        "invite_form": invite_form or InviteForm(),
        "roles": Membership.Role.choices,
        "error": error,
        # Attendees' names are for those who can hand the bookings on, not for every member.
        "former_hosts": (
            hooks.hostless_bookings(request.workspace, timezone.now())
            if request.membership.is_admin
            else []
        ),
        "my_workspaces": selectors.workspaces_of(request.user),
        "now": timezone.now(),
    }
    return render(request, "workestra/members.html", context, status=status)


@require_GET
@workspace_required
def member_list(request: AuthedRequest) -> HttpResponse:
    return _page(request)


@require_POST
@workspace_required
def member_invite(request: AuthedRequest) -> HttpResponse:
    _admin_only(request)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _page(request, invite_form=form, status=400)
    try:
        invitation, _ = services.invitation_create(
            actor=request.membership,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            now=timezone.now(),
        )
    except MembershipRefused as refusal:
        form.add_error("email", str(refusal))
        return _page(request, invite_form=form, status=400)
    messages.success(request, f"Invitation sent to {invitation.email}.")
    return redirect("members:list")


@require_POST
@workspace_required
def member_role(request: AuthedRequest, pk: int) -> HttpResponse:
    target = selectors.membership_get_for_user(request.membership, pk)
    _admin_only(request)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _page(request, error=ROLE_MESSAGE, status=400)
    try:
        services.membership_set_role(
            actor=request.membership, membership=target, role=form.cleaned_data["role"]
        )
    except MembershipRefused as refusal:
        return _page(request, error=str(refusal), status=400)
    messages.success(request, f"{target.user.display_name} is now {target.get_role_display()}.")
    return redirect("members:list")


@require_POST
@workspace_required
def member_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    target = selectors.membership_get_for_user(request.membership, pk)
    _admin_only(request)
    try:
        services.membership_remove(actor=request.membership, membership=target)
    except MembershipRefused as refusal:
        return _page(request, error=str(refusal), status=400)
    messages.success(request, f"{target.user.display_name} was removed from the workspace.")
    return redirect("members:list" if target.pk != request.membership.pk else "home")


@require_POST
@workspace_required
def member_leave(request: AuthedRequest) -> HttpResponse:
    try:
        services.membership_leave(membership=request.membership)
    except MembershipRefused as refusal:
        return _page(request, error=str(refusal), status=400)
    request.session.pop(SESSION_KEY, None)
    messages.success(request, f"You left {request.workspace.name}.")
    return redirect("home")


@require_POST
@workspace_required
def invitation_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    invitation = selectors.invitation_get_for_user(request.membership, pk)
    _admin_only(request)
    try:
        services.invitation_revoke(
            actor=request.membership, invitation=invitation, now=timezone.now()
        )
    except MembershipRefused as refusal:
        return _page(request, error=str(refusal), status=400)
    messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
    return redirect("members:list")


@require_POST
@login_required
def workspace_switch(request: AuthedRequest) -> HttpResponse:
    """Make another of the user's workspaces the current one; anyone else's is a 404."""
    raw = request.POST.get("workspace", "")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise Http404("No such workspace.")
    membership = selectors.workspaces_of(request.user).filter(workspace_id=int(raw)).first()
    if membership is None:
        raise Http404("No such workspace.")
    request.session[SESSION_KEY] = membership.workspace_id
    messages.success(request, f"You are now working in {membership.workspace.name}.")
    return redirect("members:list")
