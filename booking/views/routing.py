"""Routing forms on the calendar dashboard: ``/calendar/routing-forms``.

The list (with a create form), the editor (settings, questions, rules, fallback; every button
is a plain POST, so no JavaScript is needed) and the responses with their CSV export.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from booking import routing, routing_csv, selectors
from booking.models import BookingLink, RoutingForm, RoutingResponse, RoutingRule
from booking.questions import Kind, QuestionDefinitionForm
from booking.routing_forms import NewForm, ResponseFilterForm, RuleForm, SettingsForm
from booking.services import routing_edit as services
from booking.services.routing import RoutingError, form_questions
from integrations import owner_lookup
from workestra.tenancy import AuthedRequest, workspace_required

TAB = "routing-forms"
CRM_NAMES = {"hubspot": "HubSpot", "salesforce": "Salesforce"}
PAGE_SIZE = 100


@workspace_required
@require_http_methods(["GET", "POST"])
def form_list(request: AuthedRequest) -> HttpResponse:
    new = NewForm(request.POST or None)
    if request.method == "POST" and new.is_valid():
        form = services.routing_form_create(
            workspace=request.workspace, owner=request.user, name=new.cleaned_data["name"]
        )
        messages.success(request, f"Created “{form.name}”. Add its questions and rules below.")
        return redirect("booking:routing-edit", pk=form.pk)
    context = {
        "calendar_tab": TAB,
        "forms": selectors.routing_forms_of(request.workspace.pk),
        "new": new,
    }
    return render(request, "booking/routing/list.html", context, status=400 if new.errors else 200)


def _editor(
    request: AuthedRequest,
    form: RoutingForm,
    *,
    settings: SettingsForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    questions = form_questions(form)
    labels = {q.id: q.label for q in questions}
    rules = list(form.rules.select_related("link"))
    context = {
        "calendar_tab": TAB,
        "form": form,
        "settings": settings or SettingsForm(instance=form),
        "questions": [{"q": q, "kind": Kind(q.kind).label} for q in questions],
        "rules": [
            {"rule": r, "conditions": [routing.describe(c, labels) for c in r.conditions]}
            for r in rules
            if not r.is_fallback
        ],
        "fallback": next((r for r in rules if r.is_fallback), None),
        "round_robin": any(
            r.link is not None and r.link.kind == BookingLink.Kind.ROUND_ROBIN for r in rules
        ),
        "crms": [CRM_NAMES.get(p, p) for p in owner_lookup.connected_providers(form.workspace_id)],
        "error": error,
    }
    return render(request, "booking/routing/edit.html", context, status=status)


@workspace_required
@require_http_methods(["GET", "POST"])
def form_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    form = selectors.routing_form_get_for_user(
        request.membership, pk, write=request.method == "POST"
    )
    if request.method == "GET":
        return _editor(request, form)
    settings = SettingsForm(request.POST, instance=RoutingForm.objects.get(pk=form.pk))
    if not settings.is_valid():
        return _editor(request, form, settings=settings, status=400)
    data = settings.cleaned_data
    services.routing_form_update(
        form=form, name=data["name"], description=data["description"], is_active=data["is_active"]
    )
    messages.success(request, f"Saved “{form.name}”.")
    return redirect("booking:routing-edit", pk=form.pk)


@workspace_required
@require_POST
def form_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    form = selectors.routing_form_get_for_user(request.membership, pk, write=True)
    services.routing_form_delete(form=form)
    messages.success(request, f"Deleted “{form.name}” and its responses.")
    return redirect("booking:routing-list")


@workspace_required
@require_http_methods(["GET", "POST"])
def question_edit(request: AuthedRequest, pk: int, qid: int | None = None) -> HttpResponse:
    form = selectors.routing_form_get_for_user(
        request.membership, pk, write=request.method == "POST"
    )
    existing = next((q for q in form_questions(form) if q.id == qid), None)
    if qid is not None and existing is None:
        raise Http404("No such question.")
    initial = QuestionDefinitionForm.initial_for(existing) if existing else None
    definition = QuestionDefinitionForm(request.POST or None, initial=initial)
    kind_field = definition.fields["kind"]
    assert isinstance(kind_field, forms.ChoiceField)
    # A routing form passes its answers on in a URL: a file cannot travel there.
    kind_field.choices = [c for c in Kind.choices if c[0] != Kind.FILE]
    kind_field.error_messages["invalid_choice"] = (
        "Choose one of the listed kinds. Routing forms can't ask for file uploads: their "
        "answers travel on to the booking link in its web address."
    )
    error = ""
    if request.method == "POST" and definition.is_valid():
        question = definition.question(qid or form.next_question_id)
        try:
            services.routing_question_save(form=form, question=question, new=qid is None)
        except RoutingError as exc:
            error = exc.message
        else:
            messages.success(request, f"Saved the question “{question.label}”.")
            return redirect("booking:routing-edit", pk=form.pk)
    context = {
        "calendar_tab": TAB,
        "form": form,
        "definition": definition,
        "question": existing,
        "error": error,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "booking/routing/question.html", context, status=status)


@workspace_required
@require_POST
def question_action(request: AuthedRequest, pk: int, qid: int) -> HttpResponse:
    form = selectors.routing_form_get_for_user(request.membership, pk, write=True)
    action = request.POST.get("action", "")
    try:
        if action == "remove":
            services.routing_question_remove(form=form, question_id=qid)
            messages.success(request, "Removed the question.")
        elif action in ("up", "down"):
            services.routing_question_move(form=form, question_id=qid, up=action == "up")
        else:
            return _editor(request, form, error="Choose what to do with the question.", status=400)
    except RoutingError as exc:
        return _editor(request, form, error=exc.message, status=400)
    return redirect(reverse("booking:routing-edit", args=[form.pk]) + "#questions")


def _rule_or_404(form: RoutingForm, rid: int | None) -> RoutingRule | None:
    if rid is None:
        return None
    return get_object_or_404(RoutingRule.objects.select_related("link"), form=form, pk=rid)


@workspace_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: AuthedRequest, pk: int, rid: int | None = None) -> HttpResponse:
    form = selectors.routing_form_get_for_user(
        request.membership, pk, write=request.method == "POST"
    )
    rule = _rule_or_404(form, rid)
    questions = form_questions(form)
    editor = RuleForm(request.POST or None, form=form, rule=rule, questions=questions)
    error = ""
    if request.method == "POST" and editor.is_valid():
        try:
            services.routing_rule_save(
                form=form,
                rule=rule,
                label=editor.cleaned_data.get("label", ""),
                conditions=editor.conditions(),
                route=editor.route(),
            )
        except RoutingError as exc:
            error = exc.message
        else:
            messages.success(
                request, "Saved the fallback." if editor.is_fallback else "Saved the rule."
            )
            return redirect(reverse("booking:routing-edit", args=[form.pk]) + "#rules")
    context = {
        "calendar_tab": TAB,
        "form": form,
        "editor": editor,
        "rule": rule,
        "questions": questions,
        "error": error,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "booking/routing/rule.html", context, status=status)


@workspace_required
@require_POST
def rule_action(request: AuthedRequest, pk: int, rid: int) -> HttpResponse:
    form = selectors.routing_form_get_for_user(request.membership, pk, write=True)
    rule = _rule_or_404(form, rid)
    assert rule is not None
    action = request.POST.get("action", "")
    try:
        if action == "delete":
            services.routing_rule_delete(rule=rule)
            messages.success(request, "Removed the rule.")
        elif action in ("up", "down"):
            services.routing_rule_move(rule=rule, up=action == "up")
        else:
            return _editor(request, form, error="Choose what to do with the rule.", status=400)
    except RoutingError as exc:
        return _editor(request, form, error=exc.message, status=400)
    return redirect(reverse("booking:routing-edit", args=[form.pk]) + "#rules")


def _responses(
    request: AuthedRequest,
) -> tuple[ResponseFilterForm, list[str], QuerySet[RoutingResponse] | None]:
    filters = ResponseFilterForm(request.GET, workspace_id=request.workspace.pk)
    if not filters.is_valid():
        return filters, [], None
    chosen = filters.cleaned_data.get("form")
    start, end = filters.bounds(request.user.timezone or "UTC")
    found = selectors.routing_responses(
        request.workspace.pk, form_id=chosen.pk if chosen else None, start=start, end=end
    )
    shown = [chosen] if chosen else list(selectors.routing_forms_of(request.workspace.pk))
    return filters, routing_csv.columns(shown), found


@workspace_required
@require_GET
def responses(request: AuthedRequest) -> HttpResponse:
    filters, labels, found = _responses(request)
    rows = []
    if found is not None:
        rows = list(
            routing_csv.rows(
                found[:PAGE_SIZE],
                labels,
                zone=request.user.timezone or "UTC",
            )
        )
    context = {
        "calendar_tab": TAB,
        "filters": filters,
        "labels": labels,
        "rows": rows,
        "more": found is not None and found.count() > PAGE_SIZE,
        "query": request.GET.urlencode(),
    }
    return render(
        request, "booking/routing/responses.html", context, status=200 if found is not None else 400
    )


@workspace_required
@require_GET
def responses_csv(request: AuthedRequest) -> HttpResponseBase:
    filters, labels, found = _responses(request)
    if found is None:
        context = {"calendar_tab": TAB, "filters": filters, "labels": [], "rows": []}
        return render(request, "booking/routing/responses.html", context, status=400)
    stamp = timezone.localtime(timezone.now()).strftime("%Y-%m-%d")
    response = StreamingHttpResponse(
        routing_csv.lines(
            found.iterator(chunk_size=500),
            labels,
            zone=request.user.timezone or "UTC",
        ),
        content_type="text/csv",
    )
    response["Content-Disposition"] = f'attachment; filename="routing-responses-{stamp}.csv"'
    return response
