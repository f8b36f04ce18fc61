"""Writes of a link's pre-meeting questions: add, change, remove, reorder.

Each locks the link's row, so two editors never lose each other's change, and ids come from the
link's counter: a removed question's id (its ``a<id>``) is never given to a new one.
Answers already given are untouched: each booking keeps the labels it was asked with.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from booking.answers import link_questions
from booking.models import BookingLink
from booking.questions import MAX_QUESTIONS, Question, QuestionDefinitionForm, too_many_message


def link_question_add(*, link: BookingLink, form: QuestionDefinitionForm) -> Question:
    """Append the question ``form`` defines; ``ValidationError`` when the link has the most."""

    def change(questions: list[Question], row: BookingLink) -> Question:
        if len(questions) >= MAX_QUESTIONS:
            raise ValidationError(too_many_message(), code="too_many")
        row.question_counter += 1
        question = form.question(row.question_counter)
        questions.append(question)
        return question

    return _edit(link, change)


def link_question_update(
    *, link: BookingLink, question_id: int, form: QuestionDefinitionForm
) -> Question:
    """Replace a question's definition, keeping its id and place."""

    def change(questions: list[Question], row: BookingLink) -> Question:
        index = _index(questions, question_id)
        questions[index] = form.question(question_id)
        return questions[index]

    return _edit(link, change)


def link_question_remove(*, link: BookingLink, question_id: int) -> Question:
    def change(questions: list[Question], row: BookingLink) -> Question:
        return questions.pop(_index(questions, question_id))

    return _edit(link, change)


def link_question_move(*, link: BookingLink, question_id: int, up: bool) -> Question:
    """One place up or down; at either end it stays."""

    def change(questions: list[Question], row: BookingLink) -> Question:
        index = _index(questions, question_id)
        other = index - 1 if up else index + 1
        if 0 <= other < len(questions):
            questions[index], questions[other] = questions[other], questions[index]
        return questions[other if 0 <= other < len(questions) else index]

    return _edit(link, change)


def _index(questions: list[Question], question_id: int) -> int:
    for index, question in enumerate(questions):
        if question.id == question_id:
            return index
    raise Http404("No such question on this link.")


def _edit(link: BookingLink, change: Callable[[list[Question], BookingLink], Question]) -> Question:
    with transaction.atomic():
        row = BookingLink.objects.select_for_update().get(pk=link.pk)
        questions = link_questions(row.questions)
        # Ids stored before the counter existed (or written elsewhere) stay out of its way.
        row.question_counter = max([row.question_counter, *(q.id for q in questions)])
        result = change(questions, row)
        row.questions = [q.to_dict() for q in questions]
        row.save(update_fields=["questions", "question_counter", "updated_at"])
    link.questions, link.question_counter = row.questions, row.question_counter
    return result
