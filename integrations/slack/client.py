"""The one HTTP client for Slack incoming webhooks: check the URL, post a message, read the answer.

The URL must be a Slack one (``https://hooks.slack.com/…``), checked again before each send, and
the post goes through the same public-address guard as webhooks. Slack answers ``ok``; the
answers it documents as final (bad payload, revoked or archived channel) are :func:`is_final`.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any
from urllib.parse import urlsplit

from workestra.lib import outbound

SLACK_HOST = "hooks.slack.com"
SLACK_PATHS = ("/services/", "/workflows/", "/triggers/")
# 400 invalid_payload, 403 action_prohibited, 404 no_service / channel_not_found,
# 410 channel_is_archived: sending the same message again cannot succeed.
FINAL_STATUSES = (400, 403, 404, 410)


def slack_url_problem(url: str) -> str:
    """Why ``url`` is not a Slack incoming-webhook URL, or "" when it is one.

    With ``WEBHOOK_ALLOW_LOOPBACK`` (tests, development) a loopback URL stands in for Slack.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "The Slack webhook URL is not valid."
    host = (parts.hostname or "").lower()
    if outbound.allow_loopback() and _is_loopback(host):
        return ""
    if (
        parts.scheme != "https"
        or host != SLACK_HOST
        or port not in (None, 443)
        or parts.username is not None
        or not parts.path.startswith(SLACK_PATHS)
    ):
        return "Use a Slack incoming-webhook URL starting with https://hooks.slack.com/services/."
    return ""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def post_message(url: str, message: dict[str, Any]) -> outbound.Result:
    """POST ``message`` (Block Kit JSON) to the incoming-webhook ``url``."""
    return outbound.post(
        url,
        content=json.dumps(message, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )


def is_final(result: outbound.Result) -> bool:
    """Whether sending the same message again cannot succeed."""
    return result.refused or result.status in FINAL_STATUSES
