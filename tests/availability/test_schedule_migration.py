"""Moving each link's own hours into schedules offers exactly the times offered before.

The data is written at the schema before schedules existed, through the historical models: the
demo seed as ``seed_demo`` wrote it then, and varied links (overrides, DST zones, team links
whose hosts keep other working hours, a link with no hours). The migrations then run forward, and every link's slots, computed
by today's code from schedules, must equal what the old code computed from the link's own
hours as they were seeded (later migrations drop those columns): the same starts and, per start,
the same free hosts.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from availability import engine
from availability.models import Schedule, TimeOff, engine_schedule
from booking import selectors
from booking.models import BookingLink, LinkHost
from tests.booking.helpers import utc
from tests.conftest import NOW

BEFORE = [("booking", "0012_locations"), ("availability", "0004_external_busy_user_start")]
# Far enough to cross both spring DST changes (Europe 28 March, the US 14 March 2027).
END = NOW + timedelta(days=150)
NINE_TO_FIVE = {str(d): [["09:00", "17:00"]] for d in range(5)}
# Each seeded link's own weekly hours and date overrides, by slug.
Hours = dict[str, tuple[dict, dict]]


def _executor() -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor


def migrate(targets) -> None:
    executor = _executor()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


def old_slots(link: BookingLink, hours: Hours) -> dict[int, set[int]]:
    """What the code before schedules offered: the link's own hours for every host."""
    weekly_hours, date_overrides = hours[link.slug]
    hosts = selectors.link_hosts(link)
    busy, _ = selectors.host_busy(
        [h.id for h in hosts], start=NOW - timedelta(days=2), end=END + timedelta(days=2)
    )
    found = engine.compute(
        engine_schedule(link.timezone, weekly_hours, date_overrides),
        link.rules(),
        [engine.HostBusy(host=h.id, busy=busy.get(h.id, []), required=h.required) for h in hosts],
        now=engine.to_epoch(NOW),
        range_start=engine.to_epoch(NOW),
        range_end=engine.to_epoch(END),
    )
    return _by_start(found)


def new_slots(link: BookingLink) -> dict[int, set[int]]:
    return _by_start(selectors.link_availability(link, start=NOW, end=END, now=NOW))


def _by_start(found: engine.Availability) -> dict[int, set[int]]:
    return {s: {int(h) for h in found.free_hosts(s)} for s in found.offered_starts()}  # type: ignore[call-overload]


def seed_old_links() -> Hours:
    """Links as the settings page stored them before schedules, through the historical models;
    returns the hours each link kept."""
    graph = _executor().loader.graph
    others = [node for node in graph.leaf_nodes() if node[0] not in dict(BEFORE)]
    apps = _executor().loader.project_state([*BEFORE, *others]).apps
    Workspace = apps.get_model("workestra", "Workspace")
    User = apps.get_model("workestra", "User")
    Membership = apps.get_model("workestra", "Membership")
    Link = apps.get_model("booking", "BookingLink")
    Host = apps.get_model("booking", "LinkHost")
    # The demo seed as it was before schedules: its host and the /book/intro link.
    demo = Workspace.objects.create(name="Demo Company", slug="demo")
    dana = User.objects.create(
        email="demo@workestra.test",
        name="Dana Demo",
        timezone="Europe/Berlin",
        working_hours=dict(NINE_TO_FIVE),
    )
    Membership.objects.create(workspace=demo, user=dana, role="owner")
    Link.objects.create(
        workspace=demo,
        owner=dana,
        title="30-minute intro call",
        slug="intro",
        duration=30,
        timezone="Europe/Berlin",
        weekly_hours=dict(NINE_TO_FIVE),
    )
    hours: Hours = {"intro": (dict(NINE_TO_FIVE), {})}

    workspace = Workspace.objects.create(name="Acme", slug="acme")
    ann = User.objects.create(
        email="ann@acme.test", timezone="Europe/Berlin", working_hours=NINE_TO_FIVE
    )
    bob = User.objects.create(
        email="bob@acme.test",
        timezone="America/New_York",
        working_hours={str(d): [["08:00", "12:00"], ["13:00", "16:00"]] for d in range(4)},
    )
    cy = User.objects.create(email="cy@acme.test", timezone="Asia/Kolkata", working_hours={})
    for user in (ann, bob, cy):
        Membership.objects.create(workspace=workspace, user=user, role="member")
    n = iter(range(100))

    def link(owner, kind="one_on_one", hosts=(), **fields):
        fields.setdefault("weekly_hours", dict(NINE_TO_FIVE))
        fields.setdefault("timezone", "Europe/Berlin")
        i = next(n)
        made = Link.objects.create(
            workspace=workspace,
            owner=owner,
            kind=kind,
            title=f"Link {i}",
            slug=f"old-{i}",
            max_days_ahead=200,
            **fields,
        )
        for user in hosts:
            Host.objects.create(link=made, user=user)
        hours[made.slug] = (made.weekly_hours, made.date_overrides)
        return made

    link(ann)  # exactly ann's working hours: her default schedule
    link(
        ann,
        timezone="America/New_York",
        slot_interval=20,
        duration=45,
        weekly_hours={"0": [["09:00", "12:00"], ["12:00", "17:00"]], "5": [["22:00", "24:00"]]},
        date_overrides={"2026-11-30": [], "2026-12-06": [["10:00", "11:00"]]},
    )
    link(bob, weekly_hours=dict(bob.working_hours))  # his hours, but in Berlin
    link(bob, weekly_hours={}, date_overrides={"2026-12-01": [["09:00", "10:00"]]})
    link(bob, weekly_hours={})  # offers nothing, and must still offer nothing
    link(
        ann,
        "round_robin",
        [ann, bob, cy],
        timezone="Europe/London",
        weekly_hours={str(d): [["07:00", "19:00"]] for d in range(6)},
        date_overrides={"2026-12-24": [], "2027-03-28": [["00:00", "24:00"]]},
    )
    link(ann, "collective", [ann, bob])  # ann's default hours, for bob too
    link(cy, "round_robin", [bob, cy], timezone="Asia/Kolkata")
    link(ann, "group", capacity=5, timezone="Australia/Sydney")
    link(ann, weekly_hours={"6": [["09:00", "10:00"]]}, deleted_at=NOW)  # deleted: left alone
    return hours


@pytest.mark.django_db(transaction=True)
def test_migrating_link_hours_into_schedules_keeps_every_offered_slot():
    migrate(BEFORE)
    try:
        hours = seed_old_links()
    finally:
        migrate(None)
    bob = BookingLink.objects.get(slug="old-2").owner
    # Busy time reaches both computations alike: bob is away for a week.
    TimeOff.objects.create(
        workspace=BookingLink.objects.get(slug="old-2").workspace,
        user=bob,
        start=utc(2026, 12, 7),
        end=utc(2026, 12, 14),
    )
    links = list(BookingLink.objects.live().order_by("pk"))
    assert len(links) == 10
    for link in links:
        assert new_slots(link) == old_slots(link, hours), link.title
    # The slots are not trivially equal: most links offer times, one offers none.
    assert sum(1 for link in links if old_slots(link, hours)) == 9

    by_slug = {link.slug: link for link in links}
    # Hours equal to the owner's default keep no schedule of their own; others are named after
    # their link; team links point at theirs, whose hosts follow the link as before.
    assert by_slug["intro"].schedule is None
    assert by_slug["old-0"].schedule is None
    assert by_slug["old-1"].schedule.name == "Link 1"
    assert by_slug["old-1"].schedule.timezone == "America/New_York"
    assert by_slug["old-1"].schedule.overrides == {
        "2026-11-30": [],
        "2026-12-06": [["10:00", "11:00"]],
    }
    assert by_slug["old-6"].schedule.is_default
    assert by_slug["old-5"].schedule.name == "Link 5"
    assert not LinkHost.objects.filter(schedule__isnull=False).exists()
    # Every member has exactly one default, made from their working hours.
    defaults = Schedule.objects.filter(is_default=True)
    assert defaults.count() == 4
    assert defaults.get(owner__email="bob@acme.test").weekly == {
        str(d): [["08:00", "12:00"], ["13:00", "16:00"]] for d in range(4)
    }
