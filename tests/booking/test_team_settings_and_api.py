"""Team links from the host's side: the settings form (type, hosts, seats, grid, caps, date
overrides), time off in settings, and the JSON slots with seats and free hosts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from availability import engine
from availability.models import ExternalBusy, TimeOff
from availability.services import schedule_create
from availability.sql import EpochSeconds
from booking import services
from booking.models import BookingLink, LinkHost
from tests.booking.helpers import attendee, utc
from tests.booking.test_link_settings import NEW_URL, form_data
from tests.conftest import login
from tests.factories import LinkFactory, MembershipFactory

RANGE_MESSAGE = "Dates must be between 1900-01-01 and 2199-12-31."

pytestmark = pytest.mark.usefixtures("frozen")
TUESDAY = "2026-11-24"
TUESDAY_9_BERLIN = utc(2026, 11, 24, 8, 0)


def slots_url(slug: str, **params: str) -> str:
    query = {"start": TUESDAY, "end": TUESDAY, "timezone": "Europe/Berlin", **params}
    return f"/api/v1/public/links/{slug}/slots?" + "&".join(f"{k}={v}" for k, v in query.items())


def starts(response) -> list[str]:
    return [s["start"] for day in response.json()["slots"].values() for s in day]


# --- The settings form ------------------------------------------------------------------------


def test_a_round_robin_link_saves_its_hosts_with_weight_priority_and_always_attending(
    owner_client, owner, teammate
):
    response = owner_client.post(
        NEW_URL,
        form_data(
            kind="round_robin",
            **{
                f"host_{owner.pk}": "on",
                f"weight_{owner.pk}": "200",
                f"priority_{owner.pk}": "3",
                f"always_{owner.pk}": "on",
                f"host_{teammate.pk}": "on",
                f"weight_{teammate.pk}": "50",
                f"priority_{teammate.pk}": "0",
            },
        ),
    )

    assert response.status_code == 302
    link = BookingLink.objects.get()
    hosts = {h.user_id: h for h in link.link_hosts.all()}
    assert set(hosts) == {owner.pk, teammate.pk}
    assert (hosts[owner.pk].weight, hosts[owner.pk].priority) == (200, LinkHost.Priority.URGENT)
    assert hosts[owner.pk].always_attending is True
    assert (hosts[teammate.pk].weight, hosts[teammate.pk].always_attending) == (50, False)


def test_the_edit_form_shows_the_saved_hosts_and_unticking_one_removes_it(
    owner_client, owner, teammate, workspace
):
    link = LinkFactory(workspace=workspace, owner=owner, kind="round_robin")
    LinkHost.objects.create(link=link, user=owner)
    LinkHost.objects.create(link=link, user=teammate, weight=40)
    url = f"/settings/booking-links/{link.pk}"

    page = owner_client.get(url).content.decode()
    assert "Tim Mate" in page and 'value="40"' in page

    data = form_data(title=link.title, slug=link.slug, kind="round_robin")
    data[f"host_{owner.pk}"] = "on"
    response = owner_client.post(url, data)

    assert response.status_code == 302
    assert list(link.link_hosts.values_list("user_id", flat=True)) == [owner.pk]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"kind": "round_robin"}, "Pick at least one host"),
        ({"kind": "collective"}, "Pick at least one host"),
        ({"kind": "group", "capacity": "1"}, "at least 2 attendees"),
        ({"daily_cap": "0"}, "greater than or equal to 1"),
        ({"slot_interval": "3"}, "greater than or equal to 5"),
        ({"capacity": "100000"}, "less than or equal to 1000"),
        ({"kind": "webinar"}, "Select a valid choice"),
    ],
)
def test_bad_team_settings_are_refused_with_a_message_and_nothing_saved(
    owner_client, owner, extra, message
):
    data = form_data(**extra)
    if extra.get("kind") not in ("round_robin", "collective"):
        data[f"host_{owner.pk}"] = "on"

    response = owner_client.post(NEW_URL, data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not BookingLink.objects.exists()


def test_round_robin_needs_a_rotating_host_when_everyone_always_attends(owner_client, owner):
    response = owner_client.post(
        NEW_URL,
        form_data(kind="round_robin", **{f"host_{owner.pk}": "on", f"always_{owner.pk}": "on"}),
    )

    assert response.status_code == 400
    assert "rotating pool" in response.content.decode()


def test_a_host_from_another_workspace_cannot_be_added(owner_client, owner, outsider):
    owner_client.post(
        NEW_URL,
        form_data(kind="round_robin", **{f"host_{owner.pk}": "on", f"host_{outsider.pk}": "on"}),
    )

    link = BookingLink.objects.get()
    assert list(link.link_hosts.values_list("user_id", flat=True)) == [owner.pk]


def test_grid_caps_and_a_schedules_date_overrides_shape_the_slots(
    owner_client, client, owner, workspace
):
    schedule = schedule_create(
        workspace=workspace,
        owner=owner,
        name="With overrides",
        timezone="Europe/Berlin",
        weekly={str(d): [["09:00", "17:00"]] for d in range(5)},
        overrides={"2026-11-24": [["10:00", "11:00"]], "2026-11-25": []},
    )
    owner_client.post(
        NEW_URL,
        form_data(title="Grid", slot_interval="15", daily_cap="2", schedule=str(schedule.pk)),
    )
    link = BookingLink.objects.get()
    assert (link.slot_interval, link.daily_cap, link.schedule) == (15, 2, schedule)

    tuesday = starts(client.get(slots_url(link.slug)))
    wednesday = starts(client.get(slots_url(link.slug, start="2026-11-25", end="2026-11-25")))

    assert tuesday == [
        "2026-11-24T10:00:00+01:00",
        "2026-11-24T10:15:00+01:00",
        "2026-11-24T10:30:00+01:00",
    ]
    assert wednesday == []


# --- Group seats and free hosts over JSON ----------------------------------------------------


@pytest.fixture
def group(owner, workspace):
    return LinkFactory(workspace=workspace, owner=owner, slug="workshop", kind="group", capacity=3)


def test_group_slots_say_how_many_seats_are_left_and_vanish_when_full(client, group):
    for n in range(2):
        services.booking_create(
            link=group, start=TUESDAY_9_BERLIN, attendee=attendee(email=f"a{n}@example.com")
        )

    first = client.get(slots_url("workshop")).json()["slots"][TUESDAY]
    assert first[0] == {
        "start": "2026-11-24T09:00:00+01:00",
        "end": "2026-11-24T09:30:00+01:00",
        "seats_left": 1,
    }
    assert first[1]["seats_left"] == 3

    services.booking_create(link=group, start=TUESDAY_9_BERLIN, attendee=attendee())
    after = starts(client.get(slots_url("workshop")))
    assert "2026-11-24T09:00:00+01:00" not in after
    assert "2026-11-24T09:30:00+01:00" in after


def test_the_public_page_shows_seats_left_on_a_group_link(client, group):
    services.booking_create(link=group, start=TUESDAY_9_BERLIN, attendee=attendee())

    page = client.get(f"/book/workshop?date={TUESDAY}&tz=Europe/Berlin").content.decode()

    assert "2 seats left" in page
    assert "3 seats left" in page


def test_one_on_one_slots_carry_no_seat_count(client, link):
    slots = client.get(slots_url("intro")).json()["slots"][TUESDAY]

    assert "seats_left" not in slots[0]


@pytest.fixture
def team(owner, teammate, workspace):
    link = LinkFactory(workspace=workspace, owner=owner, slug="team", kind="round_robin")
    LinkHost.objects.create(link=link, user=owner)
    LinkHost.objects.create(link=link, user=teammate)
    return link


def test_the_host_side_lists_who_is_free_at_each_slot(owner_client, team, owner, teammate):
    TimeOff.objects.create(
        workspace=team.workspace, user=teammate, start=TUESDAY_9_BERLIN, end=utc(2026, 11, 24, 9)
    )

    response = owner_client.get(
        f"/api/v1/links/{team.pk}/slots?start={TUESDAY}&end={TUESDAY}&timezone=Europe/Berlin"
    )

    assert response.status_code == 200
    slots = response.json()["slots"][TUESDAY]
    by_start = {s["start"]: [h["email"] for h in s["free_hosts"]] for s in slots}
    assert by_start["2026-11-24T09:00:00+01:00"] == [owner.email]
    assert sorted(by_start["2026-11-24T10:00:00+01:00"]) == sorted([owner.email, teammate.email])


def test_the_host_side_needs_a_login_and_hides_other_workspaces(client, outsider_client, team):
    url = f"/api/v1/links/{team.pk}/slots?start={TUESDAY}&end={TUESDAY}&timezone=UTC"

    assert client.get(url).status_code == 401
    assert outsider_client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=2026-11-24&end=2026-11-24&timezone=Mars/Olympus", "Unknown time zone"),
        ("start=2026-11-25&end=2026-11-24&timezone=UTC", "end must be on or after start"),
        ("start=2026-11-24&end=2026-11-24&timezone=UTC&duration=17", "duration must be one of"),
    ],
)
def test_the_host_side_refuses_bad_queries_with_a_message(owner_client, team, query, message):
    response = owner_client.get(f"/api/v1/links/{team.pk}/slots?{query}")

    assert response.status_code == 400
    assert message in response.json()["detail"]


# --- Constant queries ------------------------------------------------------------------------


def _team_of(size: int, workspace, owner) -> BookingLink:
    link = LinkFactory(workspace=workspace, owner=owner, slug=f"team-{size}", kind="round_robin")
    for n in range(size):
        user = owner if n == 0 else MembershipFactory(workspace=workspace).user
        LinkHost.objects.create(link=link, user=user)
        for day in range(5):
            start = utc(2026, 11, 24 + day, 9) + timedelta(minutes=30 * (n % 4))
            ExternalBusy.objects.create(
                user=user, source="google", start=start, end=start + timedelta(minutes=30)
            )
            TimeOff.objects.create(
                workspace=workspace,
                user=user,
                start=start + timedelta(hours=3),
                end=start + timedelta(hours=4),
            )
    other = LinkFactory(workspace=workspace, owner=owner, slug=f"other-{size}")
    services.booking_create(link=other, start=utc(2026, 11, 24, 13 + size % 3), attendee=attendee())
    return link


def test_the_slots_endpoint_runs_the_same_queries_for_one_host_or_twenty(client, workspace, owner):
    counts = {}
    for size in (1, 20):
        link = _team_of(size, workspace, owner)
        url = slots_url(link.slug, end="2026-11-30")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts[size] = len(queries)

    # The link, its hosts, their schedules, their reservations, their time off and calendar busy
    # time (one UNION).
    assert counts == {1: 5, 20: 5}


def test_epoch_seconds_in_the_database_match_the_engine(workspace, owner):
    entry = TimeOff.objects.create(
        workspace=workspace, user=owner, start=utc(2026, 3, 29, 0, 59, 59), end=utc(2026, 3, 29, 1)
    )

    row = (
        TimeOff.objects.filter(pk=entry.pk)
        .annotate(s=EpochSeconds("start"), e=EpochSeconds("end"))
        .values_list("s", "e")
        .get()
    )

    assert row == (engine.to_epoch(entry.start), engine.to_epoch(entry.end))


# --- Time off in settings --------------------------------------------------------------------


def test_a_host_enters_time_off_in_their_own_zone_and_their_slots_go(
    owner_client, owner, link, client
):
    response = owner_client.post(
        "/settings/time-off",
        {
            "user": owner.pk,
            "start": "2026-11-24T09:00",
            "end": "2026-11-24T12:00",
            "reason": "Dentist",
        },
    )

    assert response.status_code == 302
    entry = TimeOff.objects.get()
    assert (entry.start, entry.end) == (utc(2026, 11, 24, 8), utc(2026, 11, 24, 11))
    assert entry.created_by == owner
    offered = starts(client.get(slots_url("intro")))
    assert offered[0] == "2026-11-24T12:00:00+01:00"
    page = owner_client.get("/settings/time-off").content.decode()
    assert "Dentist" in page and "Tue 24 Nov 2026 09:00" in page


def test_a_member_cannot_enter_time_off_for_a_teammate_but_an_admin_can(
    teammate_client, owner_client, owner, teammate
):
    data = {"start": "2026-11-24T09:00", "end": "2026-11-24T12:00"}

    refused = teammate_client.post("/settings/time-off", {**data, "user": owner.pk})
    assert refused.status_code == 400
    assert "Select a valid choice" in refused.content.decode()
    assert not TimeOff.objects.exists()

    allowed = owner_client.post("/settings/time-off", {**data, "user": teammate.pk})
    assert allowed.status_code == 302
    assert TimeOff.objects.get().user == teammate


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-11-24T12:00", "2026-11-24T09:00", "The end must be after the start."),
        ("", "2026-11-24T09:00", "When does the time off start?"),
        ("yesterday", "2026-11-24T09:00", "Enter a date and time."),
        ("2026-11-24T09:00", "2028-11-24T09:00", "at most 366 days"),
        ("0001-01-01T00:00", "0001-01-02T00:00", RANGE_MESSAGE),
        ("9999-12-30T00:00", "9999-12-31T23:59", RANGE_MESSAGE),
        ("1899-12-31T23:00", "1900-01-01T09:00", RANGE_MESSAGE),
        ("2199-12-31T09:00", "2200-01-01T00:00", RANGE_MESSAGE),
    ],
)
def test_bad_time_off_is_refused_with_a_message(owner_client, owner, start, end, message):
    response = owner_client.post(
        "/settings/time-off", {"user": owner.pk, "start": start, "end": end}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not TimeOff.objects.exists()


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT-14", "Etc/GMT+12"])
def test_time_off_at_the_edges_of_the_date_range_is_kept_in_any_zone(owner_client, owner, zone):
    owner.timezone = zone
    owner.save()
    for start, end in (
        ("1900-01-01T00:00", "1900-01-01T09:00"),
        ("2199-12-31T09:00", "2199-12-31T23:59"),
    ):
        response = owner_client.post(
            "/settings/time-off", {"user": owner.pk, "start": start, "end": end}
        )
        assert response.status_code == 302

    page = owner_client.get("/settings/time-off").content.decode()
    assert "Mon 1 Jan 1900 00:00" in page and "Tue 31 Dec 2199 23:59" in page


def test_time_off_of_another_workspace_cannot_be_removed(owner, outsider):
    theirs = TimeOff.objects.create(
        workspace=outsider.memberships.get().workspace,
        user=outsider,
        start=utc(2026, 11, 24, 8),
        end=utc(2026, 11, 24, 9),
    )

    response = login(owner).post(f"/settings/time-off/{theirs.pk}/delete")

    assert response.status_code == 404
    assert TimeOff.objects.filter(pk=theirs.pk).exists()


def test_a_host_removes_their_time_off(owner_client, owner, workspace):
    mine = TimeOff.objects.create(
        workspace=workspace, user=owner, start=utc(2026, 11, 24, 8), end=utc(2026, 11, 24, 9)
    )

    response = owner_client.post(f"/settings/time-off/{mine.pk}/delete")

    assert response.status_code == 302
    assert not TimeOff.objects.exists()
