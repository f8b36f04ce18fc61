"""Connecting Zoom from /settings/integrations: the same OAuth flow (PKCE, session-bound state)
as calendars, ending in an encrypted connection with the account's email."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from integrations.models import CalendarConnection
from tests.integrations import fixtures_zoom

fake_zoom = fixtures_zoom.fake_zoom


def test_a_host_connects_zoom_and_the_page_lists_it(owner_client, owner, fake_zoom):
    page = owner_client.get("/settings/integrations").content.decode()
    assert "Zoom" in page

    start = owner_client.post("/settings/integrations/zoom/connect")
    assert start.status_code == 302
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    code = fake_zoom.issue_code(query["code_challenge"][0], query["redirect_uri"][0])

    done = owner_client.get(
        "/settings/integrations/zoom/callback", {"code": code, "state": query["state"][0]}
    )

    assert done.status_code == 302
    connection = CalendarConnection.objects.get(user=owner, provider="zoom")
    assert connection.account == fixtures_zoom.server.ACCOUNT
    assert connection.secret and connection.secret not in connection.secret_encrypted
    assert not connection.calendars.exists()
    # The same state can't be used twice.
    again = owner_client.get(
        "/settings/integrations/zoom/callback", {"code": code, "state": query["state"][0]}
    )
    assert again.status_code == 400
