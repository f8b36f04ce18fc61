"""The link's questions as fields of the booking request form (page and API alike), their
``a<id>`` prefill from the URL, and the answers they clean into."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict

from booking.answers import labels_snapshot, link_questions
from booking.models import BookingLink
from booking.questions import Kind, Question, answer_text, form_field


def add_question_fields(form: forms.Form, link: BookingLink) -> list[Question]:
    """Add one field per question of ``link``, named ``a<id>``; the questions, in order."""
    questions = link_questions(link.questions)
    for question in questions:
        form.fields[question.key] = form_field(question)
    return questions


def describe_errors(form: forms.Form, questions: list[Question]) -> None:
    """Point each refused answer's input at its message (and its help) for screen readers."""
    for question in questions:
        if question.key not in form.errors:
            continue
        widget = form.fields[question.key].widget
        ids = [f"id_{question.key}_error"]
        if question.help_text:
            ids.append(f"id_{question.key}_helptext")
        widget.attrs["aria-describedby"] = " ".join(ids)


def cleaned_answers(
    form: forms.Form, questions: list[Question], free: dict[str, str]
) -> dict[str, Any]:
    """From a valid form: ``answers`` (a<id> -> text; ``free`` values without a question of this
    link are kept as before), the ``answer_labels`` snapshot and the ``uploads`` to store."""
    data = form.cleaned_data
    asked = {q.key for q in questions}
    answers = {k: v for k, v in free.items() if k not in asked}
    uploads: dict[str, UploadedFile] = {}
    for question in questions:
        value = data.get(question.key)
        text = answer_text(question, value)
        if not text:
            continue
        answers[question.key] = text
        if question.kind == Kind.FILE and isinstance(value, UploadedFile):
            uploads[question.key] = value
    return {
        "answers": answers,
        "answer_labels": labels_snapshot(questions, answers),
        "uploads": uploads,
    }


def prefill(link: BookingLink, query: QueryDict) -> dict[str, Any]:
    """Initial values for the link's questions from ``a<id>`` URL parameters. Checkbox answers
    come as repeated parameters or one comma-separated value; files are never pre-filled."""
    initial: dict[str, Any] = {}
    for question in link_questions(link.questions):
        values = [v[:5000] for v in query.getlist(question.key) if "\x00" not in v]
        if not values or question.kind == Kind.FILE:
            continue
        if question.kind == Kind.CHECKBOXES:
            if len(values) == 1 and values[0] not in question.options:
                values = [v.strip() for v in values[0].split(",")]
            initial[question.key] = [v for v in values if v in question.options]
        else:
            initial[question.key] = values[0]
    return initial


def question_keys(link: BookingLink) -> set[str]:
    return {q.key for q in link_questions(link.questions)}
