"""Forms of the tenant core: the extra sign-up details and the profile."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest

from workestra.models import User
from workestra.services import workspace_create_for_owner
from workestra.timezones import timezone_names


class SignupDetailsForm(forms.Form):
    """What allauth's sign-up form asks besides email and password; ``signup`` runs once the
    user is saved and gives them a workspace of their own."""

    name = forms.CharField(label="Your name", max_length=120, required=False)
    workspace = forms.CharField(
        label="Workspace name",
        max_length=120,
        required=False,
        help_text="Leave empty for “<your name>'s workspace”.",
    )

    def signup(self, request: HttpRequest, user: User) -> None:
        user.name = self.cleaned_data.get("name", "").strip()
        user.save(update_fields=["name"])
        workspace_create_for_owner(user=user, name=self.cleaned_data.get("workspace", ""))


def zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in timezone_names()]


class ProfileForm(forms.ModelForm):
    timezone = forms.ChoiceField(label="Time zone", choices=zone_choices)

    class Meta:
        model = User
        fields = ["name", "timezone"]
        labels = {"name": "Name"}
