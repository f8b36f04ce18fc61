"""The form for a workspace's Stripe account: an API key and the webhook's signing secret."""

from __future__ import annotations

from typing import Any

from django import forms

KEY_PREFIXES = ("sk_live_", "sk_test_", "rk_live_", "rk_test_")
KEY_MESSAGE = "Enter a secret key (sk_…) or a restricted key (rk_…) from the Stripe dashboard."
SIGNING_MESSAGE = "Enter the webhook's signing secret from the Stripe dashboard: it starts whsec_."


class StripeAccountForm(forms.Form):
    api_key = forms.CharField(
        label="API key",
        required=False,
        max_length=255,
        help_text="A restricted key needs write access to Checkout Sessions and Refunds.",
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    webhook_secret = forms.CharField(
        label="Webhook signing secret",
        required=False,
        max_length=255,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, has_secrets: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_secrets = has_secrets
        if has_secrets:
            for name in ("api_key", "webhook_secret"):
                self.fields[name].help_text = "Saved. Leave blank to keep it."

    def clean_api_key(self) -> str:
        key: str = self.cleaned_data["api_key"].strip()
        if not key and not self.has_secrets:
            raise forms.ValidationError("Enter the API key.")
        if key and not key.startswith(KEY_PREFIXES):
            raise forms.ValidationError(KEY_MESSAGE)
        return key

    def clean_webhook_secret(self) -> str:
        secret: str = self.cleaned_data["webhook_secret"].strip()
        if not secret and not self.has_secrets:
            raise forms.ValidationError("Enter the webhook signing secret.")
        if secret and not secret.startswith("whsec_"):
            raise forms.ValidationError(SIGNING_MESSAGE)
        return secret
