"""A link's questions on its booking page and in the API: asked, pre-filled, checked, and the
answers kept with the booking under the labels they were asked with."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.core import mail

from booking import services
from booking.automation import booking_payload
from booking.models import Booking
from booking.questions import Question, QuestionDefinitionForm
from booking.variables import booking_variables
from tests.conftest import login
from workflows import outbox

START = "2026-11-24T10:00:00+01:00"
BOOKINGS = "/api/v1/public/links/intro/bookings"
QUESTIONS = [
    Question(id=1, kind="short_text", label="Company", required=True, help_text="Legal name"),
    Question(id=2, kind="dropdown", label="Team size", options=("1-10", "11-50")),
    Question(id=3, kind="checkboxes", label="Topics", options=("Pricing", "Support", "A, B")),
    Question(id=5, kind="number", label="Seats", min_value=1, max_value=100),
]


@pytest.fixture
def asking(link):
    link.questions = [q.to_dict() for q in QUESTIONS]
    link.question_counter = 5
    link.save()
    return link


def form_book(client, **answers):
    data = {
        "start": START,
        "timezone": "Europe/Berlin",
        "name": "Alice",
        "email": "alice@example.com",
        **answers,
    }
    return client.post("/book/intro", data)


def api_book(client, answers):
    payload = {
        "start": START,
        "timezone": "Europe/Berlin",
        "name": "Alice",
        "email": "alice@example.com",
        "answers": answers,
    }
    return client.post(BOOKINGS, json.dumps(payload), content_type="application/json")


def booking_form(response) -> str:
    return response.content.decode().split('id="booking-form"')[1].split("</form>")[0]


# --- The page ---------------------------------------------------------------------------------


def test_the_page_asks_each_question_with_its_label_help_and_choices(client, asking, frozen):
    response = client.get("/book/intro", {"tz": "Europe/Berlin", "slot": START})

    form = booking_form(response)
    assert '<label for="id_a1">Company *</label>' in form
    assert 'aria-describedby="id_a1_helptext"' in form and "Legal name" in form
    assert '<option value="11-50">11-50</option>' in form
    assert "<legend>Topics</legend>" in form and 'type="checkbox" name="a3"' in form
    assert 'type="number" name="a5"' in form and 'min="1"' in form
    assert "multipart/form-data" not in form


def test_answers_are_prefilled_from_a_id_parameters(client, asking, frozen):
    query = {
        "tz": "Europe/Berlin",
        "slot": START,
        "a1": "Acme",
        "a2": "11-50",
        "a3": ["Pricing", "A, B"],
        "a9": "free",
    }
    response = client.get("/book/intro", query)

    form = booking_form(response)
    assert 'name="a1" value="Acme"' in form
    assert '<option value="11-50" selected>' in form
    assert 'value="Pricing" id="id_a3_0" checked' in form
    assert 'value="A, B" id="id_a3_2" checked' in form
    # An answer to no question of this link still travels along, hidden, as before.
    assert '<input type="hidden" name="a9" value="free">' in form
    assert form.count('name="a1"') == 1


def test_a_comma_separated_prefill_ticks_several_boxes(client, asking, frozen):
    response = client.get("/book/intro", {"slot": START, "a3": "Pricing,Support"})

    form = booking_form(response)
    assert 'value="Pricing" id="id_a3_0" checked' in form
    assert 'value="Support" id="id_a3_1" checked' in form


def test_a_booking_keeps_its_answers_and_the_labels_they_were_asked_with(client, asking, frozen):
    response = client.post(
        "/book/intro",
        {
            "start": START,
            "timezone": "Europe/Berlin",
            "name": "Alice",
            "email": "alice@example.com",
            "a1": "Acme <b>Corp</b>",
            "a2": "11-50",
            "a3": ["Pricing", "Support"],
            "a5": "12",
            "a9": "from a routing form",
        },
    )

    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.answers == {
        "a1": "Acme <b>Corp</b>",
        "a2": "11-50",
        "a3": "Pricing, Support",
        "a5": "12",
        "a9": "from a routing form",
    }
    assert booking.answer_labels == [
        {"key": "a1", "label": "Company", "kind": "short_text"},
        {"key": "a2", "label": "Team size", "kind": "dropdown"},
        {"key": "a3", "label": "Topics", "kind": "checkboxes"},
        {"key": "a5", "label": "Seats", "kind": "number"},
    ]


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({}, "a1", "This field is required."),
        ({"a1": "Acme", "a2": "500+"}, "a2", "Choose one of the offered options."),
        ({"a1": "Acme", "a3": "Sales"}, "a3", "Choose one of the offered options."),
        ({"a1": "Acme", "a5": "0"}, "a5", "greater than or equal to 1"),
        ({"a1": "Acme", "a5": "many"}, "a5", "Enter a number."),
        ({"a1": "x" * 501}, "a1", "at most 500 characters"),
    ],
)
def test_a_wrong_answer_is_refused_on_the_page_with_nothing_booked(
    client, asking, frozen, answers, field, message
):
    response = form_book(client, **answers)

    assert response.status_code == 400
    form = booking_form(response)
    error = form.split(f'id="id_{field}_error">')[1].split("</p>")[0]
    assert message in error
    assert 'aria-invalid="true"' in form and f'aria-describedby="id_{field}_error' in form
    assert not Booking.objects.exists()


def test_a_nul_byte_in_an_answer_is_refused(client, asking, frozen):
    response = form_book(client, a1="Acme\x00")

    assert response.status_code == 400
    assert not Booking.objects.exists()


def test_the_host_sees_the_answers_on_the_booking_page_with_html_inert(client, asking, frozen):
    form_book(client, a1="<script>alert(1)</script>", a2="1-10")
    booking = Booking.objects.get()

    page = login(asking.owner).get(f"/calendar/bookings/{booking.pk}").content.decode()

    assert "<dt>Company</dt><dd>&lt;script&gt;alert(1)&lt;/script&gt;</dd>" in page
    assert "<dt>Team size</dt><dd>1-10</dd>" in page


def test_the_host_email_webhook_and_variables_carry_the_answers(client, asking, frozen):
    form_book(client, a1="Acme", a3=["Support"], a9="free")
    booking = Booking.objects.get()

    outbox.drain()
    to_host = next(m for m in mail.outbox if m.to == ["owner@acme.test"])
    assert "Company: Acme\nTopics: Support\na9: free" in to_host.body

    payload = booking_payload(booking)
    assert payload["answers"] == {"a1": "Acme", "a3": "Support", "a9": "free"}
    assert payload["answer_details"][:2] == [
        {"key": "a1", "label": "Company", "text": "Acme", "file": False},
        {"key": "a3", "label": "Topics", "text": "Support", "file": False},
    ]
    variables = booking_variables(booking)
    assert variables["answer_1"] == variables["answer_a1"] == "Acme"
    assert variables["answer_9"] == "free"


def test_editing_or_removing_a_question_never_relabels_old_answers(client, asking, frozen):
    form_book(client, a1="Acme", a2="1-10")
    booking = Booking.objects.get()
    form = QuestionDefinitionForm({"kind": "short_text", "label": "Employer"})
    assert form.is_valid()
    services.link_question_update(link=asking, question_id=1, form=form)
    services.link_question_remove(link=asking, question_id=2)

    page = login(asking.owner).get(f"/calendar/bookings/{booking.pk}").content.decode()

    assert "<dt>Company</dt><dd>Acme</dd>" in page
    assert "<dt>Team size</dt><dd>1-10</dd>" in page
    assert "Employer" not in page


def test_old_bookings_without_labels_show_their_answers_by_key(owner, link, booked, frozen):
    from tests.booking.helpers import utc

    booking = booked(link, utc(2026, 11, 24, 9), answers={"a2": "x", "a10": "y"})

    page = login(owner).get(f"/calendar/bookings/{booking.pk}").content.decode()

    assert page.index("<dt>a2</dt><dd>x</dd>") < page.index("<dt>a10</dt><dd>y</dd>")


def test_the_instant_page_asks_the_questions_too(client, asking, frozen):
    asking.kind = asking.Kind.INSTANT
    asking.save()

    response = client.post(
        "/book/intro", {"timezone": "Europe/Berlin", "name": "Al", "email": "al@example.com"}
    )

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Booking.objects.exists()


# --- The API ----------------------------------------------------------------------------------


def test_the_link_detail_lists_its_questions(client, asking):
    asking.questions = [*asking.questions, {"id": 6, "kind": "file", "label": "Brief"}]
    asking.save()

    body = client.get("/api/v1/public/links/intro").json()

    assert body["title"] == "Intro call" and body["durations"] == [30]
    assert body["questions"][0] == {
        "id": 1,
        "key": "a1",
        "kind": "short_text",
        "label": "Company",
        "help_text": "Legal name",
        "required": True,
    }
    assert body["questions"][2]["options"] == ["Pricing", "Support", "A, B"]
    assert body["questions"][4]["max_bytes"] == 10 * 1024 * 1024
    assert "pdf" in body["questions"][4]["allowed_types"]


def test_the_api_books_with_valid_answers(client, asking, frozen):
    response = api_book(client, {"a1": "Acme", "a3": ["Pricing", "A, B"], "a5": 7})

    assert response.status_code == 201, response.json()
    booking = Booking.objects.get()
    assert booking.answers == {"a1": "Acme", "a3": "Pricing, A, B", "a5": "7"}
    assert [item["label"] for item in booking.answer_labels] == ["Company", "Topics", "Seats"]


def test_the_api_refuses_wrong_answers_with_a_message_per_field(client, asking, frozen):
    response = api_book(client, {"a2": "500+", "a5": 1000})

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["a1"] == ["This field is required."]
    assert errors["a2"] == ["Choose one of the offered options."]
    assert "less than or equal to 100" in errors["a5"][0]
    assert not Booking.objects.exists()


def test_the_api_sends_file_questions_to_the_page(client, asking, frozen):
    asking.questions = [*asking.questions, {"id": 6, "kind": "file", "label": "Brief"}]
    asking.save()

    response = api_book(client, {"a1": "Acme", "a6": "brief.pdf"})

    assert response.status_code == 422
    message = response.json()["errors"]["a6"][0]
    assert message.startswith("This link asks for a file; book on its page: ")
    assert message.endswith("/book/intro")
    assert not Booking.objects.exists()


def test_after_a_refusal_the_other_times_keep_the_answers_given(client, asking, frozen):
    response = form_book(client, a1="Acme", a3=["Pricing", "Support"], a5="0")

    assert response.status_code == 400
    slot_link = re.search(r'<a class="slot[^"]*" href="([^"]+)"', response.content.decode())
    assert slot_link
    page = client.get(html.unescape(slot_link.group(1)))
    form = booking_form(page)
    assert 'name="a1" value="Acme"' in form
    assert 'value="Support" id="id_a3_1" checked' in form


def test_the_bookings_csv_lists_the_answers_under_their_labels(client, asking, frozen):
    import csv
    import io

    form_book(client, a1="=Acme", a3=["Pricing", "Support"], a9="free")

    response = login(asking.owner).get("/calendar/bookings/export.csv", {"status": "all"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][-1] == "Answers"
    assert rows[1][-1] == "Company: =Acme\nTopics: Pricing, Support\na9: free"


def test_an_attendee_reads_the_answer_checks_in_the_links_language(client, asking, frozen):
    asking.language = "de"
    asking.save()

    response = form_book(client, a1="Acme", a2="500+", a3=["Nope"])

    body = response.content.decode()
    assert "Wählen Sie eine der angebotenen Optionen." in body
    assert "Bitte wählen…" in body
