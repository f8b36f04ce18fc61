"""The "Questions" section of the link editor: add, edit, remove and reorder a link's
pre-meeting questions. Plain forms and redirects back to the editor; no script needed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from booking import selectors, services
from booking.answers import link_questions
from booking.models import BookingLink
from booking.questions import MAX_QUESTIONS, Question, QuestionDefinitionForm, too_many_message
from workestra.tenancy import AuthedRequest, workspace_required


def _section(link: BookingLink) -> str:
    return reverse("booking:link-edit", args=[link.pk]) + "#link-questions"


@workspace_required
@require_http_methods(["GET", "POST"])
def question_add(request: AuthedRequest, pk: int) -> HttpResponse:
    link = selectors.link_get_for_user(request.membership, pk, write=True)
    form = QuestionDefinitionForm(request.POST or None)
    full = len(link_questions(link.questions)) >= MAX_QUESTIONS
    if request.method == "POST" and not full and form.is_valid():
        try:
            question = services.link_question_add(link=link, form=form)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Added “{question.label}”.")
            return redirect(_section(link))
    return _page(request, link, form, question=None, full=full)


@workspace_required
@require_http_methods(["GET", "POST"])
def question_edit(request: AuthedRequest, pk: int, question_id: int) -> HttpResponse:
    link = selectors.link_get_for_user(request.membership, pk, write=True)
    question = _question(link, question_id)
    form = QuestionDefinitionForm(
        request.POST or None, initial=QuestionDefinitionForm.initial_for(question)
    )
    if request.method == "POST" and form.is_valid():
        question = services.link_question_update(link=link, question_id=question_id, form=form)
        messages.success(request, f"Saved “{question.label}”.")
        return redirect(_section(link))
    return _page(request, link, form, question=question)


@workspace_required
@require_POST
def question_remove(request: AuthedRequest, pk: int, question_id: int) -> HttpResponse:
    link = selectors.link_get_for_user(request.membership, pk, write=True)
    question = services.link_question_remove(link=link, question_id=question_id)
    messages.success(
        request,
        f"Removed “{question.label}”. Answers already given keep it.",
    )
    return redirect(_section(link))


@workspace_required
@require_POST
def question_move(request: AuthedRequest, pk: int, question_id: int) -> HttpResponse:
    link = selectors.link_get_for_user(request.membership, pk, write=True)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        messages.error(request, "Choose to move the question up or down.")
        return redirect(_section(link))
    services.link_question_move(link=link, question_id=question_id, up=direction == "up")
    return redirect(_section(link))


def _question(link: BookingLink, question_id: int) -> Question:
    for question in link_questions(link.questions):
        if question.id == question_id:
            return question
    raise Http404("No such question on this link.")


def _page(
    request: AuthedRequest,
    link: BookingLink,
    form: QuestionDefinitionForm,
    *,
    question: Question | None,
    full: bool = False,
) -> HttpResponse:
    context = {
        "link": link,
        "form": form,
        "question": question,
        "full_message": too_many_message() if full else "",
    }
    status = 400 if form.is_bound and (full or form.errors) else 200
    return render(request, "booking/links/question.html", context, status=status)
