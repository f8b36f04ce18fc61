"""Schedules: one default per member, checked windows, and no deleting what is in use."""

from __future__ import annotations

import pytest

from availability.models import Schedule
from availability.schedules import ScheduleError
from availability.services import (
    schedule_create,
    schedule_default_ensure,
    schedule_delete,
    schedule_set_default,
    schedule_update,
)
from tests.factories import LinkFactory

NINE_TO_FIVE = {str(d): [["09:00", "17:00"]] for d in range(5)}


def make(workspace, owner, name="Mornings", **kwargs):
    kwargs.setdefault("timezone", "Europe/Berlin")
    kwargs.setdefault("weekly", {"0": [["09:00", "12:00"]]})
    return schedule_create(workspace=workspace, owner=owner, name=name, **kwargs)


def test_the_first_schedule_is_the_default_and_only_one_stays_default(workspace, owner):
    first = make(workspace, owner, "Office")
    second = make(workspace, owner, "Evenings")
    assert first.is_default and not second.is_default

    schedule_set_default(schedule=second)

    assert list(
        Schedule.objects.filter(owner=owner, is_default=True).values_list("name", flat=True)
    ) == ["Evenings"]


def test_creating_one_as_default_takes_the_default_over(workspace, owner):
    make(workspace, owner, "Office")
    make(workspace, owner, "Summer", is_default=True)
    assert Schedule.objects.get(is_default=True).name == "Summer"


def test_the_default_is_per_workspace(workspace, owner, outsider):
    other = outsider.memberships.get().workspace
    make(workspace, owner, "Here")
    there = make(other, owner, "There")
    assert there.is_default


def test_windows_are_stored_sorted_and_names_trimmed(workspace, owner):
    schedule = make(
        workspace,
        owner,
        "  Split   day ",
        weekly={"2": [["13:00", "17:00"], ["08:00", "12:00"]], "3": []},
        overrides={"2026-12-24": []},
    )
    schedule.refresh_from_db()
    assert schedule.name == "Split day"
    assert schedule.weekly == {"2": [["08:00", "12:00"], ["13:00", "17:00"]]}
    assert schedule.overrides == {"2026-12-24": []}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"weekly": {"0": [["09:00", "12:00"], ["11:00", "13:00"]]}}, "overlap"),
        ({"weekly": {"1": [["12:00", "09:00"]]}}, "Tuesday: 12:00–09:00 ends before it starts."),
        ({"weekly": {"7": [["09:00", "10:00"]]}}, "is not a weekday"),
        ({"weekly": {"0": [["9am", "10:00"]]}}, "is not a time like 09:00"),
        ({"timezone": "Mars/Olympus"}, "“Mars/Olympus” is not a known time zone."),
        ({"overrides": {"2026-02-30": []}}, "is not a real date"),
        ({"overrides": {"3000-01-01": []}}, "Dates must be between"),
        ({"name": "x" * 101}, "Keep the name to 100 characters."),
        ({"name": "   "}, "Give the schedule a name."),
    ],
)
def test_bad_schedules_are_refused_with_a_message(workspace, owner, fields, message):
    with pytest.raises(ScheduleError, match=message):
        make(workspace, owner, **fields)
    assert not Schedule.objects.exists()


def test_an_update_that_fails_changes_nothing(workspace, owner):
    schedule = make(workspace, owner)
    with pytest.raises(ScheduleError):
        schedule_update(
            schedule=schedule,
            name="New",
            timezone="Europe/Berlin",
            weekly={"0": [["10:00", "09:00"]]},
            overrides={},
        )
    schedule.refresh_from_db()
    assert schedule.name == "Mornings"


def test_the_default_cannot_be_deleted(workspace, owner):
    schedule = make(workspace, owner)
    with pytest.raises(ScheduleError, match="default schedule"):
        schedule_delete(schedule=schedule)
    assert Schedule.objects.filter(pk=schedule.pk).exists()


def test_a_schedule_a_link_uses_cannot_be_deleted_until_it_moves(workspace, owner):
    make(workspace, owner, "Office")
    evenings = make(workspace, owner, "Evenings")
    link = LinkFactory(workspace=workspace, owner=owner, title="Late call", schedule=evenings)
    with pytest.raises(ScheduleError, match="Late call uses this schedule"):
        schedule_delete(schedule=evenings)

    link.schedule = None
    link.save()
    schedule_delete(schedule=evenings)
    assert not Schedule.objects.filter(pk=evenings.pk).exists()


def test_a_member_without_a_schedule_gets_one_from_their_working_hours(workspace, owner):
    owner.working_hours = {"4": [["10:00", "11:00"]]}
    owner.timezone = "Asia/Tokyo"
    default = schedule_default_ensure(workspace=workspace, user=owner)
    assert default.is_default
    assert (default.timezone, default.weekly) == ("Asia/Tokyo", {"4": [["10:00", "11:00"]]})
    assert schedule_default_ensure(workspace=workspace, user=owner) == default
