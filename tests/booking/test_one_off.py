"""One-off meetings: offering hand-picked times (each checked and held), the invitee's page at
``/one-off/<token>``, booking one time through the normal booking service, and the holds'
release when the offer is booked, withdrawn or expires."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from availability.models import TimeOff
from booking import services
from booking.models import Booking, BookingLink, OneOffHold, OneOffMeeting
from booking.services.one_off import Offer, OneOffRefused, one_off_create, one_offs_expire
from tests.booking.helpers import attendee, utc
from tests.conftest import NOW
from workflows import outbox, periodic

# Tuesday and Wednesday, inside Olga's default hours (weekdays 09:00-17:00 Berlin).
TUE_10 = utc(2026, 11, 24, 9, 0)  # 10:00 in Berlin
TUE_14 = utc(2026, 11, 24, 13, 0)
WED_11 = utc(2026, 11, 25, 10, 0)


def offer(*starts, **fields) -> Offer:
    values = {"title": "Contract review", "duration": 30, "starts": starts}
    return Offer(**(values | fields))


@pytest.fixture
def meeting(frozen, owner, workspace, link):
    """Olga offers Tuesday 10:00 and 14:00 and Wednesday 11:00 (Berlin) to Ivy."""
    return one_off_create(
        workspace=workspace,
        host=owner,
        offer=offer(
            TUE_10, TUE_14, WED_11, invitee_name="Ivy Invitee", invitee_email="ivy@example.com"
        ),
    )


def page(client, meeting, **query):
    return client.get(reverse("booking:one-off-public", args=[meeting.token]), query)


def pick(client, meeting, when, **fields):
    data = {
        "start": when.isoformat(),
        "name": "Ivy Invitee",
        "email": "ivy@example.com",
        "timezone": "Europe/Berlin",
    }
    return client.post(reverse("booking:one-off-public", args=[meeting.token]), data | fields)


# Offering times


def test_an_offer_holds_its_times_and_expires_by_default_at_the_first_time(meeting):
    assert meeting.status == OneOffMeeting.Status.OPEN
    assert sorted(OneOffHold.objects.values_list("start", flat=True)) == [TUE_10, TUE_14, WED_11]
    # 14 days is later than the first offered time, so the offer ends when that time comes.
    assert meeting.expires_at == TUE_10
    assert len(meeting.token) >= 43  # 256 bits, URL-safe


def test_the_default_expiry_is_fourteen_days_when_the_times_are_later(
    frozen, owner, workspace, link
):
    later = utc(2026, 12, 15, 9, 0)  # a Tuesday, three weeks ahead
    made = one_off_create(workspace=workspace, host=owner, offer=offer(later))
    assert made.expires_at == NOW + timedelta(days=14)


def test_a_busy_time_is_refused_with_its_time_and_nothing_is_stored(
    frozen, owner, workspace, link, booked
):
    booked(link, TUE_14)
    with pytest.raises(OneOffRefused, match=r"Tuesday, 24 November 2026, 14:00–14:30.*busy"):
        one_off_create(workspace=workspace, host=owner, offer=offer(TUE_10, TUE_14))
    assert not OneOffMeeting.objects.exists()
    assert not OneOffHold.objects.exists()
    assert not BookingLink.objects.filter(slug__startswith="one-off-").exists()


def test_time_off_and_times_outside_the_hours_are_refused(frozen, owner, workspace, link):
    TimeOff.objects.create(
        workspace=workspace, user=owner, start=TUE_10, end=TUE_10 + timedelta(hours=1)
    )
    with pytest.raises(OneOffRefused, match="busy"):
        one_off_create(workspace=workspace, host=owner, offer=offer(TUE_10))
    saturday = utc(2026, 11, 28, 10, 0)
    with pytest.raises(OneOffRefused, match="outside your hours"):
        one_off_create(workspace=workspace, host=owner, offer=offer(saturday))


def test_more_than_twenty_times_are_refused(frozen, owner, workspace, link):
    starts = [TUE_10 + timedelta(minutes=30 * i) for i in range(14)]
    starts += [WED_11 + timedelta(minutes=30 * i) for i in range(7)]
    with pytest.raises(OneOffRefused, match="at most 20 times; you picked 21"):
        one_off_create(workspace=workspace, host=owner, offer=offer(*starts))
    assert not OneOffMeeting.objects.exists()


def test_past_times_and_bad_expiries_are_refused(frozen, owner, workspace, link):
    with pytest.raises(OneOffRefused, match="already passed"):
        one_off_create(workspace=workspace, host=owner, offer=offer(NOW - timedelta(hours=1)))
    with pytest.raises(OneOffRefused, match="no later than the first offered time") as refused:
        one_off_create(
            workspace=workspace,
            host=owner,
            offer=offer(TUE_10, expires_at=TUE_10 + timedelta(minutes=1)),
        )
    assert refused.value.field == "expires_at"
    with pytest.raises(OneOffRefused, match="expire in the future"):
        one_off_create(workspace=workspace, host=owner, offer=offer(TUE_10, expires_at=NOW))


def test_a_second_offer_cannot_take_a_held_time(meeting, owner, workspace):
    with pytest.raises(OneOffRefused, match="busy"):
        one_off_create(workspace=workspace, host=owner, offer=offer(TUE_10))


# Holds block the host's other links


def test_held_times_are_not_offered_on_the_hosts_links(meeting, link, owner_client):
    with pytest.raises(services.SlotTaken):
        services.booking_create(link=link, start=TUE_10, attendee=attendee())
    body = owner_client.get(f"/book/{link.slug}", {"date": "2026-11-24", "tz": "Europe/Berlin"})
    text = body.content.decode()
    assert ">10:00<" not in text and ">14:00<" not in text
    assert ">10:30<" in text  # the time right after a hold is still free


def test_the_hidden_link_has_no_public_page_and_is_no_event_type(meeting, client, owner_client):
    assert client.get(f"/book/{meeting.link.slug}").status_code == 404
    assert meeting.link.title not in owner_client.get("/settings/booking-links").content.decode()
    assert not BookingLink.objects.live().filter(pk=meeting.link_id).exists()


# The invitee's page


def test_the_page_shows_only_the_offered_times_in_the_invitees_zone(meeting, client):
    body = page(client, meeting, tz="America/New_York").content.decode()
    # 10:00 Berlin is 04:00 in New York; 14:00 is 08:00; Wednesday 11:00 is 05:00.
    for utc_start, shown in ((TUE_10, "04:00"), (TUE_14, "08:00"), (WED_11, "05:00")):
        assert f'value="{utc_start.isoformat()}"> {shown}<' in body
    assert "Contract review" in body and "Olga Owner" in body
    assert body.count('name="start"') == 3
    assert 'value="ivy@example.com"' in body
    # Held until the first offered time comes, on the invitee's clock.
    assert "held for you until Tuesday 24 November, 04:00" in body


def test_a_time_that_became_busy_is_hidden(meeting, client, owner, workspace):
    TimeOff.objects.create(
        workspace=workspace, user=owner, start=TUE_14, end=TUE_14 + timedelta(minutes=30)
    )
    body = page(client, meeting, tz="Europe/Berlin").content.decode()
    assert body.count('name="start"') == 2
    assert TUE_14.isoformat() not in body
    assert TUE_10.isoformat() in body  # its own holds do not hide the offered times


def test_a_get_changes_nothing(meeting, client):
    page(client, meeting)
    meeting.refresh_from_db()
    assert meeting.status == OneOffMeeting.Status.OPEN
    assert OneOffHold.objects.count() == 3
    assert not Booking.objects.exists()


def test_an_unknown_token_is_a_404(meeting, client):
    assert client.get(reverse("booking:one-off-public", args=["x" * 43])).status_code == 404
    wrong = meeting.token[:-1] + ("A" if meeting.token[-1] != "A" else "B")
    assert client.get(reverse("booking:one-off-public", args=[wrong])).status_code == 404


def test_picking_a_time_makes_a_normal_booking_and_releases_the_holds(meeting, client, link):
    response = pick(client, meeting, TUE_14)

    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.start, booking.host_id, booking.email) == (
        TUE_14,
        meeting.host_id,
        "ivy@example.com",
    )
    assert booking.link_id == meeting.link_id and booking.reservations.count() == 1
    meeting.refresh_from_db()
    assert (meeting.status, meeting.booking_id) == (OneOffMeeting.Status.BOOKED, booking.pk)
    assert not OneOffHold.objects.exists()
    # The other offered times are free again on the host's links.
    assert services.booking_create(link=link, start=TUE_10, attendee=attendee()).pk
    outbox.drain()
    subjects = [m.subject for m in mail.outbox]
    assert any("Contract review" in s for s in subjects)
    assert {"ivy@example.com"} <= {to for m in mail.outbox for to in m.to}
    # The confirmation page follows, with the manage links of a normal booking.
    confirmed = client.get(response["Location"]).content.decode()
    assert "You&#x27;re booked" in confirmed or "You're booked" in confirmed
    assert booking.reschedule_url in confirmed and booking.cancel_url in confirmed


def test_a_second_pick_is_told_it_is_already_booked(meeting, client):
    pick(client, meeting, TUE_14)
    again = pick(client, meeting, TUE_10, email="other@example.com")
    assert again.status_code == 409
    assert "This meeting is already booked." in again.content.decode()
    assert Booking.objects.count() == 1
    assert "already booked" in page(client, meeting).content.decode()


def test_a_time_that_was_not_offered_is_refused(meeting, client):
    response = pick(client, meeting, TUE_10 + timedelta(minutes=30))
    assert response.status_code == 400
    assert "Pick one of the offered times." in response.content.decode()
    assert not Booking.objects.exists()
    assert OneOffHold.objects.count() == 3


def test_a_time_booked_meanwhile_is_refused_and_the_holds_stay(meeting, client, workspace, owner):
    # Busy in the host's calendar after the offer was made.
    TimeOff.objects.create(
        workspace=workspace, user=owner, start=TUE_14, end=TUE_14 + timedelta(minutes=30)
    )
    response = pick(client, meeting, TUE_14)
    assert response.status_code == 409
    assert "just taken" in response.content.decode()
    assert not Booking.objects.exists()
    assert OneOffHold.objects.count() == 3
    meeting.refresh_from_db()
    assert meeting.status == OneOffMeeting.Status.OPEN


def test_missing_name_is_a_message_on_the_page(meeting, client):
    response = pick(client, meeting, TUE_14, name="")
    assert response.status_code == 400
    assert "Enter your name." in response.content.decode()
    assert not Booking.objects.exists()


# Expiry and withdrawal


def test_expiry_releases_the_holds_on_the_periodic_tick(frozen, meeting, client, link):
    frozen.move_to(TUE_10 - timedelta(minutes=1))
    periodic.run_all()
    assert OneOffHold.objects.count() == 3  # not yet

    frozen.move_to(TUE_10)
    periodic.run_all()
    meeting.refresh_from_db()
    assert meeting.status == OneOffMeeting.Status.EXPIRED
    assert not OneOffHold.objects.exists()
    assert services.booking_create(
        link=link, start=TUE_14, attendee=attendee(), now=TUE_10
    ).pk  # free again
    response = pick(client, meeting, TUE_14)
    assert response.status_code == 409
    assert "This offer has expired." in response.content.decode()
    assert "This offer has expired." in page(client, meeting).content.decode()


def test_an_expired_offer_is_refused_even_before_the_tick(frozen, meeting, client):
    frozen.move_to(TUE_10 + timedelta(minutes=5))
    response = pick(client, meeting, TUE_14)
    assert response.status_code == 409
    assert "expired" in response.content.decode()
    assert not Booking.objects.exists()
    one_offs_expire(TUE_10 + timedelta(minutes=5))
    assert not OneOffHold.objects.exists()


def test_withdrawing_releases_the_holds(meeting, owner_client, client, link):
    response = owner_client.post(reverse("booking:one-off-cancel", args=[meeting.pk]))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == OneOffMeeting.Status.CANCELLED
    assert not OneOffHold.objects.exists()
    assert services.booking_create(link=link, start=TUE_10, attendee=attendee()).pk
    assert "withdrew" in page(client, meeting).content.decode()


# The host's page


def test_the_host_page_lists_free_times_and_the_tab_is_current(frozen, owner_client, link):
    body = owner_client.get("/calendar/one-off").content.decode()
    assert 'aria-current="page">One-off<' in body
    assert f'value="{TUE_10.isoformat()}"' in body
    assert 'value="2026-11-28' not in body  # Saturday: outside the hours


def test_the_host_creates_an_offer_from_the_page(frozen, owner_client, link):
    response = owner_client.post(
        "/calendar/one-off",
        {
            "title": "Kick-off",
            "duration": "30",
            "location_kind": "link",
            "location_detail": "https://meet.example.com/kick",
            "invitee_name": "Ivy",
            "invitee_email": "ivy@example.com",
            "expires_at": "",
            "times": [TUE_10.isoformat(), WED_11.isoformat()],
        },
    )
    assert response.status_code == 302
    made = OneOffMeeting.objects.get()
    assert (made.title, made.invitee_email, made.times.count()) == (
        "Kick-off",
        "ivy@example.com",
        2,
    )
    assert made.link.locations == [{"kind": "link", "detail": "https://meet.example.com/kick"}]
    listed = owner_client.get("/calendar/one-off").content.decode()
    assert made.public_url in listed
    assert "· Video call" in page(owner_client, made).content.decode()


def test_a_busy_time_on_the_page_is_a_message_and_nothing_is_stored(
    frozen, owner_client, link, booked
):
    booked(link, TUE_10)
    response = owner_client.post(
        "/calendar/one-off",
        {"title": "Kick-off", "duration": "30", "times": [TUE_10.isoformat()]},
    )
    assert response.status_code == 400
    assert "can&#x27;t be offered: you are busy then" in response.content.decode()
    assert not OneOffMeeting.objects.exists()


def test_a_missing_title_and_no_times_are_messages(frozen, owner_client, link):
    response = owner_client.post("/calendar/one-off", {"title": "", "duration": "30"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Give the meeting a title." in body
    assert 'aria-invalid="true"' in body
    assert not OneOffMeeting.objects.exists()


def test_another_workspace_cannot_see_or_withdraw_an_offer(
    meeting, outsider_client, teammate_client
):
    assert (
        outsider_client.post(reverse("booking:one-off-cancel", args=[meeting.pk])).status_code
        == 404
    )
    assert (
        teammate_client.post(reverse("booking:one-off-cancel", args=[meeting.pk])).status_code
        == 404
    )
    assert meeting.title not in outsider_client.get("/calendar/one-off").content.decode()
    meeting.refresh_from_db()
    assert meeting.status == OneOffMeeting.Status.OPEN


def test_the_picker_lists_free_times_for_the_chosen_length(frozen, owner_client, link):
    last_half_hour = utc(2026, 11, 24, 15, 30).isoformat()  # 16:30 in Berlin, hours end at 17:00
    assert f'value="{last_half_hour}"' in owner_client.get("/calendar/one-off").content.decode()
    hour = owner_client.get("/calendar/one-off", {"duration": "60"}).content.decode()
    assert f'value="{last_half_hour}"' not in hour
    assert f'value="{utc(2026, 11, 24, 15, 0).isoformat()}"' in hour
    assert '<option value="60" selected>' in hour


def test_a_malformed_time_is_a_message(meeting, client):
    response = pick(client, meeting, TUE_14, start="next tuesday")
    assert response.status_code == 400
    assert "Pick one of the times." in response.content.decode()
    assert not Booking.objects.exists()


def test_the_invitee_page_is_rate_limited(meeting, client, settings):
    settings.RATELIMIT_TOKENS_PER_MINUTE = 2
    assert page(client, meeting).status_code == 200
    assert page(client, meeting).status_code == 200
    assert page(client, meeting).status_code == 429


def test_an_expiry_after_the_first_time_is_a_message_on_the_page(frozen, owner_client, link):
    response = owner_client.post(
        "/calendar/one-off",
        {
            "title": "Kick-off",
            "duration": "30",
            "expires_at": "2026-11-24T10:30",  # Berlin wall clock, after the 10:00 offered
            "times": [TUE_10.isoformat()],
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "The offer must expire no later than the first offered time." in body
    assert not OneOffMeeting.objects.exists()


def test_an_expiry_in_the_hosts_zone_is_kept(frozen, owner_client, link):
    owner_client.post(
        "/calendar/one-off",
        {
            "title": "Kick-off",
            "duration": "30",
            "expires_at": "2026-11-23T18:00",
            "times": [TUE_10.isoformat()],
        },
    )
    assert OneOffMeeting.objects.get().expires_at == utc(2026, 11, 23, 17, 0)  # 18:00 Berlin


def test_the_booking_made_is_managed_like_any_other(meeting, client, owner_client):
    pick(client, meeting, TUE_14)
    booking = Booking.objects.get()
    detail = owner_client.get(reverse("booking:calendar-booking", args=[booking.pk]))
    assert detail.status_code == 200 and "Contract review" in detail.content.decode()
    assert client.get(reverse("booking:cancel", args=[booking.reschedule_token])).status_code == 200
    listed = owner_client.get("/calendar/one-off").content.decode()
    assert f'href="/calendar/bookings/{booking.pk}">Booked<' in listed
