"""The one-off, poll and single-use pages speak the attendee's language like the booking page,
with the same language menu, and a voter's result email comes in the language they voted in."""

from __future__ import annotations

import html
from datetime import timedelta

import time_machine
from django.core import mail

from booking import single_use
from booking.models import Booking, PollVote
from booking.services.one_off import one_off_create
from crm.models import Contact
from tests.booking.test_languages import GERMAN
from tests.booking.test_one_off import TUE_10, TUE_14, offer, pick
from tests.booking.test_polls import form_data, new_poll, vote, vote_url
from tests.conftest import NOW
from workflows import outbox

MENU = '<select id="language-menu" name="lang">'


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_one_off_page_is_german_for_a_german_browser_and_so_is_the_booking(
    client, frozen, owner, workspace, link
):
    meeting = one_off_create(workspace=workspace, host=owner, offer=offer(TUE_10, TUE_14))

    body = text(client.get(f"/one-off/{meeting.token}", **GERMAN))

    assert '<html lang="de">' in body and MENU in body
    assert "Diese Zeit buchen" in body and "30 Minuten mit" in body
    response = client.post(
        f"/one-off/{meeting.token}",
        {"start": TUE_14.isoformat(), "name": "Ivy", "email": "ivy@example.com"},
        **GERMAN,
    )
    assert response.status_code == 302
    assert Booking.objects.get().language == "de"


def test_the_one_off_page_follows_the_language_cookie(client, frozen, owner, workspace, link):
    meeting = one_off_create(workspace=workspace, host=owner, offer=offer(TUE_10))
    client.cookies["language"] = "de"

    response = pick(client, meeting, TUE_10, name="")

    assert response.status_code == 400 and "Geben Sie Ihren Namen ein." in text(response)


def test_the_poll_page_is_german_and_the_vote_keeps_the_language(client, workspace, owner, frozen):
    poll = new_poll(workspace, owner)

    body = text(client.get(vote_url(poll), **GERMAN))
    saved = client.post(vote_url(poll), form_data(poll, "yes", "no"), **GERMAN)

    assert '<html lang="de">' in body and MENU in body
    assert "Wann können Sie?" in body and "Meine Antworten speichern" in body
    assert "Danke, Ihre Antworten sind gespeichert." in text(saved)
    assert PollVote.objects.get().language == "de"


def test_the_result_email_is_in_each_voters_language(
    client, owner_client, workspace, owner, frozen
):
    poll = new_poll(workspace, owner)
    client.post(vote_url(poll), form_data(poll, "yes", "no", email="ann@example.com"), **GERMAN)
    vote(poll, "bo@example.com", "yes", "yes")  # no page, no language: English
    winner = poll.times.get(start=TUE_10)

    owner_client.post(f"/calendar/polls/{poll.pk}/finalize", {"time": winner.pk})
    outbox.drain()

    german = next(m for m in mail.outbox if m.subject == "Zeit festgelegt: Kick-off")
    assert german.to == ["ann@example.com"]
    assert "Die Kalendereinladung kommt in einer separaten E-Mail." in german.body
    english = next(m for m in mail.outbox if m.subject == "Time chosen: Kick-off")
    assert english.to == ["bo@example.com"]
    # The booking made for the voters speaks the first voter's language too.
    assert Booking.objects.get().language == "de"


def test_a_refused_single_use_link_is_german_for_a_german_browser(
    client, link, owner, workspace, frozen
):
    contact = Contact.objects.create(workspace=workspace, email="alice@example.com", name="Alice")
    single = single_use.create(link=link, contact=contact, created_by_id=owner.pk)

    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        response = client.get(single.path, **GERMAN)

    body = text(response)
    assert response.status_code == 410 and MENU in body
    assert "Dieser Link ist abgelaufen." in body and "Einmal-Link" in body
