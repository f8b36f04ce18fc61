"""Helpers for email-verification tests: read the code the way an attendee does, from the email."""

from __future__ import annotations

import re

from django.core import mail

from workflows import outbox

CODE_SUBJECT = "is your code"


def code_emails() -> list:
    return [m for m in mail.outbox if CODE_SUBJECT in m.subject]


def latest_code() -> str:
    """Deliver what is due, then read the newest code from the attendee's inbox."""
    outbox.drain()
    emails = code_emails()
    assert emails, "no verification email was sent"
    match = re.search(r"^\s+(\d{6})\s*$", emails[-1].body, re.MULTILINE)
    assert match, emails[-1].body
    return match[1]


def wrong(code: str) -> str:
    """A six-digit code that is certainly not ``code``."""
    return f"{(int(code) + 1) % 1_000_000:06d}"
