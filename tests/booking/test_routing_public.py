"""The public routing form ``/form/<id>``: validation, routing, prefill, honeypot, rate limit."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client, override_settings

from booking import routing
from booking.models import Destination, RoutingResponse
from tests.booking.routing_helpers import RoutingFormFactory, add_rule

pytestmark = pytest.mark.usefixtures("frozen")

VALID = {"name": "Ada Lovelace", "email": "ada@example.com", "a1": "120", "a2": "Sales"}


@pytest.fixture
def form(workspace, owner, link):
    form = RoutingFormFactory(workspace=workspace, owner=owner)
    add_rule(
        form,
        [{"question": 1, "op": "between", "min": None, "max": "10"}],
        message="Too small, sorry.",
    )
    add_rule(form, [{"question": 2, "op": "equals", "value": "Sales"}], link=link, label="Sales")
    add_rule(
        form,
        [{"question": 2, "op": "one_of", "values": ["Partnership"]}],
        url="https://partners.example.com/apply",
    )
    return form


def post(form, **changes):
    data = {**VALID, **changes}
    return Client().post(form.public_path, {k: v for k, v in data.items() if v is not None})


def test_the_page_asks_name_email_and_every_question(form):
    page = Client().get(form.public_path).content.decode()

    for label in [
        "Your name",
        "Your email",
        "Company size",
        "Topic",
        "Anything else?",
        "Interests",
    ]:
        assert label in page
    assert 'name="website_url"' in page and 'tabindex="-1"' in page and 'aria-hidden="true"' in page


def test_a_matching_rule_sends_the_visitor_to_the_link_with_their_answers(form, link):
    response = post(form, a3="Need SSO & SAML", a4=["API", "Security"])

    assert response.status_code == 303
    url = urlsplit(response["Location"])
    assert url.path == link.public_path
    query = parse_qs(url.query)
    assert query["name"] == ["Ada Lovelace"] and query["email"] == ["ada@example.com"]
    assert query["a1"] == ["120"] and query["a2"] == ["Sales"]
    assert query["a3"] == ["Need SSO & SAML"] and query["a4"] == ["API, Security"]
    stored = RoutingResponse.objects.get()
    assert stored.route_label == "Sales" and stored.link == link
    assert stored.answers == {
        "1": "120",
        "2": "Sales",
        "3": "Need SSO & SAML",
        "4": "API, Security",
    }
    assert routing.ticket_read(query["rr"][0], link_id=link.pk).response_id == stored.pk


def test_the_booking_page_carries_the_prefill_into_its_form(form, link):
    location = post(form, a3="Hello")["Location"]
    picker = Client().get(f"{location}&date=2026-11-24").content.decode()
    slot = re.search(r'<a class="slot" href="([^"#]+)', picker)[1].replace("&amp;", "&")

    page = Client().get(slot).content.decode()

    assert 'value="Ada Lovelace"' in page and 'value="ada@example.com"' in page
    assert 'name="a3" value="Hello"' in page and 'name="rr"' in page


def test_a_message_rule_shows_its_message(form):
    response = post(form, a1="3")

    assert response.status_code == 303
    assert "Too small, sorry." in Client().get(response["Location"]).content.decode()
    assert RoutingResponse.objects.get().destination == Destination.MESSAGE


def test_an_url_rule_redirects_there(form):
    response = post(form, a2="Partnership")

    assert response.status_code == 303
    assert response["Location"] == "https://partners.example.com/apply"


def test_no_matching_rule_takes_the_fallback(form):
    response = post(form, a2="Support")

    assert "We have your answers" in Client().get(response["Location"]).content.decode()
    assert RoutingResponse.objects.get().route_label == "Fallback"


def test_a_paused_destination_link_falls_back(form, link):
    link.is_active = False
    link.save()

    response = post(form)

    assert "We have your answers" in Client().get(response["Location"]).content.decode()


def test_a_filled_honeypot_looks_accepted_but_keeps_nothing(form):
    response = post(form, website_url="http://spam.example")

    assert response.status_code == 303
    assert "We have your answers" in Client().get(response["Location"]).content.decode()
    assert not RoutingResponse.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": None}, "Enter your name."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"a1": None}, "This field is required."),
        ({"a1": "lots"}, "Enter a number."),
        ({"a2": "Hacking"}, "Choose one of the offered options."),
        ({"a3": "x" * 201}, "at most 200 characters"),
        ({"name": "x" * 201}, "at most 200 characters"),
        ({"a1": "1e400"}, "no more than 18 digits"),
        ({"a1": "0"}, "greater than or equal to 1"),
        ({"email": "ada@example.com\nBcc: all@example.com"}, "Enter a valid email address."),
        ({"a3": "bad\x00byte"}, "Null characters are not allowed."),
        ({"a4": ["API", "<script>"]}, "Choose one of the offered options."),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_stored(form, changes, message):
    response = post(form, **changes)

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and 'aria-invalid="true"' in page
    assert not RoutingResponse.objects.exists()


def test_hostile_text_is_kept_as_text(form):
    post(form, a2="Support", a3="<script>alert(1)</script>")

    assert RoutingResponse.objects.get().answers["3"] == "<script>alert(1)</script>"


@override_settings(RATELIMIT_ROUTING_FORMS_PER_MINUTE=2)
def test_submissions_are_rate_limited_per_address(form):
    responses = [post(form) for _ in range(3)]

    assert [r.status_code for r in responses] == [303, 303, 429]
    page = responses[2].content.decode()
    assert "Too many attempts" in page and 'value="Ada Lovelace"' in page
    assert RoutingResponse.objects.count() == 2


def test_an_unknown_or_paused_form(form):
    assert Client().get("/form/0123456789abcdef0123456789abcdef").status_code == 404
    form.is_active = False
    form.save()
    assert Client().get(form.public_path).status_code == 410
    assert post(form).status_code == 410
    assert not RoutingResponse.objects.exists()


def test_a_forged_message_token_is_a_404(form):
    assert Client().get(f"{form.public_path}/sent?m=forged").status_code == 404


def test_answers_prefill_the_links_own_questions_with_the_same_ids(form, link):
    link.questions = [
        {"id": 2, "kind": "dropdown", "label": "What about?", "options": ["Sales", "Support"]},
        {"id": 4, "kind": "checkboxes", "label": "Interests", "options": ["API", "Security"]},
    ]
    link.save()
    location = post(form, a4=["API", "Security"])["Location"]
    picker = Client().get(f"{location}&date=2026-11-24").content.decode()
    slot = re.search(r'<a class="slot" href="([^"#]+)', picker)[1].replace("&amp;", "&")

    page = Client().get(slot).content.decode()

    assert re.search(r'<option value="Sales" selected>', page)
    assert len(re.findall(r'name="a4" value="(API|Security)"[^>]*checked', page)) == 2


def test_an_answer_too_long_for_an_address_stays_on_the_response_only(form, link):
    form.questions = [*form.questions, {"id": 5, "kind": "long_text", "label": "Tell us more"}]
    form.save()

    location = post(form, a3="short", a5="ü" * 2000)["Location"]

    assert len(location) <= 3500
    query = parse_qs(urlsplit(location).query)
    assert query["a3"] == ["short"] and "a5" not in query and "rr" in query
    assert RoutingResponse.objects.get().answers["5"] == "ü" * 2000


def test_the_form_speaks_the_visitors_language(form):
    page = Client().get(form.public_path, HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert "Ihr Name" in page and "Weiter" in page
