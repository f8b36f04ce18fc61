"""Team and group links on the database: who is offered, who is booked, and what is refused.

The clock is frozen at NOW (conftest): Monday 2026-11-23 08:00 in Berlin. Links are open weekdays
09:00-17:00 Europe/Berlin, 30-minute slots, unless a test says otherwise. Times are written as Berlin
wall-clock labels ("10:00") on Tuesday 2026-11-24 unless another day is named.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from availability import engine
from availability.models import ExternalBusy, TimeOff
from booking import selectors, services
from booking.models import Booking, BookingLink, LinkHost, Reservation
from tests.conftest import NOW
from tests.factories import LinkFactory, MembershipFactory
from workestra.models import Membership

pytestmark = pytest.mark.usefixtures("frozen")

BERLIN = ZoneInfo("Europe/Berlin")
MON = date(2026, 11, 23)
TUE = date(2026, 11, 24)
WED = date(2026, 11, 25)
SAT = date(2026, 11, 28)

Kind = BookingLink.Kind


def at(hhmm: str, day: date = TUE) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=BERLIN)


def label(moment: datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%H:%M")


def availability(link: BookingLink, day: date = TUE, **kwargs) -> engine.Availability:
    """What the public page computes for the local day ``day``."""
    start = at("00:00", day)
    return selectors.link_availability(
        link, start=start, end=start + timedelta(days=1), now=NOW, **kwargs
    )


def offered(link: BookingLink, day: date = TUE) -> list[str]:
    return [label(engine.from_epoch(s)) for s in availability(link, day).offered_starts()]


def free_hosts(link: BookingLink, hhmm: str, day: date = TUE) -> list[int]:
    return availability(link, day).free_hosts(engine.to_epoch(at(hhmm, day)))


@pytest.fixture
def booked(booked):
    """Each booking by a new guest at :data:`NOW`: a group link seats an attendee only once."""
    guests = itertools.count()

    def book(link: BookingLink, start: datetime, **kwargs) -> Booking:
        return booked(link, start, guest=f"guest{next(guests)}", now=NOW, **kwargs)

    return book


def reserved_hosts(booking: Booking) -> set[int]:
    return set(booking.reservations.filter(active=True).values_list("host_id", flat=True))


def member(workspace, name: str):
    return MembershipFactory(
        workspace=workspace,
        role=Membership.Role.MEMBER,
        user__name=name,
        user__email=f"{name.lower()}@acme.test",
    ).user


def team_link(workspace, owner, kind: str, hosts, *, always=(), **fields) -> BookingLink:
    link = LinkFactory(workspace=workspace, owner=owner, kind=kind, **fields)
    for user in hosts:
        LinkHost.objects.create(link=link, user=user, always_attending=user in always)
    return link


def time_off(user, start: datetime, end: datetime) -> None:
    TimeOff.objects.create(
        workspace=user.memberships.first().workspace, user=user, start=start, end=end
    )


def calendar_busy(user, start: datetime, end: datetime) -> None:
    ExternalBusy.objects.create(user=user, source="google", start=start, end=end)


AWAY = {"time off": time_off, "calendar busy": calendar_busy}
EVERY_SLOT = [f"{h:02d}:{m:02d}" for h in range(9, 17) for m in (0, 30)]


@pytest.fixture
def ann(workspace):
    return member(workspace, "Ann")


@pytest.fixture
def bob(workspace):
    return member(workspace, "Bob")


@pytest.fixture
def cy(workspace):
    return member(workspace, "Cy")


@pytest.fixture
def lead(workspace):
    return member(workspace, "Lead")


@pytest.fixture
def own_link(workspace):
    """A personal one-on-one link for any user, to give them a meeting elsewhere."""

    def make(user) -> BookingLink:
        return LinkFactory(workspace=workspace, owner=user)

    return make


@pytest.fixture
def group_link(workspace, owner):
    return LinkFactory(
        workspace=workspace, owner=owner, kind=Kind.GROUP, capacity=3, title="Webinar"
    )


# --- Slots by link kind ------------------------------------------------------------------------


def test_one_on_one_link_offers_the_owners_free_time(link, owner, own_link, booked):
    booked(link, at("10:00"))

    assert "10:00" not in offered(link)
    assert len(offered(link)) == len(EVERY_SLOT) - 1
    assert free_hosts(link, "09:00") == [owner.id]


def test_round_robin_offers_a_slot_while_any_listed_host_is_free(workspace, owner, ann, bob):
    link = team_link(workspace, owner, Kind.ROUND_ROBIN, [ann, bob])
    time_off(ann, at("10:00"), at("11:00"))
    calendar_busy(bob, at("10:30"), at("11:00"))

    slots = offered(link)
    assert "10:00" in slots  # Bob is free
    assert "10:30" not in slots  # nobody is
    assert free_hosts(link, "10:00") == [bob.id]
    assert free_hosts(link, "09:00") == [ann.id, bob.id]
    # The owner is not a listed host: their own time does not matter.
    assert owner.id not in free_hosts(link, "09:00")


@pytest.mark.parametrize("kind", [Kind.ROUND_ROBIN, Kind.COLLECTIVE])
def test_team_link_without_listed_hosts_falls_back_to_the_owner(workspace, owner, kind, booked):
    link = team_link(workspace, owner, kind, [])
    time_off(owner, at("10:00"), at("10:30"))

    assert "10:00" not in offered(link)
    assert free_hosts(link, "09:00") == [owner.id]
    booking = booked(link, at("09:00"))
    assert booking.host == owner
    assert reserved_hosts(booking) == {owner.id}


def test_collective_offers_a_slot_only_when_every_host_is_free(workspace, owner, ann, bob, cy):
    link = team_link(workspace, owner, Kind.COLLECTIVE, [ann, bob, cy])
    calendar_busy(cy, at("14:00"), at("15:00"))

    slots = offered(link)
    assert "14:00" not in slots and "14:30" not in slots
    assert "13:30" in slots and "15:00" in slots
    found = availability(link)
    assert found.assignable(engine.to_epoch(at("09:00"))) == ([ann.id, bob.id, cy.id], [])
    # Cy is busy, the others are not: the slot is hidden though two of three are free.
    assert found.free_hosts(engine.to_epoch(at("14:00"))) == [ann.id, bob.id]


def test_multi_host_group_needs_every_always_attending_host_and_one_pool_host(
    workspace, owner, lead, ann, bob
):
    link = team_link(workspace, owner, Kind.ROUND_ROBIN, [lead, ann, bob], always=[lead])
    time_off(lead, at("09:00"), at("10:00"))
    calendar_busy(ann, at("11:00"), at("12:00"))
    calendar_busy(bob, at("11:00"), at("12:00"))
    calendar_busy(ann, at("13:00"), at("14:00"))

    slots = offered(link)
    assert slots[:2] == ["10:00", "10:30"]  # the lead is off until 10:00
    assert "11:00" not in slots and "11:30" not in slots  # the whole pool is busy
    found = availability(link)
    assert found.assignable(engine.to_epoch(at("13:00"))) == ([lead.id], [bob.id])
    assert found.assignable(engine.to_epoch(at("10:00"))) == ([lead.id], [ann.id, bob.id])


def test_round_robin_with_only_always_attending_hosts_needs_them_all(
    workspace, owner, ann, bob, booked
):
    link = team_link(workspace, owner, Kind.ROUND_ROBIN, [ann, bob], always=[ann, bob])
    calendar_busy(bob, at("10:00"), at("10:30"))

    assert "10:00" not in offered(link)
    booking = booked(link, at("11:00"))
    assert reserved_hosts(booking) == {ann.id, bob.id}


def test_group_link_lists_the_seats_left(group_link, booked):
    booked(group_link, at("10:00"))

    found = availability(group_link)
    assert found.seats_left(engine.to_epoch(at("10:00"))) == 2
    assert found.seats_left(engine.to_epoch(at("11:00"))) == 3
    assert "10:00" in offered(group_link)


def test_group_link_ignores_listed_hosts_and_uses_its_owner(workspace, owner, ann, group_link):
    LinkHost.objects.create(link=group_link, user=ann)

    assert free_hosts(group_link, "09:00") == [owner.id]


# --- Time off and calendar busy time -----------------------------------------------------------


@pytest.mark.parametrize("away", AWAY.values(), ids=AWAY.keys())
def test_busy_time_removes_a_host_from_every_link(workspace, owner, ann, bob, own_link, away):
    personal = own_link(ann)
    round_robin = team_link(workspace, owner, Kind.ROUND_ROBIN, [ann, bob])
    collective = team_link(workspace, owner, Kind.COLLECTIVE, [ann, bob])
    away(ann, at("09:00"), at("12:00"))

    afternoon = EVERY_SLOT[6:]
    assert offered(personal) == afternoon
    assert offered(collective) == afternoon
    assert offered(round_robin) == EVERY_SLOT  # Bob covers the morning
    for slot in EVERY_SLOT[:6]:
        assert free_hosts(round_robin, slot) == [bob.id]
    # Other days are untouched.
    assert offered(personal, WED) == EVERY_SLOT


@pytest.mark.parametrize("away", AWAY.values(), ids=AWAY.keys())
def test_round_robin_never_assigns_a_host_who_is_away(workspace, owner, ann, bob, cy, away, booked):
    link = team_link(workspace, owner, Kind.ROUND_ROBIN, [ann, bob, cy])
    away(ann, at("00:00"), at("00:00", WED))

    for slot in ("09:00", "12:30", "16:30"):
        first, second = booked(link, at(slot)), booked(link, at(slot))
        assert {first.host, second.host} == {bob, cy}
        with pytest.raises(services.SlotTaken):
            booked(link, at(slot))
        assert slot not in offered(link)
    assert not Reservation.objects.filter(host=ann).exists()
    # Back on Wednesday, Ann takes one of the three seats of the slot again.
    assert free_hosts(link, "09:00", WED) == [ann.id, bob.id, cy.id]
    assert {booked(link, at("09:00", WED)).host for _ in range(3)} == {ann, bob, cy}


@pytest.mark.parametrize("away", AWAY.values(), ids=AWAY.keys())
def test_collective_slot_is_refused_while_one_host_is_away(
    workspace, owner, ann, bob, away, booked
):
    link = team_link(workspace, owner, Kind.COLLECTIVE, [ann, bob])
    away(bob, at("10:00"), at("11:00"))

    with pytest.raises(services.SlotTaken):
        booked(link, at("10:30"))
    assert not Booking.objects.exists()


def test_time_off_of_a_few_minutes_hides_the_slot_around_it(ann, own_link):
    personal = own_link(ann)
    time_off(ann, at("10:20"), at("10:25"))

    slots = offered(personal)
    assert "10:00" not in slots
    assert "09:30" in slots and "10:30" in slots


def test_busy_time_of_other_hosts_and_other_days_does_not_matter(ann, bob, own_link):
    personal = own_link(ann)
    time_off(bob, at("09:00"), at("17:00"))
    time_off(ann, at("09:00", MON), at("17:00", MON))
    calendar_busy(ann, at("09:00", WED), at("17:00", WED))

    assert offered(personal) == EVERY_SLOT


# --- Date overrides and windows ----------------------------------------------------------------


def test_override_replaces_that_dates_weekly_hours_on_a_team_link(
    workspace, owner, ann, bob, booked
):
    link = team_link(
        workspace,
        owner,
        Kind.ROUND_ROBIN,
        [ann, bob],
        date_overrides={"2026-11-24": [["13:00", "14:00"]]},
    )

    assert offered(link) == ["13:00", "13:30"]
    assert offered(link, WED) == EVERY_SLOT
    with pytest.raises(services.SlotUnavailable):
        booked(link, at("10:00"))
    assert booked(link, at("13:30")).host in (ann, bob)


def test_empty_override_is_a_day_off(workspace, owner, ann, booked):
    link = team_link(workspace, owner, Kind.COLLECTIVE, [ann], date_overrides={"2026-11-25": []})

    assert offered(link, WED) == []
    assert offered(link) == EVERY_SLOT
    with pytest.raises(services.SlotUnavailable):
        booked(link, at("10:00", WED))


def test_override_opens_a_day_without_weekly_hours(workspace, owner, ann, bob, booked):
    link = team_link(
        workspace,
        owner,
        Kind.ROUND_ROBIN,
        [ann, bob],
        date_overrides={"2026-11-28": [["10:00", "12:00"]]},
    )

    assert offered(link, SAT) == ["10:00", "10:30", "11:00", "11:30"]
    assert offered(link, SAT + timedelta(days=1)) == []  # Sunday stays closed
    booking = booked(link, at("10:30", SAT))
    assert booking.host in (ann, bob)
    assert reserved_hosts(booking) == {booking.host_id}


@pytest.mark.parametrize(
    "fields",
    [
        {"weekly_hours": {"1": [["09:00", "12:00"], ["12:00", "17:00"]]}},
        {"date_overrides": {"2026-11-24": [["12:00", "17:00"], ["09:00", "12:00"]]}},
    ],
    ids=["weekly", "override"],
)
def test_touching_windows_let_a_meeting_run_across_the_seam(workspace, owner, ann, fields, booked):
    link = team_link(
        workspace, owner, Kind.ROUND_ROBIN, [ann], duration=60, slot_interval=30, **fields
    )

    slots = offered(link)
    assert slots[0] == "09:00" and slots[-1] == "16:00"
    assert "11:30" in slots and len(slots) == 15
    booking = booked(link, at("11:30"))
    assert label(booking.end) == "12:30"


# --- Caps --------------------------------------------------------------------------------------


def test_daily_cap_counts_the_links_confirmed_and_pending_bookings(
    workspace, owner, ann, bob, booked
):
    link = team_link(workspace, owner, Kind.ROUND_ROBIN, [ann, bob], daily_cap=2)
    first = booked(link, at("09:00"))
    second = booked(link, at("15:00"))

    assert offered(link) == []
    assert offered(link, WED) == EVERY_SLOT
    with pytest.raises(services.SlotTaken):
        booked(link, at("12:00"))

    Booking.objects.filter(pk=first.pk).update(status=Booking.Status.PENDING_VERIFICATION)
    assert offered(link) == []  # pending bookings still count

    services.booking_cancel(booking=second, now=NOW)
    assert "12:00" in offered(link)
    assert booked(link, at("12:00")).host in (ann, bob)


def test_bookings_on_other_links_do_not_count_towards_a_cap(
    workspace, owner, ann, bob, own_link, booked
):
    link = team_link(workspace, owner, Kind.ROUND_ROBIN, [ann, bob], daily_cap=1)
    booked(own_link(ann), at("09:00"))
    booked(own_link(bob), at("10:00"))

    assert "11:00" in offered(link)


def test_daily_cap_counts_bookings_on_the_links_local_date(workspace, owner, ann, booked):
    # Open around midnight: 00:15 Berlin on Wednesday is still Tuesday in UTC.
    around_midnight = [["00:00", "01:00"], ["23:00", "24:00"]]
    link = team_link(
        workspace,
        owner,
        Kind.ROUND_ROBIN,
        [ann],
        daily_cap=1,
        weekly_hours={str(d): around_midnight for d in range(7)},
    )
    booking = booked(link, at("00:00", WED))
    assert booking.start.astimezone(UTC).date() == TUE

    assert offered(link, WED) == []
    assert offered(link) == ["00:00", "00:30", "23:00", "23:30"]


@pytest.mark.parametrize("cap", ["daily_cap", "weekly_cap", "monthly_cap"])
def test_caps_must_be_at_least_one(link, cap):
    setattr(link, cap, 0)
    with pytest.raises(ValidationError) as error:
        link.full_clean()
    assert cap in error.value.message_dict

    setattr(link, cap, 1)
    link.full_clean()


# --- Queries -----------------------------------------------------------------------------------


def _busy_team(workspace, owner, kind: str, size: int) -> BookingLink:
    """A team link whose every host has a dozen bookings, time off and calendar events in the
    next fortnight, plus a shared day off on Wednesday morning."""
    hosts = [member(workspace, f"Host{size}x{i}") for i in range(size)]
    link = team_link(workspace, owner, kind, hosts, daily_cap=100)
    for n, host in enumerate(hosts):
        starts = [at("09:00", TUE) + timedelta(days=d, minutes=30 * (n % 8)) for d in range(12)]
        bookings = Booking.objects.bulk_create(
            Booking(
                workspace=workspace,
                link=link,
                host=host,
                start=s,
                end=s + timedelta(minutes=30),
                timezone="Europe/Berlin",
                name="Booked",
                email=f"booked{n}@example.com",
                ical_uid=f"bulk-{size}-{n}-{i}",
            )
            for i, s in enumerate(starts)
        )
        Reservation.objects.bulk_create(
            Reservation(booking=b, host=host, blocked_start=b.start, blocked_end=b.end)
            for b in bookings
        )
        TimeOff.objects.bulk_create(
            TimeOff(
                workspace=workspace,
                user=host,
                start=at("09:00", WED) + timedelta(days=d),
                end=at("11:00", WED) + timedelta(days=d),
            )
            for d in range(0, 14, 7)
        )
        ExternalBusy.objects.bulk_create(
            ExternalBusy(
                user=host,
                source="google",
                start=at("16:00", TUE) + timedelta(days=d),
                end=at("17:00", TUE) + timedelta(days=d),
            )
            for d in range(10)
        )
    return BookingLink.objects.get(pk=link.pk)


@pytest.mark.parametrize("kind", [Kind.ROUND_ROBIN, Kind.COLLECTIVE])
def test_link_availability_takes_five_queries_for_one_host_or_twenty(workspace, owner, kind):
    counts = []
    for size in (1, 20):
        link = _busy_team(workspace, owner, kind, size)
        with CaptureQueriesContext(connection) as queries:
            found = selectors.link_availability(
                link, start=at("00:00", TUE), end=at("00:00", TUE) + timedelta(days=14), now=NOW
            )
        counts.append(len(queries.captured_queries))
        slots = {engine.from_epoch(s) for s in found.offered_starts()}
        # The rows were read: every host is off Wednesday morning and busy from 16:00.
        assert at("09:00", WED) not in slots and at("10:30", WED) not in slots
        assert at("14:00", WED) in slots
        assert at("16:00", TUE) not in slots
        if size == 1:  # the lone host's own bookings hide their slots
            assert at("09:00", TUE) not in slots and at("09:30", TUE) in slots

    # Hosts, their schedules, reservations, time off with calendar busy (one UNION), and the
    # link's bookings for the cap: the same five queries whatever the number of hosts and rows.
    assert counts == [5, 5]


# --- Booking each kind -------------------------------------------------------------------------


def test_one_on_one_booking_reserves_the_owner(link, owner, booked):
    booking = booked(link, at("10:00"))

    assert booking.host == owner
    reservation = booking.reservations.get()
    assert (reservation.host, reservation.blocked_start, reservation.share_key) == (
        owner,
        at("10:00"),
        None,
    )


def test_round_robin_booking_goes_to_a_host_free_at_that_exact_slot(
    workspace, owner, ann, bob, own_link, booked
):
    link = team_link(workspace, owner, Kind.ROUND_ROBIN, [ann, bob])
    booked(own_link(ann), at("10:00"))

    at_ten = booked(link, at("10:00"))
    assert at_ten.host == bob and reserved_hosts(at_ten) == {bob.id}

    # At 09:00 both are free: whoever gets it, the other still takes the next attendee.
    first, second = booked(link, at("09:00")), booked(link, at("09:00"))
    assert {first.host, second.host} == {ann, bob}
    assert reserved_hosts(first) == {first.host_id}
    assert reserved_hosts(second) == {second.host_id}


def test_multi_host_group_booking_reserves_the_always_attending_hosts_and_one_pool_host(
    workspace, owner, lead, ann, bob, own_link, booked
):
    link = team_link(workspace, owner, Kind.ROUND_ROBIN, [ann, lead, bob], always=[lead])
    booked(own_link(ann), at("10:00"))

    booking = booked(link, at("10:00"))

    assert booking.host == bob  # the pool host is the booking's host
    assert reserved_hosts(booking) == {lead.id, bob.id}
    ranges = set(booking.reservations.values_list("blocked_start", "blocked_end", "share_key"))
    assert ranges == {(at("10:00"), at("10:30"), None)}
    # The lead is now busy at 10:00 for every link, and the pool host too.
    assert "10:00" not in offered(own_link(lead))
    with pytest.raises(services.SlotTaken):
        booked(link, at("10:00"))


def test_collective_booking_reserves_every_host(workspace, owner, ann, bob, cy, own_link, booked):
    link = team_link(workspace, owner, Kind.COLLECTIVE, [ann, bob, cy], buffer_after=15)

    booking = booked(link, at("10:00"))

    assert booking.host in (ann, bob, cy)
    assert reserved_hosts(booking) == {ann.id, bob.id, cy.id}
    assert set(booking.reservations.values_list("blocked_start", "blocked_end")) == {
        (at("10:00"), at("10:45"))
    }
    for user in (ann, bob, cy):
        assert "10:00" not in offered(own_link(user))
    assert "10:30" not in offered(link)  # the buffer
    with pytest.raises(services.SlotTaken):
        booked(link, at("10:00"))


# --- Group seats -------------------------------------------------------------------------------


def test_group_seats_fill_up_and_a_cancellation_frees_one(group_link, owner, booked):
    first = booked(group_link, at("10:00"))
    booked(group_link, at("10:00"))
    assert "10:00" in offered(group_link)
    assert availability(group_link).seats_left(engine.to_epoch(at("10:00"))) == 1

    third = booked(group_link, at("10:00"))
    assert "10:00" not in offered(group_link)
    assert availability(group_link).seats_left(engine.to_epoch(at("10:00"))) == 0
    with pytest.raises(services.SlotTaken):
        booked(group_link, at("10:00"))
    assert Booking.objects.filter(link=group_link).count() == 3

    # Every seat holds the owner's time under one shared key.
    keys = set(Reservation.objects.filter(active=True).values_list("host_id", "share_key"))
    assert keys == {(owner.id, selectors.group_share_key(group_link, third.start, 30))}

    services.booking_cancel(booking=first, now=NOW)
    assert "10:00" in offered(group_link)
    assert availability(group_link).seats_left(engine.to_epoch(at("10:00"))) == 1
    assert booked(group_link, at("10:00")).status == Booking.Status.CONFIRMED
    assert "10:00" not in offered(group_link)


def test_group_session_blocks_the_hosts_overlapping_starts_on_every_link(
    workspace, owner, link, group_link, booked
):
    group_link.slot_interval = 15
    group_link.save()
    booked(group_link, at("10:00"))

    slots = offered(group_link)
    assert "10:00" in slots
    assert "09:45" not in slots and "10:15" not in slots
    assert "09:30" in slots and "10:30" in slots
    with pytest.raises(services.SlotTaken):
        booked(group_link, at("10:15"))
    # The owner's one-on-one link (the conftest ``link``) loses the session's time too.
    assert "10:00" not in offered(link)
    with pytest.raises(services.SlotTaken):
        booked(link, at("10:00"))


def test_another_meeting_of_the_owner_hides_the_group_slot(link, group_link, booked):
    booked(link, at("10:00"))

    assert "10:00" not in offered(group_link)
    with pytest.raises(services.SlotTaken):
        booked(group_link, at("10:00"))


def test_two_group_links_of_one_owner_do_not_share_seats(workspace, owner, group_link, booked):
    other = LinkFactory(workspace=workspace, owner=owner, kind=Kind.GROUP, capacity=5)
    booked(group_link, at("10:00"))

    assert "10:00" not in offered(other)
    with pytest.raises(services.SlotTaken):
        booked(other, at("10:00"))


def test_group_session_of_one_length_is_not_offered_for_another_length(group_link, owner, booked):
    """A 30-minute session at 10:00 with seats left is that session only: a 60-minute attendee
    is neither shown 10:00 nor booked into it (the page and the re-check agree)."""
    group_link.durations = [30, 60]
    group_link.save()
    booked(group_link, at("10:00"))

    hour = availability(group_link, duration=60)
    assert not hour.is_offered(engine.to_epoch(at("10:00")))
    assert hour.is_offered(engine.to_epoch(at("11:00")))
    with pytest.raises(services.SlotTaken):
        booked(group_link, at("10:00"), duration=60)
    assert set(Reservation.objects.values_list("blocked_start", "blocked_end")) == {
        (at("10:00"), at("10:30"))
    }
    # The 30-minute session still takes attendees of its own length.
    assert availability(group_link).seats_left(engine.to_epoch(at("10:00"))) == 2
    assert booked(group_link, at("10:00"), duration=30).host == owner


def test_group_capacity_must_be_at_least_one(group_link):
    group_link.capacity = 0
    with pytest.raises(ValidationError) as error:
        group_link.full_clean()
    assert "capacity" in error.value.message_dict


# --- Reschedule --------------------------------------------------------------------------------


@pytest.fixture
def bobs_booking(workspace, owner, ann, bob, booked):
    """A round-robin booking at 10:00 that went to Bob because Ann was off 10:00-10:30."""
    link = team_link(workspace, owner, Kind.ROUND_ROBIN, [ann, bob], slot_interval=15)
    time_off(ann, at("10:00"), at("10:30"))
    booking = booked(link, at("10:00"))
    assert booking.host == bob
    return booking


def test_reschedule_keeps_the_round_robin_host_when_free(bobs_booking, ann, bob):
    # At 14:00 both are free; Ann is listed first, but the booking stays with Bob.
    moved = services.booking_reschedule(booking=bobs_booking, start=at("14:00"), now=NOW)

    assert moved.host == bob
    assert reserved_hosts(moved) == {bob.id}
    bobs_booking.refresh_from_db()
    assert bobs_booking.status == Booking.Status.RESCHEDULED
    assert not bobs_booking.reservations.filter(active=True).exists()


def test_reschedule_into_its_own_time_keeps_the_host(bobs_booking, bob):
    # 10:15 overlaps the booking's own 10:00-10:30, which no longer counts; Ann is still off.
    moved = services.booking_reschedule(booking=bobs_booking, start=at("10:15"), now=NOW)

    assert moved.host == bob
    assert reserved_hosts(moved) == {bob.id}


def test_reschedule_moves_to_a_free_host_when_the_assigned_one_is_busy(bobs_booking, ann, bob):
    calendar_busy(bob, at("15:00"), at("16:00"))

    moved = services.booking_reschedule(booking=bobs_booking, start=at("15:00"), now=NOW)

    assert moved.host == ann
    assert reserved_hosts(moved) == {ann.id}


def test_reschedule_to_a_slot_nobody_can_take_is_refused_and_changes_nothing(
    bobs_booking, ann, bob
):
    calendar_busy(ann, at("15:00"), at("16:00"))
    calendar_busy(bob, at("15:00"), at("16:00"))

    with pytest.raises(services.SlotTaken):
        services.booking_reschedule(booking=bobs_booking, start=at("15:00"), now=NOW)
    bobs_booking.refresh_from_db()
    assert bobs_booking.status == Booking.Status.CONFIRMED
    assert reserved_hosts(bobs_booking) == {bob.id}


# --- The booking-time re-check agrees with the listed slots ------------------------------------


class _Undo(Exception):
    pass


def bookable(link: BookingLink, start: datetime, booked) -> bool:
    """Whether booking ``start`` succeeds; the booking is rolled back either way."""
    try:
        with transaction.atomic():
            booked(link, start)
            raise _Undo
    except _Undo:
        return True
    except services.BookingError:
        return False


@pytest.fixture
def busy_monday(workspace, owner, lead, ann, bob, own_link, booked):
    """Everyone's Monday (today): the lead is off 12:00-13:00, Ann has time off 11:00-13:00,
    Bob a calendar event 12:00-12:20 and a meeting on his own link at 14:00, the owner time off
    15:00-15:30."""
    time_off(lead, at("12:00", MON), at("13:00", MON))
    time_off(ann, at("11:00", MON), at("13:00", MON))
    calendar_busy(bob, at("12:00", MON), at("12:20", MON))
    booked(own_link(bob), at("14:00", MON))
    time_off(owner, at("15:00", MON), at("15:30", MON))


SCENARIO_RULES = {
    "duration": 30,
    "slot_interval": 15,
    "buffer_before": 10,
    "buffer_after": 5,
    "min_notice_hours": 2,  # nothing before 10:00 today
}


def _scenario(name: str, workspace, owner, lead, ann, bob, booked) -> BookingLink:
    if name == "one_on_one":
        return LinkFactory(workspace=workspace, owner=owner, **SCENARIO_RULES)
    if name == "round_robin":
        link = team_link(workspace, owner, Kind.ROUND_ROBIN, [ann, bob], **SCENARIO_RULES)
        booked(link, at("10:00", MON))
        booked(link, at("16:00", MON))
        return link
    if name == "round_robin_capped":
        link = team_link(
            workspace, owner, Kind.ROUND_ROBIN, [ann, bob], daily_cap=3, **SCENARIO_RULES
        )
        booked(link, at("10:00", MON))
        return link
    if name == "multi_host":
        return team_link(
            workspace, owner, Kind.ROUND_ROBIN, [lead, ann, bob], always=[lead], **SCENARIO_RULES
        )
    if name == "collective":
        return team_link(workspace, owner, Kind.COLLECTIVE, [ann, bob], **SCENARIO_RULES)
    if name == "collective_override":
        return team_link(
            workspace,
            owner,
            Kind.COLLECTIVE,
            [ann, bob],
            date_overrides={"2026-11-23": [["13:00", "15:00"], ["15:00", "18:00"]]},
            **SCENARIO_RULES,
        )
    assert name == "group"
    link = LinkFactory(
        workspace=workspace, owner=owner, kind=Kind.GROUP, capacity=2, **SCENARIO_RULES
    )
    booked(link, at("11:00", MON))
    booked(link, at("11:00", MON))  # full
    booked(link, at("13:00", MON))  # one seat left
    return link


@pytest.mark.parametrize(
    "scenario",
    [
        "one_on_one",
        "round_robin",
        "round_robin_capped",
        "multi_host",
        "collective",
        "collective_override",
        "group",
    ],
)
def test_booking_succeeds_exactly_at_the_listed_starts(
    scenario, workspace, owner, lead, ann, bob, busy_monday, booked
):
    link = _scenario(scenario, workspace, owner, lead, ann, bob, booked)
    listed = {engine.from_epoch(s) for s in availability(link, MON).offered_starts()}
    # Every 15 minutes of the local day, plus a few times off the grid.
    candidates = [at("00:00", MON) + timedelta(minutes=15 * k) for k in range(96)]
    candidates += [at(t, MON) for t in ("10:05", "13:20", "14:59")]

    succeeded = {start for start in candidates if bookable(link, start, booked)}

    assert succeeded == listed
    assert len(listed) >= 4, "the scenario still offers something"
    assert len(listed) < 28, "and hides something inside the hours"
