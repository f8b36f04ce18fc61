"""The Share & Embed card of a booking link (its allowed sites and snippets), and ``/embed.js``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from booking import embed, selectors, services
from booking.models import BookingLink
from workestra.tenancy import AuthedRequest, workspace_required

SCRIPT_PATH = "embed/v1/embed.js"


class EmbedOriginsForm(forms.Form):
    embed_origins = forms.CharField(
        label="Sites allowed to embed this link",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"}),
        help_text=(
            "One per line, as https://www.example.com (with :port if not the default). Leave "
            f"empty to allow any site. At most {embed.MAX_ORIGINS}."
        ),
    )

    def clean_embed_origins(self) -> list[str]:
        return embed.clean_origins(self.cleaned_data["embed_origins"])


def share_context(link: BookingLink, form: EmbedOriginsForm | None = None) -> dict[str, Any]:
    """The card's context: the form and the snippets to paste."""
    script = settings.PUBLIC_BASE_URL + reverse("booking:embed-script")
    url = link.public_url
    return {
        "embed_form": form
        or EmbedOriginsForm(initial={"embed_origins": "\n".join(link.embed_origins)}),
        "snippets": [
            (
                "inline",
                "Inline",
                f'<div data-workestra-inline="{url}"><a href="{url}">Book a meeting</a></div>\n<script src="{script}" async></script>',
            ),
            (
                "popup",
                "Popup button",
                f'<a href="{url}" data-workestra-popup>Book a meeting</a>\n<script src="{script}" async></script>',
            ),
            (
                "badge",
                "Floating badge",
                f'<a href="{url}" data-workestra-badge>Book a meeting</a>\n<script src="{script}" async></script>',
            ),
        ],
    }


@workspace_required
@require_POST
def link_embed(request: AuthedRequest, pk: int) -> HttpResponse:
    link = selectors.link_get_for_user(request.membership, pk, write=True)
    form = EmbedOriginsForm(request.POST)
    if not form.is_valid():
        context: dict[str, Any] = {"link": link, **share_context(link, form)}
        return render(request, "booking/links/embed.html", context, status=400)
    link = services.link_set_embed_origins(link=link, origins=form.cleaned_data["embed_origins"])
    count = len(link.embed_origins)
    messages.success(
        request,
        f"“{link.title}” can now be embedded on {count} site{'s' if count != 1 else ''}."
        if count
        else f"“{link.title}” can now be embedded on any site.",
    )
    return redirect(reverse("booking:link-edit", args=[link.pk]) + "#share-embed")


@require_GET
def embed_script(request: HttpRequest) -> HttpResponse:
    """The stable address of the embed script: the current version's file."""
    response = redirect(static(SCRIPT_PATH))
    response["Cache-Control"] = "public, max-age=300"
    return response
