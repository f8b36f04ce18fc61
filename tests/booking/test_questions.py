"""Question kinds: how each is defined, asked, checked and stored (booking/questions.py)."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from booking.file_types import sniff
from booking.questions import (
    MAX_QUESTIONS,
    Question,
    QuestionDefinitionForm,
    answer_text,
    form_field,
    parse_questions,
)

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"


def ask(question: Question, data: dict, files: dict | None = None) -> forms.Form:
    form_class = type("Asked", (forms.Form,), {question.key: form_field(question)})
    form = form_class(data, files or {})
    form.is_valid()
    return form


def answered(question: Question, value, files=None) -> str:
    form = ask(question, {question.key: value} if value is not None else {}, files)
    assert form.is_valid(), form.errors
    return answer_text(question, form.cleaned_data[question.key])


def refusal(question: Question, value, files=None) -> str:
    form = ask(question, {question.key: value} if value is not None else {}, files)
    assert not form.is_valid()
    return " ".join(form.errors[question.key])


def office(member: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(member, "<x/>")
    return buffer.getvalue()


# --- Definitions ------------------------------------------------------------------------------


def test_a_definition_list_round_trips_through_its_dicts():
    questions = [
        Question(id=1, kind="dropdown", label="Team size", options=("1-10", "11-50")),
        Question(id=4, kind="number", label="Seats", required=True, min_value=1, max_value=9),
        Question(id=7, kind="file", label="Brief", max_bytes=2_000_000, allowed_types=("pdf",)),
    ]

    assert parse_questions([q.to_dict() for q in questions]) == questions
    assert [q.key for q in questions] == ["a1", "a4", "a7"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([{"id": 1, "kind": "essay", "label": "X"}], "Choose a kind of question"),
        ([{"id": 1, "kind": "short_text", "label": "  "}], "Give the question a label."),
        ([{"id": 1, "kind": "short_text", "label": "x" * 201}], "Keep the label to 200"),
        ([{"id": 1, "kind": "radio", "label": "X", "options": []}], "at least one option"),
        ([{"id": 1, "kind": "radio", "label": "X", "options": ["a", "A"]}], "must be different"),
        ([{"id": 1, "kind": "radio", "label": "X", "options": ["a"] * 51}], "at most 50 options"),
        ([{"id": 1, "kind": "number", "label": "X", "min": 5, "max": 2}], "not be above"),
        ([{"id": 1, "kind": "email", "label": "X", "min": 1}], "Only text and number"),
        ([{"id": 1, "kind": "file", "label": "X", "max_bytes": 10**9}], "at most 25 MB"),
        ([{"id": 1, "kind": "file", "label": "X", "allowed_types": ["exe"]}], "Unknown file"),
        ([{"id": 0, "kind": "short_text", "label": "X"}], "whole number from 1"),
        ([{"id": "1", "kind": "short_text", "label": "X"}], "must be a whole number"),
        ([{"id": 1, "kind": "short_text", "label": "X", "required": "yes"}], "true or false"),
        ([{"id": 1, "kind": "short_text", "label": "X"}] * 2, "same id"),
        ([{"id": n, "kind": "short_text", "label": "X"} for n in range(1, 32)], "at most 30"),
        ({"id": 1}, "must be a list"),
        (["a question"], "must be an object"),
    ],
)
def test_a_bad_definition_list_is_refused_with_a_reason(raw, message):
    with pytest.raises(ValidationError) as caught:
        parse_questions(raw)

    assert message in " ".join(caught.value.messages)


def test_the_definition_form_builds_a_question_with_its_options_one_per_line():
    form = QuestionDefinitionForm(
        {"kind": "checkboxes", "label": " Topics ", "options": "Pricing\n\n Support \n"}
    )

    assert form.is_valid(), form.errors
    assert form.question(12) == Question(
        id=12, kind="checkboxes", label="Topics", options=("Pricing", "Support")
    )


def test_the_definition_form_drops_settings_the_kind_does_not_use():
    form = QuestionDefinitionForm(
        {"kind": "email", "label": "Work email", "options": "a\nb", "min_value": "3"}
    )

    assert form.is_valid(), form.errors
    assert form.question(3) == Question(id=3, kind="email", label="Work email")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "radio", "label": "Pick"}, "options", "at least one option"),
        ({"kind": "short_text", "label": "X", "min_value": "9", "max_value": "2"}, "min_value", ""),
        ({"kind": "long_text", "label": "X", "max_value": "9000"}, "min_value", "0 to 5000"),
        ({"kind": "file", "label": "X", "max_megabytes": "26"}, "max_megabytes", "25"),
        ({"kind": "short_text", "label": ""}, "label", "required"),
    ],
)
def test_the_definition_form_says_what_is_wrong(data, field, message):
    form = QuestionDefinitionForm(data)

    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


def test_editing_starts_from_the_question_as_stored():
    question = Question(id=2, kind="radio", label="Plan", required=True, options=("A", "B"))

    form = QuestionDefinitionForm(QuestionDefinitionForm.initial_for(question))

    assert form.is_valid(), form.errors
    assert form.question(2) == question


# --- Answers: each kind -------------------------------------------------------------------------


def test_text_answers_are_trimmed_and_held_to_their_lengths():
    short = Question(id=1, kind="short_text", label="Company", min_value=2, max_value=10)

    assert answered(short, "  Acme  ") == "Acme"
    assert "at least 2" in refusal(short, "A")
    assert "at most 10" in refusal(short, "A" * 11)
    assert "at most 5000" in refusal(Question(id=2, kind="long_text", label="X"), "x" * 5001)


def test_line_breaks_are_kept_as_newlines():
    question = Question(id=1, kind="long_text", label="Agenda")

    assert answered(question, "one\r\ntwo\rthree") == "one\ntwo\nthree"


def test_html_is_kept_as_inert_text():
    question = Question(id=1, kind="long_text", label="Notes")

    assert answered(question, "<script>alert(1)</script>") == "<script>alert(1)</script>"


def test_nul_bytes_are_refused():
    assert "Null characters" in refusal(Question(id=1, kind="short_text", label="X"), "a\x00b")


def test_a_required_question_needs_an_answer_and_an_optional_one_may_be_empty():
    required = Question(id=1, kind="short_text", label="Company", required=True)

    assert "required" in refusal(required, "   ")
    assert answered(Question(id=2, kind="short_text", label="X"), "") == ""


def test_choices_must_be_among_the_options():
    dropdown = Question(id=1, kind="dropdown", label="Plan", options=("Basic", "Pro"))
    radio = Question(id=2, kind="radio", label="Plan", options=("Basic", "Pro"), required=True)
    boxes = Question(id=3, kind="checkboxes", label="Topics", options=("A, B", "C"), required=True)

    assert answered(dropdown, "Pro") == "Pro"
    assert "Choose one of the offered options." in refusal(dropdown, "Enterprise")
    assert "required" in refusal(radio, None)
    assert answered(boxes, ["A, B", "C"]) == "A, B, C"
    assert "Choose at least one option." in refusal(boxes, [])
    assert "Choose one of the offered options." in refusal(boxes, ["C", "D"])


def test_numbers_are_checked_against_their_range():
    question = Question(id=1, kind="number", label="Seats", min_value=1, max_value=500)

    assert answered(question, "12.50") == "12.5"
    assert answered(question, "7") == "7"
    assert "greater than or equal to 1" in refusal(question, "0")
    assert "less than or equal to 500" in refusal(question, "501")
    assert "Enter a number." in refusal(question, "twelve")
    assert "Enter a number." in refusal(question, "NaN")
    assert "no more than 18 digits" in refusal(question, "1" * 40)


def test_phone_numbers_are_kept_in_e164():
    question = Question(id=1, kind="phone", label="Mobile")

    assert answered(question, "+1 (415) 555-0100") == "+14155550100"
    assert "country code" in refusal(question, "555-0100")
    assert "country code" in refusal(question, "+1 000")


def test_emails_urls_and_dates_are_checked():
    assert answered(Question(id=1, kind="email", label="E"), "a@example.com") == "a@example.com"
    assert "valid email" in refusal(Question(id=1, kind="email", label="E"), "not-an-email")
    url = Question(id=2, kind="url", label="Site")
    assert answered(url, "example.com/about") == "https://example.com/about"
    assert "valid URL" in refusal(url, "javascript:alert(1)")
    day = Question(id=3, kind="date", label="Start")
    assert answered(day, "2027-01-31") == "2027-01-31"
    assert "YYYY-MM-DD" in refusal(day, "31/01/2027")
    assert "between 1900-01-01" in refusal(day, "0001-01-01")


def test_answer_text_formats_cleaned_values():
    assert answer_text(Question(id=1, kind="number", label="N"), Decimal("3.000")) == "3"
    assert answer_text(Question(id=1, kind="date", label="D"), date(2027, 1, 2)) == "2027-01-02"
    assert answer_text(Question(id=1, kind="short_text", label="T"), None) == ""


def test_each_field_carries_its_label_help_and_required_flag():
    question = Question(
        id=5, kind="radio", label="Plan", help_text="Pick one", required=True, options=("A",)
    )

    html = str(ask(question, {})["a5"])

    field = form_field(question)
    assert (field.label, field.help_text, field.required) == ("Plan", "Pick one", True)
    assert 'type="radio"' in html and 'name="a5"' in html


# --- Files -------------------------------------------------------------------------------------


def upload(content: bytes, name: str = "brief.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type)


def test_a_pdf_is_accepted_and_answered_with_its_cleaned_name():
    question = Question(id=1, kind="file", label="Brief", required=True)

    text = answered(question, None, {"a1": upload(PDF, name="../../etc/Brief\x07 2026.pdf")})

    assert text == "Brief 2026.pdf"


@pytest.mark.parametrize("content", [ELF, MZ, b"#!/bin/sh\nrm -rf /\n"])
def test_a_program_named_like_a_pdf_is_refused(content):
    question = Question(id=1, kind="file", label="Brief")

    message = refusal(question, None, {"a1": upload(content)})

    assert "not one of the accepted types" in message


def test_a_file_is_refused_when_its_content_is_not_an_allowed_type():
    question = Question(id=1, kind="file", label="Photo", allowed_types=("png", "jpeg"))

    message = refusal(question, None, {"a1": upload(PDF, name="photo.png")})

    assert "PNG image, JPEG image" in message


def test_a_file_over_its_limit_is_refused():
    question = Question(id=1, kind="file", label="Brief", max_bytes=1024 * 1024)

    message = refusal(question, None, {"a1": upload(PDF + b"0" * 1024 * 1024)})

    assert "larger than 1 MB" in message


def test_an_empty_file_is_refused_and_a_required_file_must_come():
    question = Question(id=1, kind="file", label="Brief", required=True)

    assert "empty" in refusal(question, None, {"a1": upload(b"")})
    assert "required" in refusal(question, None, {})


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (PDF, "pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "jpeg"),
        (b"GIF89a" + b"\x00" * 20, "gif"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "webp"),
        ("Grüße, notes\n".encode(), "text"),
        (office("word/document.xml"), "docx"),
        (office("xl/workbook.xml"), "xlsx"),
        (office("secret.exe"), None),
        (b"PK\x03\x04 not a zip at all", None),
        (b"\xff\xfe\x00\x00binary", None),
        (ELF, None),
    ],
)
def test_file_types_are_read_from_the_content(content, kind):
    assert sniff(io.BytesIO(content)) == kind


def test_limits_are_named_in_one_place():
    assert MAX_QUESTIONS == 30
