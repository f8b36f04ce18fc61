"""Meeting polls: creating (limits, busy times, tenants), voting, finalizing, and the holds that
keep proposed times off the hosts' other links until the poll is decided or closes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from availability import engine
from availability.models import TimeOff
from booking import kinds, selectors
from booking.models import Booking, Poll, PollHold, PollVote, Reservation
from booking.services import SlotTaken, SlotUnavailable
from booking.services.polls import PollDraft, PollError, poll_create, poll_vote
from tests.booking.helpers import utc
from tests.conftest import NOW, login
from tests.factories import MembershipFactory
from workestra.models import Membership
from workflows import outbox, periodic
from workflows.models import OutboxMessage

TUE_10 = utc(2026, 11, 24, 9)  # Tuesday 10:00 in Berlin
TUE_14 = utc(2026, 11, 24, 13)  # Tuesday 14:00 in Berlin
WED_10 = utc(2026, 11, 25, 9)


def new_poll(workspace, owner, *, starts=(TUE_10, TUE_14), expires=None, **extra) -> Poll:
    draft = PollDraft(
        title="Kick-off",
        duration=30,
        location="Room 4",
        starts=tuple(starts),
        expires_at=expires or NOW + timedelta(days=3),
        **extra,
    )
    return poll_create(workspace=workspace, owner=owner, draft=draft, now=NOW)


def offered(link, start) -> bool:
    found = selectors.link_availability(
        link, start=start, end=start + timedelta(seconds=1), now=NOW
    )
    return found.is_offered(engine.to_epoch(start))


def vote(poll, email, *answers, name=None):
    times = list(poll.times.all())
    return poll_vote(
        poll=poll,
        name=name or email.split("@")[0].title(),
        email=email,
        zone="Europe/Berlin",
        answers={t.pk: a for t, a in zip(times, answers, strict=True)},
        now=NOW,
    )


def vote_url(poll) -> str:
    return reverse("booking:poll-vote", args=[poll.token])


def form_data(poll, *answers, name="Ann", email="ann@example.com"):
    data = {"name": name, "email": email, "timezone": "Europe/Berlin"}
    for time, answer in zip(poll.times.all(), answers, strict=True):
        data[f"time-{time.pk}"] = answer
    return data


# --- Creating -----------------------------------------------------------------------------------


def test_the_host_creates_a_poll_from_the_calendar_page(owner_client, owner, frozen):
    response = owner_client.post(
        "/calendar/polls",
        {
            "title": "Kick-off",
            "duration": "30",
            "location": "Room 4",
            "times": "2026-11-24 10:00\n2026-11-24 14:00\n",
            "invitees": "ann@example.com, bo@example.com",
            "expires_at": "2026-11-26T18:00",
            "hide_tally": "on",
        },
    )

    poll = Poll.objects.get()
    assert response.status_code == 302 and response.url == f"/calendar/polls/{poll.pk}"
    assert [t.start for t in poll.times.all()] == [TUE_10, TUE_14]  # read in Berlin
    assert poll.expires_at == utc(2026, 11, 26, 17) and poll.hide_tally
    assert len(poll.token) == 32
    assert PollHold.objects.filter(poll=poll, host=owner).count() == 2
    invites = OutboxMessage.objects.filter(kind=kinds.POLL_INVITATION.name)
    assert sorted(m.payload["email"] for m in invites) == ["ann@example.com", "bo@example.com"]
    outbox.drain()
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.com", "bo@example.com"]
    assert poll.public_url in mail.outbox[0].body
    page = owner_client.get("/calendar/polls")
    assert b'aria-current="page">Polls' in page.content and b"Kick-off" in page.content


def test_forty_one_times_are_refused_with_a_clear_message(owner_client, frozen):
    times = [
        f"2026-11-{day} {hour:02d}:00" for day in (24, 25, 26, 27, 30) for hour in range(9, 17)
    ]
    times.append("2026-12-01 09:00")
    assert len(times) == 41

    response = owner_client.post(
        "/calendar/polls",
        {
            "title": "Big",
            "duration": "30",
            "times": "\n".join(times),
            "expires_at": "2026-11-30T12:00",
        },
    )

    assert response.status_code == 400
    assert "Propose at most 40 times; you proposed 41." in response.content.decode()
    assert not Poll.objects.exists()


def test_the_service_refuses_more_than_forty_times(workspace, owner, frozen):
    starts = [TUE_10 + timedelta(days=7 * w, minutes=30 * i) for w in range(6) for i in range(7)]
    with pytest.raises(PollError, match="at most 40"):
        new_poll(workspace, owner, starts=starts[:41])
    assert not Poll.objects.exists()


def test_a_time_the_host_is_busy_is_refused(owner_client, link, booked, frozen):
    booked(link, TUE_10)

    response = owner_client.post(
        "/calendar/polls",
        {
            "title": "Kick-off",
            "duration": "30",
            "times": "2026-11-24 10:00\n2026-11-24 14:00",
            "expires_at": "2026-11-26T18:00",
        },
    )

    assert response.status_code == 400
    assert "Tue 24 Nov 2026 10:00 is not free for every host" in response.content.decode()
    assert not Poll.objects.exists() and not PollHold.objects.exists()


def test_every_co_host_must_be_free(workspace, owner, teammate, frozen):
    TimeOff.objects.create(workspace=workspace, user=teammate, start=TUE_14, end=WED_10)

    with pytest.raises(PollError, match="not free for every host"):
        new_poll(workspace, owner, co_hosts=(teammate,))
    assert new_poll(workspace, owner, starts=(TUE_10,), co_hosts=(teammate,)).pk


def test_wrong_input_is_refused_field_by_field(owner_client, frozen):
    response = owner_client.post(
        "/calendar/polls",
        {
            "title": "",
            "duration": "3",
            "times": "tomorrow at ten\n",
            "invitees": "not-an-email",
            "expires_at": "2026-11-22T18:00",
        },
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "tomorrow at ten" in body and "is not a time like" in body
    assert "is not an email address" in body
    assert 'aria-invalid="true"' in body
    assert not Poll.objects.exists()


def test_another_workspaces_poll_is_a_404(
    workspace, owner, outsider_client, teammate_client, frozen
):
    poll = new_poll(workspace, owner)

    assert outsider_client.get(f"/calendar/polls/{poll.pk}").status_code == 404
    assert (
        outsider_client.post(
            f"/calendar/polls/{poll.pk}/finalize", {"time": poll.times.first().pk}
        ).status_code
        == 404
    )
    # A colleague who is not one of its hosts (and no admin) does not see it either.
    assert teammate_client.get(f"/calendar/polls/{poll.pk}").status_code == 404
    assert Poll.objects.get().status == Poll.Status.OPEN


# --- Holds --------------------------------------------------------------------------------------


def test_proposed_times_are_held_off_the_hosts_other_links(workspace, owner, link, booked, frozen):
    assert offered(link, TUE_10)
    new_poll(workspace, owner)

    assert not offered(link, TUE_10) and not offered(link, TUE_14)
    assert offered(link, WED_10)
    with pytest.raises((SlotTaken, SlotUnavailable)):
        booked(link, TUE_10)


def test_holds_end_with_the_poll_expiry_and_the_job_releases_them(
    workspace, owner, owner_client, link, frozen
):
    poll = new_poll(workspace, owner, expires=NOW + timedelta(hours=1))
    assert not offered(link, TUE_10)

    frozen.shift(timedelta(hours=1, minutes=1))
    # Past its expiry a hold no longer counts, even before the job has run.
    assert offered(link, TUE_10)
    detail = owner_client.get(f"/calendar/polls/{poll.pk}").content.decode()
    assert "<dd>Expired</dd>" in detail and "Book this time" not in detail
    periodic.run_all()

    poll.refresh_from_db()
    assert poll.status == Poll.Status.EXPIRED
    assert not PollHold.objects.filter(released_at__isnull=True).exists()
    with pytest.raises(PollError, match="closed"):
        vote(poll, "ann@example.com", "yes", "no")


def test_cancelling_releases_the_holds(workspace, owner, owner_client, link, frozen):
    poll = new_poll(workspace, owner)

    response = owner_client.post(f"/calendar/polls/{poll.pk}/cancel")

    assert response.status_code == 302
    assert Poll.objects.get().status == Poll.Status.CANCELLED
    assert offered(link, TUE_10)


# --- Voting -------------------------------------------------------------------------------------


def test_an_invitee_votes_and_voting_again_with_the_same_email_updates(
    client, workspace, owner, frozen
):
    poll = new_poll(workspace, owner)

    first = client.post(vote_url(poll), form_data(poll, "yes", "no"))
    again = client.post(
        vote_url(poll), form_data(poll, "maybe", "yes", name="Ann B", email="ANN@example.com")
    )

    assert first.status_code == 200 and again.status_code == 200
    assert "your answers are saved" in again.content.decode()
    only = PollVote.objects.get()
    assert (only.name, only.email) == ("Ann B", "ann@example.com")
    first_time, second_time = poll.times.all()
    assert only.answers == {str(first_time.pk): "maybe", str(second_time.pk): "yes"}


def test_the_tally_shows_unless_hidden(client, workspace, owner, frozen):
    shown = new_poll(workspace, owner, starts=(TUE_10,))
    hidden = new_poll(workspace, owner, starts=(TUE_14,), hide_tally=True)
    for poll in (shown, hidden):
        vote(poll, "ann@example.com", "yes")

    assert "Answers so far" in client.get(vote_url(shown)).content.decode()
    body = client.get(vote_url(hidden)).content.decode()
    assert "Answers so far" not in body and "<legend>" in body


def test_times_are_shown_in_the_viewers_zone(client, workspace, owner, frozen):
    poll = new_poll(workspace, owner, starts=(TUE_10,))

    berlin = client.get(vote_url(poll)).content.decode()
    tokyo = client.get(vote_url(poll) + "?tz=Asia/Tokyo&clock=24h").content.decode()

    assert "10:00–10:30 (Europe/Berlin)" in berlin
    assert "18:00–18:30 (Asia/Tokyo)" in tokyo


@pytest.mark.parametrize(
    ("answers", "extra", "message"),
    [
        (("yes", None), {}, "Answer yes, if need be or no for this time."),
        (("yes", "<script>alert(1)</script>"), {}, "Answer yes, if need be or no for this time."),
        (("yes", "no"), {"email": "not an email"}, "Enter a valid email address."),
        (("yes", "no"), {"name": ""}, "Enter your name."),
    ],
)
def test_wrong_or_missing_answers_change_nothing(
    client, workspace, owner, frozen, answers, extra, message
):
    poll = new_poll(workspace, owner)
    data = form_data(poll, *(a or "" for a in answers)) | extra
    data = {k: v for k, v in data.items() if v != ""} | ({"name": ""} if "name" in extra else {})

    response = client.post(vote_url(poll), data)

    body = response.content.decode()
    assert response.status_code == 400 and message in body
    assert "<script>alert(1)</script>" not in body
    assert not PollVote.objects.exists()


def test_unknown_tokens_are_a_404_and_a_get_changes_nothing(client, workspace, owner, frozen):
    poll = new_poll(workspace, owner)
    assert client.get("/poll/" + "0" * 32).status_code == 404
    assert client.get("/poll/../etc").status_code == 404
    assert (
        client.get(
            vote_url(poll)
            + "?"
            + "&".join(f"time-{t.pk}=yes" for t in poll.times.all())
            + "&name=A&email=a@example.com"
        ).status_code
        == 200
    )
    assert not PollVote.objects.exists()


# --- Finalizing ---------------------------------------------------------------------------------


def test_finalizing_books_everyone_emails_every_voter_and_closes_the_poll(
    client, owner_client, workspace, owner, teammate, link, frozen
):
    poll = new_poll(workspace, owner, co_hosts=(teammate,))
    vote(poll, "bo@example.com", "maybe", "yes", name="Bo")
    vote(poll, "ann@example.com", "yes", "no", name="Ann")
    vote(poll, "cy@example.com", "yes", "maybe", name="Cy")
    winner, loser = poll.times.get(start=TUE_10), poll.times.get(start=TUE_14)
    detail = owner_client.get(f"/calendar/polls/{poll.pk}").content.decode()
    # Best first: two yes beat one yes; names are shown to the host.
    assert detail.index(f'id="time-{winner.pk}"') < detail.index(f'id="time-{loser.pk}"')
    assert "2: Ann, Cy" in detail and "1: Bo" in detail

    response = owner_client.post(f"/calendar/polls/{poll.pk}/finalize", {"time": winner.pk})

    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.start, booking.name, booking.email) == (TUE_10, "Ann", "ann@example.com")
    assert sorted(booking.guests) == ["bo@example.com", "cy@example.com"]
    assert booking.location == "Room 4" and booking.link.title == "Kick-off"
    assert set(Reservation.objects.values_list("host_id", flat=True)) == {owner.pk, teammate.pk}
    poll.refresh_from_db()
    assert (
        poll.status == Poll.Status.FINALIZED and poll.chosen == winner and poll.booking == booking
    )
    assert not PollHold.objects.filter(released_at__isnull=True).exists()
    assert offered(link, TUE_14)  # the losing time is free again; the winner is booked
    assert not offered(link, TUE_10)
    # The hidden link shows nowhere.
    assert "Kick-off" not in owner_client.get("/calendar/event-types").content.decode()

    outbox.drain()
    results = [m for m in mail.outbox if m.subject == "Time chosen: Kick-off"]
    assert sorted(m.to[0] for m in results) == [
        "ann@example.com",
        "bo@example.com",
        "cy@example.com",
    ]
    assert "Tuesday, 24 November 2026, 10:00–10:30 (Europe/Berlin)" in results[0].body
    confirmation = next(m for m in mail.outbox if m.to == ["ann@example.com"] and m not in results)
    assert sorted(confirmation.cc) == ["bo@example.com", "cy@example.com"]

    page = client.get(vote_url(poll)).content.decode()
    assert "The time is chosen:" in page and "Save my answers" not in page
    late = client.post(vote_url(poll), form_data(poll, "yes", "yes", email="dee@example.com"))
    assert late.status_code == 409 and "the meeting time has been chosen" in late.content.decode()
    assert PollVote.objects.count() == 3


def test_a_winner_that_became_busy_cannot_be_finalized(owner_client, workspace, owner, frozen):
    poll = new_poll(workspace, owner)
    vote(poll, "ann@example.com", "yes", "no")
    TimeOff.objects.create(workspace=workspace, user=owner, start=TUE_10, end=TUE_14)
    winner = poll.times.get(start=TUE_10)

    response = owner_client.post(f"/calendar/polls/{poll.pk}/finalize", {"time": winner.pk})

    assert response.status_code == 409
    assert "Tue 24 Nov 2026 10:00 is no longer free for every host" in response.content.decode()
    poll.refresh_from_db()
    assert poll.status == Poll.Status.OPEN and not Booking.objects.exists()
    assert PollHold.objects.filter(released_at__isnull=True).count() == 2
    assert poll.link.deleted_at is not None


def test_finalizing_needs_a_time_of_this_poll_and_a_voter(owner_client, workspace, owner, frozen):
    poll = new_poll(workspace, owner)
    other = new_poll(workspace, owner, starts=(WED_10,))

    wrong = owner_client.post(f"/calendar/polls/{poll.pk}/finalize", {"time": other.times.get().pk})
    nobody = owner_client.post(
        f"/calendar/polls/{poll.pk}/finalize", {"time": poll.times.first().pk}
    )

    assert (
        wrong.status_code == 400 and "Pick one of the poll&#x27;s times." in wrong.content.decode()
    )
    assert nobody.status_code == 409 and "Nobody has voted yet" in nobody.content.decode()
    assert not Booking.objects.exists()


def test_a_member_sees_the_polls_they_own_or_co_host_once_each(workspace, owner, teammate, frozen):
    third = MembershipFactory(workspace=workspace, role=Membership.Role.MEMBER).user
    poll = new_poll(workspace, teammate, starts=(TUE_10,), co_hosts=(owner, third))
    new_poll(workspace, owner, starts=(WED_10,))  # not theirs
    mate, co_host = login(teammate), login(third)

    assert mate.get(f"/calendar/polls/{poll.pk}").status_code == 200
    assert co_host.get(f"/calendar/polls/{poll.pk}").status_code == 200
    listed = mate.get("/calendar/polls").content.decode()
    assert listed.count(f'id="poll-{poll.pk}"') == 1 and listed.count('id="poll-') == 1


def test_the_voting_page_is_rate_limited(client, workspace, owner, settings, frozen):
    settings.RATELIMIT_TOKENS_PER_MINUTE = 2
    poll = new_poll(workspace, owner)

    codes = [client.get(vote_url(poll)).status_code for _ in range(3)]

    assert codes == [200, 200, 429]


def test_a_time_that_has_passed_cannot_be_finalized(owner_client, workspace, owner, frozen):
    poll = new_poll(workspace, owner, expires=NOW + timedelta(days=5))
    vote(poll, "ann@example.com", "yes", "yes")
    frozen.move_to(TUE_10 + timedelta(minutes=5))

    response = owner_client.post(
        f"/calendar/polls/{poll.pk}/finalize", {"time": poll.times.get(start=TUE_10).pk}
    )

    assert response.status_code == 409
    assert "Tue 24 Nov 2026 10:00 has already passed." in response.content.decode()
    assert not Booking.objects.exists()
