"""The password connect forms (CalDAV / iCloud, Exchange) and their input limits."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.validators import URLValidator

ICLOUD_URL = "https://caldav.icloud.com"
URL_MAX_LENGTH = 500  # CalendarConnection.server_url
USERNAME_MAX_LENGTH = 254
PASSWORD_MAX_LENGTH = 500


def server_url_problem(url: str) -> str:
    """Why ``url`` cannot be a calendar server address, or ""."""
    loopback_ok = bool(settings.CALENDAR_ALLOW_LOOPBACK)
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a port out of range
        URLValidator(schemes=["http", "https"])(url)
    except (ValueError, forms.ValidationError):
        return "Enter the server's full address, e.g. https://calendar.example.com/dav/."
    host = (parts.hostname or "").rstrip(".").lower()
    if parts.scheme != "https" and not (loopback_ok and _is_loopback(host)):
        return "Use an address starting with https://, so your password travels encrypted."
    if parts.username is not None or parts.password is not None:
        return "Leave the user name and password out of the address; use the fields below."
    if port == 0:
        return "Port 0 cannot receive requests; leave the port out or use the server's."
    return ""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class PasswordConnectForm(forms.Form):
    server_url = forms.CharField(
        label="Server address",
        max_length=URL_MAX_LENGTH,
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
        error_messages={
            "required": "Enter the server's address.",
            "max_length": f"Keep the address under {URL_MAX_LENGTH} characters.",
        },
    )
    username = forms.CharField(
        label="User name",
        max_length=USERNAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
        error_messages={
            "required": "Enter your user name.",
            "max_length": f"Keep the user name under {USERNAME_MAX_LENGTH} characters.",
        },
    )
    password = forms.CharField(
        label="Password",
        max_length=PASSWORD_MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={
            "required": "Enter the password.",
            "max_length": f"Keep the password under {PASSWORD_MAX_LENGTH} characters.",
        },
    )

    provider_key = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # A prefix per provider keeps the ids of the two forms on one page apart.
        kwargs["prefix"] = self.provider_key
        super().__init__(*args, **kwargs)

    def clean_server_url(self) -> str:
        url = self.cleaned_data["server_url"].strip()
        problem = server_url_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url


class CalDAVForm(PasswordConnectForm):
    """iCloud needs only the Apple ID and an app-specific password."""

    provider_key = "caldav"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        server_url = self.fields["server_url"]
        server_url.required = False
        server_url.help_text = "Leave empty for iCloud."
        self.fields["username"].label = "User name or Apple ID"
        self.fields["password"].label = "App-specific password"
        self.fields[
            "password"
        ].help_text = "For iCloud, make one at account.apple.com under Sign-In and Security."

    def clean_server_url(self) -> str:
        if not self.cleaned_data["server_url"].strip():
            return ICLOUD_URL
        return super().clean_server_url()


class ExchangeForm(PasswordConnectForm):
    provider_key = "exchange"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["server_url"].label = "EWS address"
        self.fields[
            "server_url"
        ].help_text = "Usually https://mail.example.com/EWS/Exchange.asmx; ask your IT team."


FORMS: dict[str, type[PasswordConnectForm]] = {"caldav": CalDAVForm, "exchange": ExchangeForm}
