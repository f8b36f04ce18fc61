"""The schedule pages (``/calendar/schedules``) and the schedules links and team hosts use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from availability import engine
from availability.models import Schedule
from availability.services import schedule_create
from booking import selectors
from booking.models import Booking, BookingLink, LinkHost
from tests.booking.helpers import utc
from tests.booking.test_link_settings import form_data
from tests.conftest import NOW, login
from tests.factories import LinkFactory, MembershipFactory

LIST = reverse("booking:schedule-list")
MON = (2026, 11, 30)  # the Monday after NOW


def edit_url(schedule: Schedule) -> str:
    return reverse("booking:schedule-edit", args=[schedule.pk])


def make(workspace, owner, name="Office", weekly=None, **kwargs):
    return schedule_create(
        workspace=workspace,
        owner=owner,
        name=name,
        timezone=kwargs.pop("timezone", "Europe/Berlin"),
        weekly=weekly if weekly is not None else {"0": [["09:00", "12:00"]]},
        **kwargs,
    )


def editor_post(**overrides: str) -> dict[str, str]:
    """The editor as the browser posts it: Monday 09:00–12:00 and 13:00–17:00, no overrides."""
    data = {
        "name": "Office",
        "timezone": "Europe/Berlin",
        "action": "save",
        "rows_0": "2",
        "start_0_0": "09:00",
        "end_0_0": "12:00",
        "start_0_1": "13:00",
        "end_0_1": "17:00",
        **{f"rows_{d}": "1" for d in range(1, 7)},
        "override_rows": "1",
    }
    data.update(overrides)
    return data


def offered(link: BookingLink, days: int = 8) -> list:
    found = selectors.link_availability(link, start=NOW, end=NOW + timedelta(days=days), now=NOW)
    return [engine.from_epoch(s) for s in found.offered_starts()]


# --- The list and creating ----------------------------------------------------------------------


def test_creating_a_schedule_starts_from_working_hours_and_opens_the_editor(owner_client, owner):
    response = owner_client.post(LIST, {"name": "Office", "timezone": "America/New_York"})
    schedule = Schedule.objects.get()
    assert response.status_code == 302 and response.url == edit_url(schedule)
    assert schedule.is_default and schedule.timezone == "America/New_York"
    assert schedule.weekly == owner.working_hours
    page = owner_client.get(LIST).content.decode()
    assert "Office" in page and "Default" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "timezone": "UTC"}, "Give the schedule a name."),
        ({"name": "x" * 101, "timezone": "UTC"}, "Keep the name to 100 characters."),
        ({"name": "Office", "timezone": "Mars/Olympus"}, "Pick a time zone from the list."),
    ],
)
def test_bad_new_schedules_get_a_message_and_nothing_is_saved(owner_client, data, message):
    response = owner_client.post(LIST, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Schedule.objects.exists()


# --- The editor ----------------------------------------------------------------------------------


def test_saving_the_editor_stores_each_days_ranges_and_overrides(owner_client, workspace, owner):
    schedule = make(workspace, owner)
    data = editor_post(
        name="Split week",
        timezone="Asia/Tokyo",
        rows_4="1",
        start_4_0="20:00",
        end_4_0="00:00",  # a time input's midnight: the end of the day
        override_rows="2",
        override_date_0="2026-12-24",
        override_hours_0="off",
        override_date_1="2026-12-27",
        override_hours_1="10:00-14:00",
    )
    response = owner_client.post(edit_url(schedule), data)
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.name == "Split week" and schedule.timezone == "Asia/Tokyo"
    assert schedule.weekly == {
        "0": [["09:00", "12:00"], ["13:00", "17:00"]],
        "4": [["20:00", "24:00"]],
    }
    assert schedule.overrides == {"2026-12-24": [], "2026-12-27": [["10:00", "14:00"]]}
    page = owner_client.get(edit_url(schedule)).content.decode()
    assert 'value="20:00"' in page and 'value="00:00"' in page and 'value="2026-12-27"' in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"start_0_1": "11:00"}, "Monday: 09:00–12:00 and 11:00–17:00 overlap."),
        ({"start_0_1": "18:00"}, "Monday: 18:00–17:00 ends before it starts."),
        ({"end_0_1": ""}, "Monday: Give each range a start and an end."),
        ({"start_0_1": "25:00"}, "is not a time like 09:00"),
        ({"timezone": "Nowhere/Town"}, "Pick a time zone from the list."),
        ({"name": "y" * 101}, "Keep the name to 100 characters."),
        ({"override_date_0": "2026-02-30", "override_hours_0": "off"}, "pick a date"),
        ({"override_date_0": "2300-01-01"}, "Dates must be between"),
        (
            {"override_date_0": "2026-12-24", "override_hours_0": "14:00-10:00"},
            "2026-12-24: 14:00-10:00 ends before it starts.",
        ),
    ],
)
def test_bad_input_in_the_editor_is_a_400_with_the_reason_and_saves_nothing(
    owner_client, workspace, owner, overrides, message
):
    schedule = make(workspace, owner)
    response = owner_client.post(edit_url(schedule), editor_post(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    schedule.refresh_from_db()
    assert schedule.weekly == {"0": [["09:00", "12:00"]]} and schedule.name == "Office"


def test_add_and_remove_a_range_show_the_rows_without_saving(owner_client, workspace, owner):
    schedule = make(workspace, owner)
    added = owner_client.post(edit_url(schedule), editor_post(action="add-2")).content.decode()
    assert 'name="rows_2" value="2"' in added and 'name="start_2_1"' in added
    assert "Not saved yet" in added

    removed = owner_client.post(edit_url(schedule), editor_post(action="remove-0-0"))
    page = removed.content.decode()
    assert removed.status_code == 200
    assert 'name="rows_0" value="1"' in page and 'value="13:00"' in page
    assert 'value="09:00"' not in page
    schedule.refresh_from_db()
    assert schedule.weekly == {"0": [["09:00", "12:00"]]}


def test_copy_monday_fills_tuesday_to_friday_and_save_keeps_it(owner_client, workspace, owner):
    schedule = make(workspace, owner)
    page = owner_client.post(edit_url(schedule), editor_post(action="copy-monday"))
    html = page.content.decode()
    assert 'name="rows_4" value="2"' in html and 'name="start_4_1" value="13:00"' in html
    assert 'name="rows_5" value="1"' in html  # the weekend is left alone

    data = {k: v for k, v in editor_post().items()}
    for day in range(1, 5):
        data |= {
            f"rows_{day}": "2",
            f"start_{day}_0": "09:00",
            f"end_{day}_0": "12:00",
            f"start_{day}_1": "13:00",
            f"end_{day}_1": "17:00",
        }
    owner_client.post(edit_url(schedule), data)
    schedule.refresh_from_db()
    assert sorted(schedule.weekly) == ["0", "1", "2", "3", "4"]


def test_set_default_and_delete(owner_client, workspace, owner):
    office = make(workspace, owner)
    evenings = make(workspace, owner, "Evenings")
    owner_client.post(reverse("booking:schedule-default", args=[evenings.pk]))
    assert Schedule.objects.get(is_default=True) == evenings

    refused = owner_client.post(reverse("booking:schedule-delete", args=[evenings.pk]))
    assert refused.status_code == 400
    assert "This is your default schedule" in refused.content.decode()

    LinkFactory(workspace=workspace, owner=owner, title="Standup", schedule=office)
    in_use = owner_client.post(reverse("booking:schedule-delete", args=[office.pk]))
    assert in_use.status_code == 400 and "Standup uses this schedule" in in_use.content.decode()
    assert Schedule.objects.count() == 2


def test_another_workspaces_or_a_colleagues_schedule_is_a_404(
    owner_client, workspace, teammate, outsider
):
    theirs = make(outsider.memberships.get().workspace, outsider, "Secret")
    colleague = make(workspace, teammate, "Tim's")
    for schedule in (theirs, colleague):
        assert owner_client.get(edit_url(schedule)).status_code == 404
        assert owner_client.post(edit_url(schedule), editor_post()).status_code == 404
        for name in ("booking:schedule-default", "booking:schedule-delete"):
            assert owner_client.post(reverse(name, args=[schedule.pk])).status_code == 404
    assert "Secret" not in owner_client.get(LIST).content.decode()
    assert Schedule.objects.get(pk=theirs.pk).name == "Secret"


# --- Links and hosts use schedules ---------------------------------------------------------------


@pytest.mark.usefixtures("frozen")
def test_a_new_link_offers_its_owners_default_hours(owner_client, workspace, owner):
    make(workspace, owner, weekly={"2": [["10:00", "11:00"]]})
    response = owner_client.post(reverse("booking:link-create"), form_data())
    assert response.status_code == 302
    link = BookingLink.objects.get()
    assert link.schedule is None
    assert offered(link) == [utc(2026, 11, 25, 9), utc(2026, 11, 25, 9, 30)]


@pytest.mark.usefixtures("frozen")
def test_choosing_a_schedule_in_the_link_settings_changes_the_offered_times(
    owner_client, workspace, owner, link
):
    before = offered(link)
    assert utc(*MON, 8) in before  # 09:00 Berlin, the owner's weekdays
    late = make(workspace, owner, "Late", weekly={"0": [["18:00", "19:00"]]})
    page = owner_client.get(reverse("booking:link-edit", args=[link.pk])).content.decode()
    assert f'<option value="{late.pk}">Late</option>' in page
    assert "The owner&#x27;s default schedule" in page

    data = form_data(title=link.title, slug=link.slug, schedule=str(late.pk))
    assert owner_client.post(reverse("booking:link-edit", args=[link.pk]), data).status_code == 302
    link.refresh_from_db()
    assert link.schedule == late
    today = (2026, 11, 23)
    assert offered(link) == [utc(*today, 17), utc(*today, 17, 30), utc(*MON, 17), utc(*MON, 17, 30)]


def test_a_link_cannot_use_someone_elses_schedule(owner_client, workspace, teammate, link):
    theirs = make(workspace, teammate, "Tim's")
    data = form_data(title=link.title, slug=link.slug, schedule=str(theirs.pk))
    response = owner_client.post(reverse("booking:link-edit", args=[link.pk]), data)
    assert response.status_code == 400
    link.refresh_from_db()
    assert link.schedule is None


@pytest.mark.usefixtures("frozen")
def test_team_hosts_each_use_their_own_default_or_a_chosen_schedule(
    owner_client, workspace, owner, teammate
):
    make(workspace, owner, "Olga mornings", weekly={"0": [["09:00", "10:00"]]})
    make(workspace, teammate, "Tim days", weekly={"0": [["11:00", "12:00"]]})
    tim_late = make(
        workspace, teammate, "Tim late", weekly={"0": [["15:00", "16:00"]]}, timezone="UTC"
    )
    data = form_data(
        kind="round_robin",
        **{f"host_{owner.pk}": "on", f"host_{teammate.pk}": "on"},
        **{f"weight_{u.pk}": "100" for u in (owner, teammate)},
        **{f"priority_{u.pk}": "1" for u in (owner, teammate)},
    )
    assert owner_client.post(reverse("booking:link-create"), data).status_code == 302
    link = BookingLink.objects.get()
    found = selectors.link_availability(
        link, start=utc(*MON), end=utc(*MON) + timedelta(days=1), now=NOW
    )
    # Each host's own default, in Berlin: Olga 09:00 and 09:30, Tim 11:00 and 11:30.
    assert [engine.from_epoch(s) for s in found.offered_starts()] == [
        utc(*MON, 8),
        utc(*MON, 8, 30),
        utc(*MON, 10),
        utc(*MON, 10, 30),
    ]
    assert found.free_hosts(engine.to_epoch(utc(*MON, 10))) == [teammate.pk]

    page = owner_client.get(reverse("booking:link-edit", args=[link.pk])).content.decode()
    assert f'aria-label="Schedule of {teammate.name}"' in page
    data[f"schedule_{teammate.pk}"] = str(tim_late.pk)
    data["slug"] = link.slug
    owner_client.post(reverse("booking:link-edit", args=[link.pk]), data)
    assert LinkHost.objects.get(user=teammate).schedule == tim_late
    starts = [engine.from_epoch(s) for s in offered_on_monday(link)]
    assert starts == [utc(*MON, 8), utc(*MON, 8, 30), utc(*MON, 15), utc(*MON, 15, 30)]


def test_a_host_cannot_be_given_a_colleagues_schedule(owner_client, workspace, owner, teammate):
    mine = make(workspace, owner, "Olga's")
    data = form_data(
        kind="round_robin",
        **{f"host_{teammate.pk}": "on", f"schedule_{teammate.pk}": str(mine.pk)},
    )
    response = owner_client.post(reverse("booking:link-create"), data)
    assert response.status_code == 400
    assert not BookingLink.objects.exists()


def offered_on_monday(link: BookingLink) -> list[int]:
    found = selectors.link_availability(
        link, start=utc(*MON), end=utc(*MON) + timedelta(days=1), now=NOW
    )
    return found.offered_starts()


def test_onboarding_writes_the_default_schedule(workspace):
    user = MembershipFactory(workspace=workspace, user__email="new@acme.test").user
    client = login(user)
    data = {
        "title": "Chat",
        "timezone": "America/Chicago",
        **{f"hours_{d}": "" for d in range(7)},
        "hours_1": "08:00-10:00",
    }
    response = client.post(reverse("booking:onboarding"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    default = Schedule.objects.get(owner=user, is_default=True)
    assert default.timezone == "America/Chicago"
    assert default.weekly == {"1": [["08:00", "10:00"]]}
    assert BookingLink.objects.get(owner=user).schedule is None


# --- Saving hours that leave bookings outside ---------------------------------------------------


def test_saving_hours_that_leave_bookings_outside_warns_and_keeps_them(
    owner_client, workspace, owner, link, frozen, booked
):
    default = Schedule.objects.get(owner=owner, is_default=True)
    assert link.schedule is None  # the link follows the owner's default
    tuesday = booked(link, utc(2026, 11, 24, 9, 0), guest="tia")  # 10:00 Berlin
    wednesday = booked(link, utc(2026, 11, 25, 9, 0), guest="wes")
    booked(link, utc(2026, 11, 30, 9, 30), guest="mo")  # Monday 10:30: still inside
    cancelled = booked(link, utc(2026, 11, 27, 9, 0), guest="cy")
    cancelled.status = Booking.Status.CANCELLED
    cancelled.save()
    thursdays = LinkFactory(
        workspace=workspace, owner=owner, weekly_hours={"3": [["09:00", "17:00"]]}
    )
    booked(thursdays, utc(2026, 11, 26, 9, 0), guest="thea")  # its own schedule: not affected

    response = owner_client.post(edit_url(default), editor_post(), follow=True)  # Mondays only

    page = response.content.decode()
    assert "Saved “Office”." in page
    assert "2 upcoming bookings fall outside these hours; they stay booked." in page
    for booking in (tuesday, wednesday):
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CONFIRMED

    with_tuesday = editor_post(start_1_0="09:00", end_1_0="17:00")
    page = owner_client.post(edit_url(default), with_tuesday, follow=True).content.decode()
    assert "1 upcoming booking falls outside these hours; it stays booked." in page

    every_day = {
        **with_tuesday,
        **{f"start_{d}_0": "09:00" for d in range(2, 5)},
        **{f"end_{d}_0": "17:00" for d in range(2, 5)},
    }
    page = owner_client.post(edit_url(default), every_day, follow=True).content.decode()
    assert "Saved “Office”." in page and "outside these hours" not in page
