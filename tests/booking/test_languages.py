"""Attendees read their pages and emails in their language; hosts keep English."""

from __future__ import annotations

from django.core import mail
from icalendar import Calendar

from booking import notifications
from booking.models import Booking
from tests.booking.helpers import utc
from tests.booking.test_link_settings import edit_url, form_data
from tests.booking.test_public_page import book
from workflows import outbox
from workflows.models import OutboxMessage

START = utc(2026, 11, 25, 9, 0)  # Wednesday 10:00 Berlin
GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9,en;q=0.8"}


def without_language(booking: Booking) -> Booking:
    """A booking that recorded no language (made before they were recorded)."""
    Booking.objects.filter(pk=booking.pk).update(language="")
    return booking


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_a_german_browser_gets_german_pages_with_german_dates(client, link, frozen, booked):
    booking = without_language(booked(link, START))

    response = client.get(booking.cancel_url, **GERMAN)

    body = page(response)
    assert '<html lang="de">' in body
    assert "Diesen Termin absagen?" in body
    assert "Mittwoch, 25. November 2026, 10:00–10:30 (Europe/Berlin)" in body
    assert response["Content-Language"] == "de"
    assert "Accept-Language" in response["Vary"]


def test_an_unoffered_language_falls_back_to_the_next_one_then_english(
    client, link, frozen, booked
):
    booking = without_language(booked(link, START))
    assert "Annuler ce rendez-vous" in page(
        client.get(booking.cancel_url, HTTP_ACCEPT_LANGUAGE="zh-CN,fr;q=0.5")
    )
    body = page(client.get(booking.cancel_url, HTTP_ACCEPT_LANGUAGE="zh-CN"))
    assert '<html lang="en">' in body and "Cancel this meeting?" in body


def test_the_language_menu_overrides_the_browser_and_is_remembered(client, link, frozen, booked):
    booking = booked(link, START, language="de")
    body = page(client.get(booking.reconfirm_url, **GERMAN))
    assert '<select id="language-menu" name="lang">' in body
    assert '<option value="fr" lang="fr">Français</option>' in body

    chosen = client.get(booking.reconfirm_url + "?lang=fr", **GERMAN)

    assert "Venez-vous toujours ?" in page(chosen)
    assert chosen.cookies["language"].value == "fr"
    later = page(client.get(booking.cancel_url, **GERMAN))  # the cookie comes along
    assert "Annuler ce rendez-vous ?" in later and "mercredi 25 novembre 2026" in later


def test_the_menu_keeps_the_other_query_parameters(client, link, frozen, booked):
    booking = booked(link, START)
    body = page(client.get(booking.cancel_url + "?tz=Asia/Tokyo&lang=de"))
    assert '<input type="hidden" name="tz" value="Asia/Tokyo">' in body
    assert 'name="lang" value=' not in body


def test_a_language_set_on_the_link_wins_over_the_browser_but_not_the_menu(client, link, frozen):
    link.language = "nl"
    link.save()

    assert '<html lang="nl">' in page(client.get(link.public_path, **GERMAN))
    assert '<html lang="de">' in page(client.get(link.public_path + "?lang=de", **GERMAN))


def test_the_booking_pages_speak_the_language_it_was_booked_in(client, link, frozen, booked):
    booking = booked(link, START, language="ja")
    assert "この打ち合わせをキャンセルしますか？" in page(client.get(booking.cancel_url, **GERMAN))
    assert "Diesen Termin absagen?" in page(client.get(booking.cancel_url + "?lang=de"))


def test_public_errors_are_translated(client, db):
    response = client.get("/book/no-such-link", **GERMAN)
    assert response.status_code == 404
    assert "Nicht gefunden" in response.content.decode()


def test_host_pages_stay_english(owner_client, frozen):
    owner_client.cookies["language"] = "de"
    response = owner_client.get("/calendar", **GERMAN)
    body = page(response)
    assert '<html lang="en">' in body and "Content-Language" not in response


def test_a_german_booking_gets_german_emails_and_the_host_english_ones(client, link, frozen):
    response = client.post(
        link.public_path,
        {
            "start": "2026-11-25T10:00:00+01:00",
            "duration": "30",
            "timezone": "Europe/Berlin",
            "name": "Alice Attendee",
            "email": "alice@example.com",
        },
        **GERMAN,
    )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.language == "de"

    outbox.drain()

    sent = {m.to[0]: m for m in mail.outbox}
    german, host = sent["alice@example.com"], sent[link.owner.email]
    when = "Mittwoch, 25. November 2026, 10:00–10:30 (Europe/Berlin)"
    assert german.subject == f"Bestätigt: Intro call mit {booking.host.display_name} am {when}"
    assert german.body.startswith("Hallo Alice Attendee,\n\nIhr Termin ist gebucht.")
    assert f"Wann: {when}" in german.body
    assert "Sie können nicht? " + booking.cancel_url in german.body
    event = Calendar.from_ical(german.attachments[0][1]).walk("VEVENT")[0]
    assert f"Absagen: {booking.cancel_url}" in event["DESCRIPTION"]
    assert "Gebucht von Alice Attendee <alice@example.com>" in event["DESCRIPTION"]
    assert host.subject.startswith("New booking: Alice Attendee for Intro call on Wednesday")


def test_reminders_and_cancellations_follow_the_booking_language(client, link, frozen, booked):
    booking = booked(link, START, language="fr")
    outbox.drain()
    mail.outbox.clear()

    client.post(booking.cancel_url, {"reason": "Empêchement"})
    outbox.drain()

    sent = {m.to[0]: m for m in mail.outbox}
    assert sent["alice@example.com"].subject == (
        "Annulé : Intro call le mercredi 25 novembre 2026, 10:00–10:30 (Europe/Berlin)"
    )
    assert "Raison : Empêchement" in sent["alice@example.com"].body
    assert sent[link.owner.email].subject.startswith("Cancelled: Intro call on Wednesday")


def test_a_link_language_is_set_in_the_link_settings(owner_client, link):
    form = page(owner_client.get(edit_url(link)))
    assert "The attendee&#x27;s browser language" in form
    assert '<option value="ja">日本語</option>' in form

    owner_client.post(edit_url(link), form_data(title=link.title, slug=link.slug, language="it"))
    link.refresh_from_db()
    assert link.language == "it"

    refused = owner_client.post(edit_url(link), form_data(title=link.title, language="xx"))
    assert refused.status_code == 400
    link.refresh_from_db()
    assert link.language == "it"


def test_the_verification_code_email_speaks_the_booking_language(client, link, frozen):
    link.require_email_verification = True
    link.save()
    client.post(
        link.public_path,
        {
            "start": "2026-11-25T10:00:00+01:00",
            "duration": "30",
            "timezone": "Europe/Berlin",
            "name": "Alice Attendee",
            "email": "alice@example.com",
        },
        HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9",
    )
    outbox.drain()

    [email] = [m for m in mail.outbox if m.to == ["alice@example.com"]]
    assert email.subject.endswith(" es tu código para confirmar Intro call")
    assert "Cuándo: miércoles, 25 de noviembre de 2026, 10:00–10:30 (Europe/Berlin)" in email.body


def test_the_not_reconfirmed_email_speaks_the_booking_language(link, frozen, booked):
    booking = booked(link, START, language="nl")

    notifications.send_not_reconfirmed(OutboxMessage(payload={"booking_id": booking.pk}))

    [email] = mail.outbox[-1:]
    assert email.subject == "Je boeking is geannuleerd: Intro call"
    assert "op woensdag 25 november 2026 om 10:00 (Europe/Berlin)" in email.body


def test_a_host_asking_for_a_new_time_emails_a_german_attendee_in_german(
    owner_client, link, frozen, booked
):
    booking = booked(link, START, language="de")
    outbox.drain()
    mail.outbox.clear()

    owner_client.post(
        f"/calendar/bookings/{booking.pk}/ask-to-reschedule", {"note": "Mir kam etwas dazwischen."}
    )
    outbox.drain()

    [email] = mail.outbox
    when = "Mittwoch, 25. November 2026, 10:00–10:30 (Europe/Berlin)"
    assert email.subject == f"Bitte wählen Sie eine neue Uhrzeit: Intro call am {when}"
    assert email.body.startswith("Hallo Alice Attendee,\n\nOlga Owner bittet Sie, eine neue")
    assert "Nachricht: Mir kam etwas dazwischen." in email.body
    assert f"Gebucht für: {when}" in email.body
    assert f"Wählen Sie hier eine neue Uhrzeit: {booking.reschedule_url}" in email.body
    assert "bleibt der Termin zur obigen Zeit gebucht" in email.body


def test_the_public_api_answers_in_the_browsers_language(client, db):
    response = client.get(
        "/api/v1/public/links/no-such-link/slots?start=2026-11-23&end=2026-11-24"
        "&timezone=Europe/Berlin",
        **GERMAN,
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "Es gibt keinen Buchungslink mit diesem Kürzel."


def test_the_places_to_meet_are_named_in_the_attendees_language(client, link, frozen):
    link.locations = [
        {"kind": "in_person", "detail": "Hauptstraße 1, Berlin"},
        {"kind": "phone_host", "detail": ""},
    ]
    link.save()

    body = page(client.get(f"{link.public_path}?slot=2026-11-25T10:00:00%2B01:00", **GERMAN))

    assert "Vor Ort" in body and "Telefonat (wir rufen Sie an)" in body


def test_a_german_browser_gets_the_confirmation_in_german_and_a_language_menu(client, link, frozen):
    client.defaults.update(GERMAN)
    body = page(client.get(link.public_path))
    assert body.count('<select id="language-menu" name="lang">') == 1

    response = book(client, link)

    body = page(client.get(response["Location"]))
    assert "Ihr Termin ist gebucht" in body
    assert "Zu Ihrem Kalender hinzufügen" in body
    assert body.count('<select id="language-menu" name="lang">') == 1
