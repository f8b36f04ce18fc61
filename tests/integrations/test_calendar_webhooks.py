"""The calendar notification endpoints with wrong, missing, oversized and hostile input: a clear
4xx every time, never a 5xx, and nothing queued."""

from __future__ import annotations

import pytest

from workflows.models import OutboxMessage

GOOGLE = "/api/calendar-providers/webhook/google"
MICROSOFT = "/api/calendar-providers/webhook/microsoft"


@pytest.mark.parametrize(
    ("url", "body", "status"),
    [
        (MICROSOFT, b"not json", 400),
        (MICROSOFT, b'{"value": "x"}', 400),
        (MICROSOFT, b"{}", 400),
        (MICROSOFT, b'{"value": [1, "a", null]}', 403),
        (MICROSOFT, b'{"value": [{"subscriptionId": "' + b"x" * 5000 + b'"}]}', 403),
        (MICROSOFT, b'{"value": []}' + b" " * 300_000, 413),
        (MICROSOFT, b"\xff\xfe", 400),
        (GOOGLE, b"", 403),
        ("/api/calendar-providers/webhook/yahoo", b"", 404),
    ],
)
def test_bad_notifications_get_a_clear_answer_and_change_nothing(client, db, url, body, status):
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == status
    assert not OutboxMessage.objects.exists()


def test_a_google_channel_id_that_is_far_too_long_is_refused(client, db):
    headers = {"X-Goog-Channel-ID": "c" * 10_000, "X-Goog-Channel-Token": "t"}
    assert client.post(GOOGLE, headers=headers).status_code == 403


def test_a_huge_validation_token_is_refused(client, db):
    assert client.post(MICROSOFT + "?validationToken=" + "a" * 5000).status_code == 400


def test_notifications_are_posts(client, db):
    assert client.get(GOOGLE).status_code == 405
