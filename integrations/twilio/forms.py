"""The form for a workspace's own Twilio account: SID, auth token and sending number."""

from __future__ import annotations

import re
from typing import Any

import phonenumbers
from django import forms

SID_PATTERN = re.compile(r"AC[0-9a-fA-F]{32}")
SID_MESSAGE = "Enter the account SID from the Twilio console: AC followed by 32 hex digits."
TOKEN_MAX_LENGTH = 64
NUMBER_MAX_LENGTH = 32
NUMBER_MESSAGE = "Enter the sending number in international format, e.g. +14155550100."
NUL_MESSAGE = "Remove the invisible null character from this field."


class TwilioAccountForm(forms.Form):
    account_sid = forms.CharField(
        label="Account SID",
        max_length=34,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the account SID.",
            "max_length": SID_MESSAGE,
            "null_characters_not_allowed": NUL_MESSAGE,
        },
    )
    auth_token = forms.CharField(
        label="Auth token",
        required=False,
        max_length=TOKEN_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        error_messages={
            "max_length": f"Keep the auth token under {TOKEN_MAX_LENGTH} characters.",
            "null_characters_not_allowed": NUL_MESSAGE,
        },
    )
    from_number = forms.CharField(
        label="Sending number",
        max_length=NUMBER_MAX_LENGTH,
        help_text="A number of this Twilio account, in international format, e.g. +14155550100.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
        error_messages={
            "required": "Enter the number texts and calls come from.",
            "max_length": NUMBER_MESSAGE,
            "null_characters_not_allowed": NUL_MESSAGE,
        },
    )

    def __init__(self, *args: Any, has_token: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "twilio")
        super().__init__(*args, **kwargs)
        self.has_token = has_token
        if has_token:
            self.fields["auth_token"].help_text = "Leave empty to keep the saved token."

    def clean_account_sid(self) -> str:
        sid = self.cleaned_data["account_sid"].strip()
        if not SID_PATTERN.fullmatch(sid):
            raise forms.ValidationError(SID_MESSAGE)
        return "AC" + sid[2:].lower()

    def clean_auth_token(self) -> str:
        token = self.cleaned_data["auth_token"].strip()
        if not token and not self.has_token:
            raise forms.ValidationError("Enter the auth token.")
        if any(c.isspace() for c in token):
            raise forms.ValidationError("The auth token has no spaces; copy it again.")
        return token

    def clean_from_number(self) -> str:
        raw = self.cleaned_data["from_number"].strip()
        try:
            number = phonenumbers.parse(raw, None)
        except phonenumbers.NumberParseException:
            raise forms.ValidationError(NUMBER_MESSAGE) from None
        if not phonenumbers.is_valid_number(number):
            raise forms.ValidationError(
                "This is not a valid phone number; check the country code and digits."
            )
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
