"""Teams: settings under ``/settings/teams`` (workspace admins) and the public ``/team/<slug>``."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from booking.models import BookingLink
from workestra import selectors, services
from workestra.models import Team, TeamMember, User
from workestra.tenancy import AuthedRequest, scoped, workspace_required

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "slug", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "slug": "The public page is /team/<slug>: lowercase letters, numbers, dashes. "
            "Blank: made from the name."
        }

    def __init__(self, *args: Any, people: list[User], creator: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = people
        self.fields["slug"].required = False
        # Whoever creates a team is in it unless they take themselves out.
        roles = (
            dict(self.instance.team_members.values_list("user_id", "role"))
            if self.instance.pk
            else {creator.pk: TeamMember.Role.ADMIN}
        )
        choices = [("", "Not in the team"), *TeamMember.Role.choices]
        for user in people:
            self.fields[f"role_{user.pk}"] = forms.ChoiceField(
                label=user.name or user.email,
                choices=choices,
                required=False,
                initial=roles.get(user.pk, ""),
            )

    def member_fields(self) -> list[forms.BoundField]:
        return [self[f"role_{u.pk}"] for u in self.people]

    def clean_slug(self) -> str:
        slug = (self.cleaned_data.get("slug") or "").strip()
        if not slug:  # a new team's is made from its name; a team's own stays as it is
            return self.instance.slug if self.instance.pk else ""
        if not SLUG_RE.match(slug):
            raise forms.ValidationError("Use lowercase letters, numbers and single dashes only.")
        return slug

    @property
    def roles(self) -> dict[int, str]:
        """Each chosen member's user id and team role."""
        return {
            u.pk: self.cleaned_data[f"role_{u.pk}"]
            for u in self.people
            if self.cleaned_data.get(f"role_{u.pk}")
        }


def _admin_only(request: AuthedRequest) -> None:
    if not request.membership.is_admin:
        raise PermissionDenied("Only workspace admins can manage teams.")


def _people(request: AuthedRequest) -> list[User]:
    return list(
        User.objects.filter(memberships__workspace=request.workspace).order_by("name", "email")
    )


@workspace_required
def team_list(request: AuthedRequest) -> HttpResponse:
    teams = scoped(Team.objects.all(), request).prefetch_related("members")
    return render(request, "booking/teams/list.html", {"teams": teams})


@workspace_required
@require_http_methods(["GET", "POST"])
def team_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    team = selectors.team_get_for_user(request.membership, pk) if pk else None
    if request.method == "POST":
        _admin_only(request)
    form = TeamForm(
        request.POST or None,
        instance=team or Team(workspace=request.workspace),
        people=_people(request),
        creator=request.user,
    )
    if request.method == "POST" and form.is_valid():
        fields: dict[str, Any] = {
            "name": form.cleaned_data["name"],
            "slug": form.cleaned_data["slug"],
            "description": form.cleaned_data["description"],
            "roles": form.roles,
        }
        if team is None:
            saved = services.team_create(workspace=request.workspace, **fields)
        else:
            saved = services.team_update(team=team, **fields)
        messages.success(request, f"Team “{saved.name}” saved.")
        return redirect("booking:team-list")
    return render(
        request,
        "booking/teams/form.html",
        {"form": form, "team": team},
        status=400 if form.is_bound else 200,
    )


def team_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Public: the team's live, active links."""
    team = get_object_or_404(Team, slug=slug)
    links = BookingLink.objects.live().filter(team=team, is_active=True).order_by("title")
    return render(request, "booking/teams/public.html", {"team": team, "links": links})
