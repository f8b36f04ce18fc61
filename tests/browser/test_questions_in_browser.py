"""Pre-meeting questions in a real Chromium on a 390px phone: the attendee answers every kind
(a file included) after a refusal, and the host edits the questions and reads the answers;
every page accessible and without sideways scrolling."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings as django_settings
from django.test import Client

from booking.models import Booking
from booking.questions import Question
from tests.browser.axe import assert_accessible
from tests.browser.helpers import BROWSER_MARKS

pytestmark = BROWSER_MARKS

SLOT = "2026-11-24T10:00:00+01:00"
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
QUESTIONS = [
    Question(id=1, kind="short_text", label="Company", required=True, help_text="Legal name"),
    Question(id=2, kind="long_text", label="What should we prepare?"),
    Question(id=3, kind="dropdown", label="Team size", options=("1-10", "11-50")),
    Question(id=4, kind="radio", label="Plan", required=True, options=("Basic", "Pro")),
    Question(id=5, kind="checkboxes", label="Topics", options=("Pricing", "Support")),
    Question(id=6, kind="number", label="Seats", min_value=1, max_value=100),
    Question(id=7, kind="phone", label="Mobile"),
    Question(id=8, kind="email", label="Billing email"),
    Question(id=9, kind="url", label="Website"),
    Question(id=10, kind="date", label="Start date"),
    Question(id=11, kind="file", label="Brief", required=True, allowed_types=("pdf",)),
]


def assert_fits(page) -> None:
    width, scroll = page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
    assert scroll <= width, f"{page.url} is {scroll}px wide in a {width}px window"
    assert_accessible(page)


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    page.context.add_cookies(
        [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
    )


def test_an_attendee_answers_every_kind_after_a_refusal(
    live_server, page, link, frozen, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    link.questions = [q.to_dict() for q in QUESTIONS]
    link.save()
    page.set_viewport_size({"width": 390, "height": 844})

    query = urlencode({"tz": "Europe/Berlin", "slot": SLOT, "a1": "Acme", "a4": "Pro"})
    page.goto(f"{live_server.url}/book/intro?{query}")
    assert page.locator("#id_a1").input_value() == "Acme"
    assert page.locator("#id_a4_1").is_checked()
    assert_fits(page)

    page.fill("input[name=name]", "Ada Lovelace")
    page.fill("input[name=email]", "ada@example.com")
    page.fill("#id_a6", "500")
    # The browser refuses this itself; the server's refusal is what a script-less client meets.
    page.evaluate("document.getElementById('booking-form').noValidate = true")
    page.click("text=Confirm booking")
    page.wait_for_selector("#id_a6_error")
    assert "less than or equal to 100" in page.locator("#id_a6_error").inner_text()
    assert page.locator("#id_a6").get_attribute("aria-invalid") == "true"
    assert_fits(page)

    page.fill("#id_a2", "An agenda\nwith two lines")
    page.select_option("#id_a3", "11-50")
    page.check("#id_a5_1")
    page.fill("#id_a6", "12")
    page.fill("#id_a7", "+1 415 555 0100")
    page.fill("#id_a8", "billing@example.com")
    page.fill("#id_a9", "https://example.com")
    page.fill("#id_a10", "2027-01-15")
    page.set_input_files(
        "#id_a11", {"name": "brief.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.click("text=Confirm booking")

    page.wait_for_selector("text=You're booked")
    booking = Booking.objects.get()
    assert booking.answers == {
        "a1": "Acme",
        "a2": "An agenda\nwith two lines",
        "a3": "11-50",
        "a4": "Pro",
        "a5": "Support",
        "a6": "12",
        "a7": "+14155550100",
        "a8": "billing@example.com",
        "a9": "https://example.com",
        "a10": "2027-01-15",
        "a11": "brief.pdf",
    }
    assert (tmp_path / booking.answer_files["a11"]["key"]).read_bytes() == PDF


def test_the_host_edits_questions_and_reads_answers_on_a_phone(
    live_server, page, link, owner, frozen, booked
):
    from tests.booking.helpers import utc

    link.questions = [q.to_dict() for q in QUESTIONS[:5]]
    link.question_counter = 5
    link.save()
    booking = booked(link, utc(2026, 11, 24, 9), answers={"a1": "Acme", "a4": "Pro"})
    booking.answer_labels = [
        {"key": "a1", "label": "Company", "kind": "short_text"},
        {"key": "a4", "label": "Plan", "kind": "radio"},
    ]
    booking.save()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, owner)

    page.goto(f"{live_server.url}/settings/booking-links/{link.pk}#link-questions")
    assert_fits(page)
    page.click("text=Add a question")
    page.wait_for_url("**/questions/new")
    assert_fits(page)
    page.select_option("#id_kind", "dropdown")
    page.fill("#id_label", "Region")
    page.click("button:has-text('Add question')")
    page.wait_for_selector("#id_options_error, .field.invalid")
    assert "Give at least one option" in page.content()
    assert_fits(page)
    page.fill("#id_options", "EMEA\nAmericas")
    page.click("button:has-text('Add question')")
    page.wait_for_url("**#link-questions")
    page.click("#question-6 button:has-text('Move up')")
    page.wait_for_url("**#link-questions")

    link.refresh_from_db()
    assert [q["id"] for q in link.questions] == [1, 2, 3, 4, 6, 5]

    page.goto(f"{live_server.url}/calendar/bookings/{booking.pk}")
    assert page.locator("dl.answers").inner_text().split("\n")[:2] == ["Company", "Acme"]
    assert_fits(page)
