"""Teams and their public page, collective invites to every host, and instant meetings."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from icalendar import Calendar

from availability.models import TimeOff
from booking import services
from booking.models import Booking, BookingLink, LinkHost
from tests.booking.helpers import attendee, utc
from tests.booking.test_link_settings import NEW_URL, form_data
from tests.conftest import NOW
from tests.factories import LinkFactory, WorkspaceFactory
from workestra.models import Team, TeamMember
from workflows import outbox

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def sales(workspace):
    return Team.objects.create(workspace=workspace, name="Sales", slug="sales")


# --- Teams --------------------------------------------------------------------------------------


def test_the_team_page_lists_the_teams_live_active_links_only(client, sales, owner, workspace):
    LinkFactory(workspace=workspace, owner=owner, team=sales, title="Demo", slug="demo")
    LinkFactory(workspace=workspace, owner=owner, team=sales, title="Paused", is_active=False)
    LinkFactory(workspace=workspace, owner=owner, team=sales, title="Gone", deleted_at=NOW)
    LinkFactory(workspace=workspace, owner=owner, title="Not the team's")

    page = client.get("/team/sales").content.decode()

    assert "Sales" in page
    assert 'href="/book/demo"' in page
    for hidden in ("Paused", "Gone", "Not the team"):
        assert hidden not in page


def test_an_unknown_team_is_a_404(client, db):
    assert client.get("/team/nobody").status_code == 404


def test_an_admin_creates_a_team_with_members_and_roles(owner_client, owner, teammate):
    response = owner_client.post(
        "/settings/teams/new",
        {
            "name": "Support",
            "slug": "support",
            "description": "",
            f"role_{owner.pk}": "admin",
            f"role_{teammate.pk}": "member",
        },
    )

    assert response.status_code == 302
    team = Team.objects.get(slug="support")
    assert dict(team.team_members.values_list("user_id", "role")) == {
        owner.pk: TeamMember.Role.ADMIN,
        teammate.pk: TeamMember.Role.MEMBER,
    }


def test_a_member_cannot_change_teams(teammate_client, sales):
    response = teammate_client.post(
        f"/settings/teams/{sales.pk}", {"name": "Hijacked", "slug": "sales"}
    )

    assert response.status_code == 403
    sales.refresh_from_db()
    assert sales.name == "Sales"


@pytest.mark.parametrize(
    ("slug", "message"),
    [("Sales Team", "lowercase letters"), ("taken", "already exists")],
)
def test_bad_team_slugs_are_refused(owner_client, workspace, slug, message):
    Team.objects.create(workspace=WorkspaceFactory(), name="Other", slug="taken")

    response = owner_client.post("/settings/teams/new", {"name": "Ops", "slug": slug})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Team.objects.filter(name="Ops").exists()


def test_a_blank_slug_is_made_from_the_name_like_a_links(owner_client, workspace):
    Team.objects.create(workspace=WorkspaceFactory(), name="Other", slug="customer-success")

    response = owner_client.post("/settings/teams/new", {"name": "Customer Success!", "slug": ""})

    assert response.status_code == 302
    assert Team.objects.get(name="Customer Success!").slug == "customer-success-2"


def test_a_chosen_slug_wins_over_the_name(owner_client, workspace):
    owner_client.post("/settings/teams/new", {"name": "Customer Success", "slug": "cs"})

    assert Team.objects.get(name="Customer Success").slug == "cs"


def test_blanking_the_slug_of_a_team_keeps_its_address(owner_client, sales):
    owner_client.post(f"/settings/teams/{sales.pk}", {"name": "Sales EMEA", "slug": ""})

    sales.refresh_from_db()
    assert (sales.name, sales.slug) == ("Sales EMEA", "sales")


def test_the_creator_is_in_a_new_team_unless_they_take_themselves_out(
    owner_client, owner, teammate
):
    form = owner_client.get("/settings/teams/new").content.decode()

    mine = re.search(rf'<select name="role_{owner.pk}".*?</select>', form, re.S).group(0)
    theirs = re.search(rf'<select name="role_{teammate.pk}".*?</select>', form, re.S).group(0)
    assert '<option value="admin" selected>' in mine
    assert '<option value="" selected>' in theirs
    # The form as it comes, only named: the creator's default choice is submitted with it.
    owner_client.post("/settings/teams/new", {"name": "Support", f"role_{owner.pk}": "admin"})
    team = Team.objects.get(name="Support")
    assert list(team.team_members.values_list("user_id", "role")) == [(owner.pk, "admin")]


def test_another_workspaces_team_is_a_404(outsider_client, sales):
    assert outsider_client.get(f"/settings/teams/{sales.pk}").status_code == 404


def test_a_link_joins_only_a_team_of_its_workspace(owner_client, sales):
    foreign = Team.objects.create(workspace=WorkspaceFactory(), name="Theirs", slug="theirs")

    refused = owner_client.post(NEW_URL, form_data(team=str(foreign.pk)))
    assert refused.status_code == 400
    assert not BookingLink.objects.exists()

    owner_client.post(NEW_URL, form_data(team=str(sales.pk)))
    assert BookingLink.objects.get().team == sales


# --- Collective invites ---------------------------------------------------------------------


def test_a_collective_booking_invites_every_host(owner, teammate, workspace):
    link = LinkFactory(workspace=workspace, owner=owner, kind="collective", title="Panel")
    LinkHost.objects.create(link=link, user=owner)
    LinkHost.objects.create(link=link, user=teammate)

    booking = services.booking_create(link=link, start=utc(2026, 11, 24, 9), attendee=attendee())
    outbox.drain()

    host_mail = [m for m in mail.outbox if "alice@example.com" not in m.to]
    assert len(host_mail) == 1
    assert sorted(host_mail[0].to) == sorted([owner.email, teammate.email])
    attendee_mail = next(m for m in mail.outbox if m.to == ["alice@example.com"])
    ics = Calendar.from_ical(attendee_mail.attachments[0][1])
    event = next(iter(ics.walk("VEVENT")))
    invited = {str(a).removeprefix("mailto:") for a in event.get("attendee")}
    assert {"alice@example.com", teammate.email} <= invited
    assert sorted(r.host_id for r in booking.reservations.all()) == sorted([owner.pk, teammate.pk])


# --- Instant meetings -------------------------------------------------------------------------


@pytest.fixture
def instant(owner, workspace):
    return LinkFactory(
        workspace=workspace, owner=owner, kind="instant", title="Urgent help", slug="now"
    )


def test_the_instant_page_has_no_picker_just_meet_now(client, instant):
    page = client.get("/book/now").content.decode()

    assert "Meet now" in page
    assert "Pick a day" not in page


def test_an_instant_booking_starts_at_the_next_five_minutes_with_a_room(client, instant, owner):
    with time_machine.travel(NOW + timedelta(minutes=2, seconds=10), tick=False):
        response = client.post(
            "/book/now", {"name": "Ivy", "email": "ivy@example.com", "timezone": "UTC"}
        )
        outbox.drain()

    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.start == NOW + timedelta(minutes=5)
    assert booking.end == booking.start + timedelta(minutes=30)
    assert booking.meeting_url.startswith("https://meet.jit.si/workestra-")
    host_mail = next(m for m in mail.outbox if m.to == [owner.email])
    assert f"Join: {booking.meeting_url}" in host_mail.body
    confirmation = client.get(response["Location"]).content.decode()
    assert booking.meeting_url in confirmation


def test_an_instant_booking_goes_ahead_even_when_the_host_is_busy(instant, owner, link):
    services.booking_create(link=link, start=NOW + timedelta(hours=2), attendee=attendee())

    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        booking = services.booking_create(
            link=instant, start=NOW, attendee=attendee(email="bob@example.com")
        )

    assert booking.status == Booking.Status.CONFIRMED
    assert booking.start == NOW + timedelta(hours=2)


def test_an_instant_booking_holds_the_hosts_time_when_it_is_free(instant, owner, link):
    booking = services.booking_create(link=instant, start=NOW, attendee=attendee())

    assert booking.reservations.filter(host=owner, active=True).exists()


def test_a_bad_instant_request_gets_a_message_and_books_nothing(client, instant):
    response = client.post("/book/now", {"name": "", "email": "not-an-email"})

    assert response.status_code == 400
    assert "valid email" in response.content.decode()
    assert not Booking.objects.exists()


# --- The host's calendar for team types -------------------------------------------------------


def test_a_group_session_is_one_row_with_its_attendees_on_the_calendar(
    owner_client, owner, workspace
):
    group = LinkFactory(workspace=workspace, owner=owner, kind="group", capacity=5, title="Class")
    for name in ("Ann", "Ben", "Cy"):
        services.booking_create(
            link=group,
            start=utc(2026, 11, 24, 9),
            attendee=attendee(name=name, email=f"{name.lower()}@example.com"),
        )

    page = owner_client.get("/calendar/bookings").content.decode()

    assert page.count("<td>Class") == 1  # one row (the link is also a choice of the filter)
    assert "3 attendees" in page
    for name in ("Ann", "Ben", "Cy"):
        assert name in page


def test_a_collective_meeting_shows_on_every_hosts_calendar(teammate_client, owner, teammate):
    link = LinkFactory(workspace=owner.memberships.get().workspace, owner=owner, kind="collective")
    LinkHost.objects.create(link=link, user=owner)
    LinkHost.objects.create(link=link, user=teammate)
    services.booking_create(link=link, start=utc(2026, 11, 24, 9), attendee=attendee())

    page = teammate_client.get("/calendar/bookings").content.decode()

    assert "Alice Attendee" in page


def test_time_off_shows_on_the_calendar(owner_client, owner, workspace):
    TimeOff.objects.create(
        workspace=workspace,
        user=owner,
        start=utc(2026, 11, 30, 8),
        end=utc(2026, 12, 2, 17),
        reason="Conference",
    )

    page = owner_client.get("/calendar").content.decode()

    assert "Time off: Mon 30 Nov 09:00–Wed 2 Dec 18:00 (Conference)" in page
