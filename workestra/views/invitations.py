"""``/invite/<token>``: the page an invitation email links to.

Anyone may open it (the invitee may have no workspace yet), so it is rate limited and a token
that opens nothing is a 404. Accepting is a POST: mail scanners prefetch links. Sign-up lives
elsewhere; someone signed out is sent to sign in (or create an account) and come back.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from workestra import services
from workestra.lib import ratelimit
from workestra.lib.formatting import mask_email
from workestra.models import Invitation, User
from workestra.services import MembershipRefused
from workestra.tenancy import SESSION_KEY, TenantRequest

ATTEMPTS_PER_MINUTE = 30


def _signup_url() -> str | None:
    """The sign-up page, once an app provides one under the usual name."""
    try:
        return reverse("account_signup")
    except NoReverseMatch:
        return None


def _render(
    request: TenantRequest, invitation: Invitation | None, *, problem: str = "", status: int = 200
) -> HttpResponse:
    next_query = urlencode({"next": request.path})
    signup = _signup_url()
    context = {
        "invitation": invitation,
        "masked_email": mask_email(invitation.email) if invitation else "",
        "problem": problem,
        "login_url": f"{reverse('login')}?{next_query}",
        "signup_url": f"{signup}?{next_query}" if signup else "",
    }
    return render(request, "workestra/invitation.html", context, status=status)


@require_http_methods(["GET", "POST"])
def invitation_page(request: TenantRequest, token: str) -> HttpResponse:
    if not ratelimit.hit("invite", ratelimit.client_ip(request), limit=ATTEMPTS_PER_MINUTE):
        return _render(request, None, problem="Too many attempts. Wait a minute.", status=429)
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return _render(request, None, problem="This invitation link is not valid.", status=404)
    now = timezone.now()
    problem = services.invitation_problem(invitation, now=now)
    if problem:
        return _render(request, invitation, problem=problem, status=410)
    user = request.user
    if not isinstance(user, User):
        return _render(request, invitation)
    if user.email.lower() != invitation.email.lower():
        problem = f"This invitation is for {mask_email(invitation.email)}, not for {user.email}."
        return _render(request, invitation, problem=problem, status=403)
    if request.method == "GET":
        return _render(request, invitation)
    try:
        membership = services.invitation_accept(invitation=invitation, user=user, now=now)
    except MembershipRefused as refusal:
        return _render(request, invitation, problem=str(refusal), status=409)
    request.session[SESSION_KEY] = membership.workspace_id
    messages.success(request, f"Welcome to {invitation.workspace.name}.")
    return redirect("members:list")
