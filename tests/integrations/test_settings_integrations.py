"""Settings → Integrations at /settings/integrations: connecting calendar accounts by OAuth or
password, calendar choices, broken connections and disconnecting.

The providers are small in-memory ones implementing the provider protocol, registered in place
of the real clients for each test: an OAuth one that checks PKCE like a real authorization
server, and a password one that knows one account.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from cryptography.fernet import Fernet
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.test import Client, RequestFactory

from availability.models import ExternalBusy
from integrations.calendars import oauth, services
from integrations.calendars import provider as providers
from integrations.calendars.provider import (
    EventData,
    Grant,
    ProviderError,
    Range,
    RemoteCalendar,
    SyncResult,
    Watch,
    WrittenEvent,
)
from integrations.models import Calendar, CalendarConnection
from tests.conftest import NOW, login
from tests.factories import MembershipFactory
from workestra.lib import crypto

PAGE = "/settings/integrations"
PREFERENCES = "/settings/integrations/calendars"
BASE = "https://app.example.test"
REFRESH_TOKEN = "1//refresh-token-olga-very-secret"
BANNER = (
    "Your Google calendar (olga@gmail.test) needs reconnecting: bookings use the busy times "
    "we last saw, and new bookings aren't added to it."
)
WRONG_PASSWORD = "The server refused the user name or password."


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class _Base:
    can_push = False
    can_add_meeting = False

    def __init__(self) -> None:
        # account -> the calendars it has
        self.accounts: dict[str, list[RemoteCalendar]] = {}
        self.revoked: list[str] = []
        self.fail_revoke = False

    def calendars(self, connection: CalendarConnection) -> list[RemoteCalendar]:
        self._check(connection)
        return list(self.accounts[connection.account])

    def _check(self, connection: CalendarConnection) -> None:
        raise NotImplementedError

    def sync(
        self,
        connection: CalendarConnection,
        calendar_id: str,
        *,
        token: str,
        start: datetime,
        end: datetime,
    ) -> SyncResult:
        self._check(connection)
        return SyncResult(full=True)

    def busy(
        self,
        connection: CalendarConnection,
        calendar_ids: list[str],
        *,
        start: datetime,
        end: datetime,
        timeout: float,
    ) -> list[Range]:
        self._check(connection)
        return []

    def create_event(
        self, connection: CalendarConnection, calendar_id: str, data: EventData
    ) -> WrittenEvent:
        self._check(connection)
        return WrittenEvent(external_id=data.ical_uid)

    def update_event(
        self, connection: CalendarConnection, calendar_id: str, external_id: str, data: EventData
    ) -> WrittenEvent:
        self._check(connection)
        return WrittenEvent(external_id=external_id)

    def delete_event(
        self, connection: CalendarConnection, calendar_id: str, external_id: str, *, notify: bool
    ) -> None:
        self._check(connection)

    def revoke(self, connection: CalendarConnection) -> None:
        if self.fail_revoke:
            raise ProviderError("The provider is down.")
        self.revoked.append(connection.account)


class FakeGoogle(_Base):
    """An authorization server and calendar API in memory: codes are single-use and bound to
    the PKCE challenge and redirect URI they were issued for."""

    key = "google"
    label = "Google Calendar"
    uses_oauth = True
    can_push = True

    def __init__(self) -> None:
        super().__init__()
        self.configured = True
        self.refresh_tokens: dict[str, str] = {}  # account -> its valid refresh token
        self._codes: dict[str, tuple[str, str, str]] = {}  # code -> (challenge, uri, account)
        self.exchanges = 0
        self.stopped: list[str] = []

    def is_configured(self) -> bool:
        return self.configured

    def authorization_url(self, *, state: str, code_challenge: str, redirect_uri: str) -> str:
        query = {"state": state, "code_challenge": code_challenge, "redirect_uri": redirect_uri}
        return "https://accounts.example.test/auth?" + urlencode(query)

    def consent(self, authorization_url: str, *, account: str) -> tuple[str, str]:
        """The host agrees at the provider: the (code, state) the callback receives."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(authorization_url).query).items()}
        code = f"code-{len(self._codes) + 1}"
        self._codes[code] = (query["code_challenge"], query["redirect_uri"], account)
        return code, query["state"]

    def exchange_code(self, *, code: str, code_verifier: str, redirect_uri: str) -> Grant:
        self.exchanges += 1
        issued = self._codes.pop(code, None)
        if issued is None or issued[1] != redirect_uri or issued[0] != _challenge(code_verifier):
            raise ProviderError("Google refused the sign-in (invalid_grant).", retry=False)
        account = issued[2]
        return Grant(account=account, secret=self.refresh_tokens[account], access_token="ya29.x")

    def _check(self, connection: CalendarConnection) -> None:
        if connection.secret != self.refresh_tokens.get(connection.account):
            raise ProviderError("Token has been expired or revoked.", auth=True)

    def watch(
        self,
        connection: CalendarConnection,
        calendar_id: str,
        *,
        address: str,
        watch_id: str,
        secret: str,
        expires_at: datetime,
    ) -> Watch:
        return Watch(watch_id=watch_id, resource_id=f"res-{calendar_id}", expires_at=expires_at)

    def stop_watch(
        self, connection: CalendarConnection, calendar_id: str, watch_id: str, resource_id: str
    ) -> None:
        self._check(connection)
        self.stopped.append(watch_id)


class FakeCalDAV(_Base):
    key = "caldav"
    label = "iCloud / CalDAV"
    uses_oauth = False

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}  # (server, user) -> password
        self.logins = 0

    def is_configured(self) -> bool:
        return True

    def login(self, *, server_url: str, username: str, password: str) -> Grant:
        self.logins += 1
        if self.passwords.get((server_url, username)) != password:
            raise ProviderError(WRONG_PASSWORD, auth=True)
        return Grant(account=username, secret=password)

    def _check(self, connection: CalendarConnection) -> None:
        key = (connection.server_url, connection.username)
        if self.passwords.get(key) != connection.secret:
            raise ProviderError(WRONG_PASSWORD, auth=True)


@pytest.fixture
def key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture(autouse=True)
def _settings(settings, key):
    settings.ENCRYPTION_KEYS = [key]
    settings.PUBLIC_BASE_URL = BASE
    settings.CALENDAR_ALLOW_LOOPBACK = False


@pytest.fixture
def google() -> FakeGoogle:
    fake = FakeGoogle()
    fake.refresh_tokens["olga@gmail.test"] = REFRESH_TOKEN
    fake.accounts["olga@gmail.test"] = [
        RemoteCalendar("olga@gmail.test", "Olga", is_primary=True),
        RemoteCalendar("team@group.test", "Team holidays", writable=False),
        RemoteCalendar("side@group.test", "Side project"),
    ]
    return fake


@pytest.fixture
def caldav() -> FakeCalDAV:
    fake = FakeCalDAV()
    fake.passwords[("https://caldav.icloud.com", "olga@icloud.test")] = "abcd-efgh-ijkl-mnop"
    fake.accounts["olga@icloud.test"] = [RemoteCalendar("/home/", "Home", is_primary=True)]
    return fake


@pytest.fixture(autouse=True)
def registry(google, caldav) -> Iterator[None]:
    with providers.only({"google": google, "caldav": caldav}):
        yield


def connect_google(user, workspace, account: str = "olga@gmail.test") -> CalendarConnection:
    """Connect through the service (the sign-in pages are tested on their own below)."""
    fake = providers.get("google")
    assert isinstance(fake, FakeGoogle)
    return services.connection_create(
        user=user,
        workspace=workspace,
        provider_key="google",
        grant=Grant(account=account, secret=fake.refresh_tokens[account]),
    )


def start_sign_in(client: Client) -> str:
    response = client.post("/settings/integrations/google/connect")
    assert response.status_code == 302
    return response["Location"]


def callback(client: Client, **query: str):
    return client.get("/settings/integrations/google/callback?" + urlencode(query), follow=True)


def text(response) -> str:
    return html.unescape(response.content.decode())


# --- The page ----------------------------------------------------------------------------------


def test_page_lists_the_hosts_connections_and_their_calendars(owner, workspace, owner_client):
    connect_google(owner, workspace)

    page = text(owner_client.get(PAGE))

    assert "olga@gmail.test" in page
    for name in ("Olga", "Team holidays", "Side project"):
        assert name in page
    assert "Check for conflicts" in page
    assert "Add new bookings to" in page
    assert "Disconnect Google Calendar (olga@gmail.test)" in page


def test_page_offers_only_writable_calendars_for_new_bookings(owner, workspace, owner_client):
    connect_google(owner, workspace)
    read_only = Calendar.objects.get(name="Team holidays")
    writable = Calendar.objects.get(name="Side project")

    page = owner_client.get(PAGE).content.decode()

    assert f'id="receiving-{writable.pk}"' in page
    assert f'id="receiving-{read_only.pk}"' not in page
    assert f'id="conflicts-{read_only.pk}"' in page


def test_page_does_not_show_a_teammates_connections(owner, teammate, workspace, teammate_client):
    connect_google(owner, workspace)

    page = text(teammate_client.get(PAGE))

    assert "olga@gmail.test" not in page


def test_a_provider_not_set_up_names_the_settings_to_set(owner_client, google):
    google.configured = False

    page = text(owner_client.get(PAGE))

    assert "Google Calendar is not set up on this server" in page
    assert "GOOGLE_CLIENT_ID" in page and "GOOGLE_CLIENT_SECRET" in page
    assert owner_client.post("/settings/integrations/google/connect").status_code == 400


def test_integrations_is_in_the_navigation(owner_client):
    assert 'href="/settings/integrations"' in owner_client.get("/calendar").content.decode()


# --- OAuth ---------------------------------------------------------------------------------------


def test_oauth_sign_in_stores_the_refresh_token_encrypted(owner, owner_client, google):
    url = start_sign_in(owner_client)
    assert url.startswith("https://accounts.example.test/auth?")
    query = parse_qs(urlsplit(url).query)
    assert query["redirect_uri"] == [f"{BASE}/settings/integrations/google/callback"]
    code, state = google.consent(url, account="olga@gmail.test")

    response = callback(owner_client, code=code, state=state)

    assert response.status_code == 200
    assert "Connected Google Calendar (olga@gmail.test)" in text(response)
    connection = CalendarConnection.objects.get(user=owner)
    assert REFRESH_TOKEN not in connection.secret_encrypted
    assert "ya29.x" not in connection.access_token_encrypted
    stored = CalendarConnection.objects.filter(secret_encrypted__contains="refresh-token")
    assert not stored.exists()
    assert connection.secret == REFRESH_TOKEN
    primary = connection.calendars.get(external_id="olga@gmail.test")
    assert primary.check_conflicts and primary.receives_bookings
    others = connection.calendars.exclude(pk=primary.pk)
    assert not others.filter(check_conflicts=True).exists()


def refused(response) -> None:
    assert response.status_code == 400
    assert "nothing was connected" in text(response)
    assert not CalendarConnection.objects.exists()


def test_callback_with_a_wrong_state_is_refused(owner_client, google):
    code, _state = google.consent(start_sign_in(owner_client), account="olga@gmail.test")

    refused(callback(owner_client, code=code, state="not-the-state"))
    assert google.exchanges == 0


def test_callback_without_a_state_is_refused(owner_client, google):
    code, _state = google.consent(start_sign_in(owner_client), account="olga@gmail.test")

    refused(callback(owner_client, code=code))
    assert google.exchanges == 0


def test_a_replayed_callback_is_refused(owner, owner_client, google):
    code, state = google.consent(start_sign_in(owner_client), account="olga@gmail.test")
    assert callback(owner_client, code=code, state=state).status_code == 200
    CalendarConnection.objects.all().delete()

    refused(callback(owner_client, code=code, state=state))
    assert google.exchanges == 1


def test_another_users_state_is_refused(owner_client, teammate_client, google):
    code, state = google.consent(start_sign_in(owner_client), account="olga@gmail.test")

    refused(callback(teammate_client, code=code, state=state))
    assert google.exchanges == 0


def test_a_state_in_a_session_now_used_by_someone_else_is_refused(owner, teammate, google):
    """Signing in as someone else empties the session, but the entry names its user too."""
    request = RequestFactory().post("/settings/integrations/google/connect")
    request.session = SessionStore()
    request.user = owner
    code, state = google.consent(oauth.oauth_begin(request, "google"), account="olga@gmail.test")
    request.user = teammate

    with pytest.raises(oauth.OAuthRefused):
        oauth.oauth_finish(request, "google", state, code)
    assert google.exchanges == 0


def test_a_state_older_than_ten_minutes_is_refused(frozen, owner_client, google):
    code, state = google.consent(start_sign_in(owner_client), account="olga@gmail.test")
    frozen.shift(timedelta(minutes=10, seconds=1))

    response = callback(owner_client, code=code, state=state)

    refused(response)
    assert "longer than 10 minutes" in text(response)
    assert google.exchanges == 0


def test_a_state_within_ten_minutes_is_accepted(frozen, owner_client, google):
    code, state = google.consent(start_sign_in(owner_client), account="olga@gmail.test")
    frozen.shift(timedelta(minutes=9))

    assert callback(owner_client, code=code, state=state).status_code == 200
    assert CalendarConnection.objects.count() == 1


def test_a_state_issued_for_another_provider_is_refused(owner_client, google):
    other = FakeGoogle()
    other.key = "microsoft"
    providers.register("microsoft", other)
    code, state = google.consent(start_sign_in(owner_client), account="olga@gmail.test")

    response = owner_client.get(
        "/settings/integrations/microsoft/callback?" + urlencode({"code": code, "state": state})
    )

    refused(response)


def test_only_a_few_sign_ins_stay_pending(owner_client, google):
    first = start_sign_in(owner_client)
    for _ in range(5):
        start_sign_in(owner_client)
    code, state = google.consent(first, account="olga@gmail.test")

    refused(callback(owner_client, code=code, state=state))


def test_the_provider_refusing_the_code_stores_nothing(owner_client, google):
    _code, state = google.consent(start_sign_in(owner_client), account="olga@gmail.test")

    response = callback(owner_client, code="forged-code", state=state)

    assert response.status_code == 400
    assert "Google refused the sign-in" in text(response)
    assert not CalendarConnection.objects.exists()


def test_access_denied_at_the_provider_says_so_and_stores_nothing(owner_client, google):
    _code, state = google.consent(start_sign_in(owner_client), account="olga@gmail.test")

    response = callback(owner_client, error="access_denied", state=state)

    assert response.status_code == 200
    assert "You didn't give access at Google Calendar, so nothing was connected." in text(response)
    assert not CalendarConnection.objects.exists()
    assert google.exchanges == 0


def test_reconnecting_the_same_account_repairs_the_broken_connection(
    owner, workspace, owner_client, google
):
    connection = connect_google(owner, workspace)
    services.connection_mark_broken(connection, reason="Token has been revoked.", now=NOW)
    google.refresh_tokens["olga@gmail.test"] = "1//a-new-refresh-token"
    code, state = google.consent(start_sign_in(owner_client), account="olga@gmail.test")

    callback(owner_client, code=code, state=state)

    again = CalendarConnection.objects.get()
    assert again.pk == connection.pk
    assert not again.is_broken and again.broken_reason == "" and again.broken_at is None
    assert again.secret == "1//a-new-refresh-token"


# --- Password connections ----------------------------------------------------------------------


def caldav_form(**overrides: str) -> dict[str, str]:
    data = {
        "caldav-server_url": "",
        "caldav-username": "olga@icloud.test",
        "caldav-password": "abcd-efgh-ijkl-mnop",
    }
    data.update(overrides)
    return data


def post_caldav(client: Client, **overrides: str):
    return client.post("/settings/integrations/caldav/connect", caldav_form(**overrides))


def test_icloud_connects_with_an_app_specific_password(owner, owner_client):
    response = post_caldav(owner_client)

    assert response.status_code == 302
    connection = CalendarConnection.objects.get(user=owner)
    assert connection.server_url == "https://caldav.icloud.com"
    assert "abcd-efgh" not in connection.secret_encrypted
    assert connection.secret == "abcd-efgh-ijkl-mnop"
    assert connection.calendars.get().receives_bookings


def test_a_wrong_password_shows_the_providers_message_and_stores_nothing(owner_client, caldav):
    response = post_caldav(owner_client, **{"caldav-password": "wrong"})

    assert response.status_code == 400
    assert WRONG_PASSWORD in text(response)
    assert caldav.logins == 1
    assert not CalendarConnection.objects.exists()
    assert "wrong" not in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"caldav-username": ""}, "Enter your user name."),
        ({"caldav-password": ""}, "Enter the password."),
        ({"caldav-username": "a" * 255}, "Keep the user name under 254 characters."),
        ({"caldav-password": "p" * 501}, "Keep the password under 500 characters."),
        (
            {"caldav-server_url": "https://dav.example.test/" + "a" * 500},
            "Keep the address under 500 characters.",
        ),
        ({"caldav-server_url": "javascript:alert(1)"}, "Enter the server's full address"),
        ({"caldav-server_url": "http://dav.example.test/"}, "starting with https://"),
        ({"caldav-server_url": "https://u:p@dav.example.test/"}, "Leave the user name"),
        ({"caldav-username": "olga\x00"}, "Null characters are not allowed."),
        ({"caldav-server_url": "https://dav.example.test/\x00"}, "Null characters are not"),
    ],
)
def test_bad_input_gets_a_clear_message_and_stores_nothing(
    owner_client, caldav, overrides, message
):
    response = post_caldav(owner_client, **overrides)

    assert response.status_code == 400
    assert message in text(response)
    assert caldav.logins == 0
    assert not CalendarConnection.objects.exists()


def test_http_is_allowed_for_loopback_servers_when_the_setting_says_so(
    settings, owner_client, caldav
):
    settings.CALENDAR_ALLOW_LOOPBACK = True
    caldav.passwords[("http://127.0.0.1:5232/", "olga@icloud.test")] = "pw"

    response = post_caldav(
        owner_client, **{"caldav-server_url": "http://127.0.0.1:5232/", "caldav-password": "pw"}
    )

    assert response.status_code == 302
    assert CalendarConnection.objects.get().server_url == "http://127.0.0.1:5232/"


def test_a_missing_encryption_key_is_explained_and_nothing_is_stored(settings, owner_client):
    settings.ENCRYPTION_KEYS = []

    page = text(owner_client.get(PAGE))
    response = post_caldav(owner_client)
    oauth = owner_client.post("/settings/integrations/google/connect")

    assert crypto.MISSING_KEY_MESSAGE in page
    assert response.status_code == 400
    assert crypto.MISSING_KEY_MESSAGE in text(response)
    assert oauth.status_code == 400
    assert crypto.MISSING_KEY_MESSAGE in text(oauth)
    assert not CalendarConnection.objects.exists()


def test_a_key_removed_during_the_sign_in_stores_nothing(settings, owner_client, google):
    code, state = google.consent(start_sign_in(owner_client), account="olga@gmail.test")
    settings.ENCRYPTION_KEYS = []

    response = callback(owner_client, code=code, state=state)

    assert response.status_code == 400
    assert crypto.MISSING_KEY_MESSAGE in text(response)
    assert not CalendarConnection.objects.exists()


# --- Calendar choices ------------------------------------------------------------------------


def busy_row(calendar: Calendar) -> ExternalBusy:
    return ExternalBusy.objects.create(
        user=calendar.user,
        source=calendar.busy_source,
        calendar_id=str(calendar.pk),
        event_id="ev1",
        start=NOW,
        end=NOW + timedelta(hours=1),
    )


def test_saving_choices_moves_bookings_and_drops_unchecked_busy_times(
    frozen, owner, workspace, owner_client
):
    connect_google(owner, workspace)
    primary = Calendar.objects.get(name="Olga")
    side = Calendar.objects.get(name="Side project")
    busy_row(primary)

    response = owner_client.post(
        PREFERENCES, {"conflicts": [str(side.pk)], "receiving": str(side.pk)}, follow=True
    )

    assert "Calendar choices saved." in text(response)
    primary.refresh_from_db()
    side.refresh_from_db()
    assert side.receives_bookings and side.check_conflicts
    assert not primary.receives_bookings and not primary.check_conflicts
    assert not ExternalBusy.objects.exists()


def test_a_read_only_calendar_cannot_receive_bookings(owner, workspace, owner_client):
    connect_google(owner, workspace)
    read_only = Calendar.objects.get(name="Team holidays")

    response = owner_client.post(PREFERENCES, {"receiving": str(read_only.pk)})

    assert response.status_code == 400
    assert "New bookings can't be added to Team holidays: it is read-only." in text(response)
    assert Calendar.objects.get(name="Olga").receives_bookings


def test_another_users_calendar_cannot_be_chosen(
    frozen, owner, teammate, workspace, owner_client, google
):
    google.refresh_tokens["tim@gmail.test"] = "1//tim"
    google.accounts["tim@gmail.test"] = [RemoteCalendar("tim@gmail.test", "Tim", is_primary=True)]
    connect_google(owner, workspace)
    tims = connect_google(teammate, workspace, "tim@gmail.test").calendars.get()
    busy_row(tims)

    receiving = owner_client.post(PREFERENCES, {"receiving": str(tims.pk)})
    conflicts = owner_client.post(PREFERENCES, {"conflicts": [str(tims.pk)]})

    assert receiving.status_code == 404
    assert conflicts.status_code == 302
    tims.refresh_from_db()
    assert tims.check_conflicts and tims.receives_bookings
    assert ExternalBusy.objects.filter(user=teammate).count() == 1


def test_choosing_no_calendar_for_new_bookings(owner, workspace, owner_client):
    connect_google(owner, workspace)

    owner_client.post(PREFERENCES, {"receiving": ""})

    assert not Calendar.objects.filter(receives_bookings=True).exists()
    assert 'id="receiving-none" form="calendar-preferences" checked' in (
        owner_client.get(PAGE).content.decode()
    )


def test_garbled_choices_get_a_message_not_an_error(owner, workspace, owner_client):
    connect_google(owner, workspace)

    response = owner_client.post(PREFERENCES, {"conflicts": ["x\x00"]})

    assert response.status_code == 400
    assert "Choose calendars from the list." in text(response)


# --- Disconnecting -----------------------------------------------------------------------------


def test_disconnect_forgets_the_connection_its_calendars_and_busy_times(
    frozen, owner, workspace, owner_client, google
):
    connection = connect_google(owner, workspace)
    watched = Calendar.objects.get(name="Olga")
    Calendar.objects.filter(pk=watched.pk).update(watch_id="ch-1", watch_resource_id="r-1")
    busy_row(watched)

    response = owner_client.post(
        f"/settings/integrations/connections/{connection.pk}/disconnect", follow=True
    )

    assert "Disconnected Google Calendar (olga@gmail.test)" in text(response)
    assert not CalendarConnection.objects.exists()
    assert not Calendar.objects.exists()
    assert not ExternalBusy.objects.exists()
    assert google.revoked == ["olga@gmail.test"]
    assert google.stopped == ["ch-1"]


def test_disconnect_goes_ahead_when_the_provider_fails(owner, workspace, owner_client, google):
    connection = connect_google(owner, workspace)
    google.fail_revoke = True
    google.refresh_tokens["olga@gmail.test"] = "revoked elsewhere"  # stop_watch fails too
    Calendar.objects.update(watch_id="ch-1")

    response = owner_client.post(f"/settings/integrations/connections/{connection.pk}/disconnect")

    assert response.status_code == 302
    assert not CalendarConnection.objects.exists()


def test_disconnect_of_a_teammates_connection_is_not_found(
    owner, workspace, teammate_client, google
):
    connection = connect_google(owner, workspace)

    response = teammate_client.post(
        f"/settings/integrations/connections/{connection.pk}/disconnect"
    )

    assert response.status_code == 404
    assert CalendarConnection.objects.filter(pk=connection.pk).exists()
    assert google.revoked == []


def test_disconnect_of_another_workspaces_connection_is_not_found(owner, owner_client, outsider):
    other_workspace = outsider.memberships.get().workspace
    connection = connect_google(outsider, other_workspace)

    response = owner_client.post(f"/settings/integrations/connections/{connection.pk}/disconnect")

    assert response.status_code == 404
    assert CalendarConnection.objects.filter(pk=connection.pk).exists()


def test_own_connection_seen_from_another_workspace_is_not_found(owner, workspace):
    connection = connect_google(owner, workspace)
    elsewhere = MembershipFactory(user=owner).workspace
    client = login(owner)
    session = client.session
    session["workspace_id"] = elsewhere.pk
    session.save()

    response = client.post(f"/settings/integrations/connections/{connection.pk}/disconnect")

    assert response.status_code == 404


# --- Broken connections ------------------------------------------------------------------------


def test_a_broken_connection_shows_a_banner_until_reconnected(
    owner, workspace, owner_client, google
):
    connection = connect_google(owner, workspace)
    assert services.connection_mark_broken(connection, reason="Token revoked.", now=NOW)
    assert not services.connection_mark_broken(connection, reason="Again.", now=NOW)

    settings_page = text(owner_client.get(PAGE))
    dashboard = text(owner_client.get("/calendar"))

    assert BANNER in settings_page
    assert "Needs reconnecting: Token revoked." in settings_page
    assert "Reconnect Google Calendar (olga@gmail.test)" in settings_page
    assert BANNER in dashboard

    code, state = google.consent(start_sign_in(owner_client), account="olga@gmail.test")
    callback(owner_client, code=code, state=state)

    assert BANNER not in text(owner_client.get("/calendar"))


def test_a_teammates_broken_connection_shows_no_banner(owner, workspace, teammate_client):
    services.connection_mark_broken(connect_google(owner, workspace), reason="x", now=NOW)

    assert "needs reconnecting" not in text(teammate_client.get("/calendar"))


def test_mark_ok_clears_the_broken_state(owner, workspace):
    connection = connect_google(owner, workspace)
    services.connection_mark_broken(connection, reason="Token revoked.", now=NOW)

    assert services.connection_mark_ok(connection)
    assert not services.connection_mark_ok(connection)
    connection.refresh_from_db()
    assert not connection.is_broken and connection.broken_at is None


# --- Calendar list refresh ---------------------------------------------------------------------


def test_refresh_removes_calendars_the_provider_no_longer_lists(frozen, owner, workspace, google):
    connection = connect_google(owner, workspace)
    side = Calendar.objects.get(name="Side project")
    busy_row(side)
    google.accounts["olga@gmail.test"] = [
        RemoteCalendar("olga@gmail.test", "Olga (renamed)", is_primary=True),
        RemoteCalendar("team@group.test", "Team holidays", writable=False),
    ]

    services.connection_refresh_calendars(connection)

    names = set(connection.calendars.values_list("name", flat=True))
    assert names == {"Olga (renamed)", "Team holidays"}
    assert not ExternalBusy.objects.exists()


def test_a_second_account_does_not_take_over_new_bookings(owner, workspace, google):
    connect_google(owner, workspace)
    google.refresh_tokens["olga.work@gmail.test"] = "1//work"
    google.accounts["olga.work@gmail.test"] = [
        RemoteCalendar("olga.work@gmail.test", "Work", is_primary=True)
    ]

    connect_google(owner, workspace, "olga.work@gmail.test")

    assert list(Calendar.objects.filter(receives_bookings=True).values_list("name", flat=True)) == [
        "Olga"
    ]
    assert Calendar.objects.get(name="Work").check_conflicts


# --- Keys --------------------------------------------------------------------------------------


def test_rotate_encryption_key_re_encrypts_with_the_first_key(settings, owner, workspace, key):
    connection = connect_google(owner, workspace)
    before = connection.secret_encrypted
    new = Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [new, key]
    out = io.StringIO()

    call_command("rotate_encryption_key", stdout=out)

    assert "Re-encrypted the secrets of 1 connection(s)." in out.getvalue()
    settings.ENCRYPTION_KEYS = [new]
    connection.refresh_from_db()
    assert connection.secret_encrypted != before
    assert connection.secret == REFRESH_TOKEN


def test_generate_encryption_key_prints_a_usable_key(settings, owner, workspace):
    out = io.StringIO()
    call_command("generate_encryption_key", stdout=out)
    settings.ENCRYPTION_KEYS = [out.getvalue().strip()]

    connection = connect_google(owner, workspace)

    assert CalendarConnection.objects.get(pk=connection.pk).secret == REFRESH_TOKEN


def test_exchange_needs_its_ews_address(owner, owner_client):
    exchange = FakeCalDAV()
    exchange.key, exchange.label = "exchange", "Exchange (on-premises)"
    ews = "https://mail.example.test/EWS/Exchange.asmx"
    exchange.passwords[(ews, "olga")] = "pw"
    exchange.accounts["olga"] = [RemoteCalendar("AAMk=", "Calendar", is_primary=True)]
    providers.register("exchange", exchange)
    data = {"exchange-username": "olga", "exchange-password": "pw"}

    page = text(owner_client.get(PAGE))
    missing = owner_client.post("/settings/integrations/exchange/connect", data)
    given = owner_client.post(
        "/settings/integrations/exchange/connect", {**data, "exchange-server_url": ews}
    )

    assert "EWS address" in page
    assert missing.status_code == 400
    assert "Enter the server's address." in text(missing)
    assert given.status_code == 302
    assert CalendarConnection.objects.get(provider="exchange").server_url == ews
