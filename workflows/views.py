"""Workflow settings under ``/calendar/workflows``: list, create (blank or from a template), edit,
enable/disable, delete, "Send test" and each workflow's run history.

Every member of the workspace can look; only workspace admins (and owners) can change anything.
Plain forms first, HTMX on top (the enable toggle and delete answer HTMX with a table row).
"""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from workestra import plans
from workestra.models import User
from workestra.tenancy import AuthedRequest, scoped, workspace_required
from workflows import context, rules, selectors, services
from workflows import templates_catalog as catalog
from workflows.forms import (
    BaseStepFormSet,
    WorkflowForm,
    describe_minutes,
    is_valid,
    link_model,
    posted_initial,
    step_formset,
)
from workflows.models import OutboxMessage, Workflow, WorkflowRun

RUNS_PER_PAGE = 50


# --- Access ----------------------------------------------------------------------------------


def can_change(request: AuthedRequest) -> bool:
    return bool(request.membership.is_admin)


def _require_admin(request: AuthedRequest) -> None:
    if not can_change(request):
        raise PermissionDenied(selectors.ADMIN_ONLY)


# --- Display helpers -------------------------------------------------------------------------


def trigger_summary(workflow: Workflow) -> str:
    if workflow.trigger == Workflow.Trigger.BEFORE_START:
        return f"{describe_minutes(workflow.offset_minutes)} before the meeting starts"
    if workflow.trigger == Workflow.Trigger.AFTER_END:
        return f"{describe_minutes(workflow.offset_minutes)} after the meeting ends"
    return workflow.get_trigger_display()


def _decorate(workflow: Workflow) -> Workflow:
    """Attach what the list row shows, from prefetched rows when there are any."""
    workflow.trigger_summary = trigger_summary(workflow)  # type: ignore[attr-defined]
    workflow.step_labels = [s.get_action_display() for s in workflow.steps.all()]  # type: ignore[attr-defined]
    workflow.link_titles = (  # type: ignore[attr-defined]
        [] if workflow.all_links else [link.title for link in workflow.links.all()]
    )
    return workflow


def _workflows(request: AuthedRequest) -> list[Workflow]:
    rows = scoped(Workflow.objects.all(), request).prefetch_related(
        "steps", Prefetch("links", queryset=link_model().objects.live())
    )
    return [_decorate(workflow) for workflow in rows]


def _plan_context(request: AuthedRequest) -> dict[str, Any]:
    plan = request.workspace.plan
    return {
        "plan_label": plans.plan_label(plan),
        "active_limit": plans.active_limit(plan),
        "active_count": scoped(Workflow.objects.filter(is_enabled=True), request).count(),
        "can_change": can_change(request),
    }


def _row(request: AuthedRequest, workflow: Workflow, error: str = "") -> HttpResponse:
    workflow = _decorate(
        Workflow.objects.prefetch_related(
            "steps", Prefetch("links", queryset=link_model().objects.live())
        ).get(pk=workflow.pk)
    )
    return render(
        request,
        "workflows/list.html#workflow-row",
        {"workflow": workflow, "error": error, "can_change": can_change(request)},
    )


# --- List ------------------------------------------------------------------------------------


@workspace_required
def workflow_list(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "workflows/list.html",
        {"workflows": _workflows(request), **_plan_context(request)},
    )


# --- Create ----------------------------------------------------------------------------------


@workspace_required
@require_http_methods(["GET", "POST"])
def workflow_new(request: AuthedRequest) -> HttpResponse:
    """The template gallery; ``?template=<key>`` shows one template, POST creates from it."""
    key = request.POST.get("template") if request.method == "POST" else request.GET.get("template")
    if key is None:
        return render(
            request,
            "workflows/gallery.html",
            {"templates": catalog.TEMPLATES, **_plan_context(request)},
        )
    template = catalog.get(key)
    if request.method == "POST":
        _require_admin(request)
    if template is None:
        return render(
            request,
            "workflows/gallery.html",
            {
                "templates": catalog.TEMPLATES,
                "error": "There is no such template. Pick one below or start from scratch.",
                **_plan_context(request),
            },
            status=404,
        )
    when = trigger_summary(
        Workflow(trigger=template.trigger, offset_minutes=template.offset_minutes)
    )
    context_ = {"template": template, "when": when, **_plan_context(request)}
    refusal = next(
        (m for a in template.actions if (m := rules.action_message(request.workspace.plan, a))),
        "",
    )
    if request.method == "POST":
        try:
            workflow = services.workflow_create_from_template(
                template=template,
                workspace=request.workspace,
            )
        except plans.PlanLimit as refused:
            return render(
                request,
                "workflows/template.html",
                {**context_, "error": refused.message},
                status=403,
            )
        messages.success(
            request,
            f"Created “{workflow.name}” from its template, disabled. Review the actions, "
            "then enable it.",
        )
        return redirect("workflows:edit", workflow.pk)
    return render(request, "workflows/template.html", {**context_, "refusal": refusal})


@workspace_required
@require_http_methods(["GET", "POST"])
def workflow_create(request: AuthedRequest) -> HttpResponse:
    _require_admin(request)
    workflow = Workflow(workspace=request.workspace)
    return _edit(request, workflow, instance=workflow, creating=True)


# --- Edit ------------------------------------------------------------------------------------


@workspace_required
@require_http_methods(["GET", "POST"])
def workflow_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    workflow = selectors.workflow_get_for_user(
        request.membership, pk, write=request.method == "POST"
    )
    # A copy: validation writes the submitted values onto the instance, and a refused
    # submission must not show them as the workflow's name.
    return _edit(request, workflow, instance=copy.copy(workflow), creating=False)


def _edit(
    request: AuthedRequest, workflow: Workflow, *, instance: Workflow, creating: bool
) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    workspace = request.workspace
    if data is not None and "update" in data:
        # Without a script, "Update" shows the fields of the actions just picked; nothing saved.
        initial, rows = posted_initial(data)
        form = WorkflowForm(initial=initial, instance=instance, workspace=workspace)
        formset = step_formset(None, workspace=workspace, workflow=instance, initial=rows)
        return _render_edit(request, workflow, form, formset, creating=creating, status=200)
    form = WorkflowForm(data, instance=instance, workspace=workspace)
    formset = step_formset(
        data, workspace=workspace, workflow=instance, initial=[] if creating else None
    )
    if data is not None and is_valid(form, formset):
        try:
            saved = _save(form, formset, instance=instance, creating=creating)
        except plans.PlanLimit as refused:
            form.add_error(None, refused.message)
        else:
            verb = "Created" if creating else "Saved"
            state = "enabled" if saved.is_enabled else "disabled"
            messages.success(request, f"{verb} “{saved.name}” ({state}).")
            return redirect("workflows:list")
    status = 400 if form.is_bound else 200
    return _render_edit(request, workflow, form, formset, creating=creating, status=status)


def _render_edit(
    request: AuthedRequest,
    workflow: Workflow,
    form: WorkflowForm,
    formset: BaseStepFormSet,
    *,
    creating: bool,
    status: int,
) -> HttpResponse:
    return render(
        request,
        "workflows/form.html",
        {
            "form": form,
            "formset": formset,
            "workflow": None if creating else workflow,
            "creating": creating,
            "variable_names": context.booking_provider().variable_names,
            **_plan_context(request),
        },
        status=status,
    )


def _save(
    form: WorkflowForm, formset: BaseStepFormSet, *, instance: Workflow, creating: bool
) -> Workflow:
    fields: dict[str, Any] = {
        "name": form.cleaned_data["name"],
        "trigger": form.cleaned_data["trigger"],
        "offset_minutes": form.offset_minutes,
        "is_enabled": form.cleaned_data["is_enabled"],
        "links": form.links,
        "steps": formset.steps,
    }
    if creating:
        return services.workflow_create(workspace=form.workspace, **fields)
    return services.workflow_update(workflow=instance, **fields)


# --- Enable / disable, delete ----------------------------------------------------------------


@workspace_required
@require_POST
def workflow_toggle(request: AuthedRequest, pk: int) -> HttpResponse:
    workflow = selectors.workflow_get_for_user(request.membership, pk, write=True)
    wanted = request.POST.get("enabled")
    enable = wanted == "1" if wanted in ("0", "1") else not workflow.is_enabled
    error = ""
    if enable and not workflow.is_enabled:
        problems = services.workflow_problems(workflow=workflow)
        if problems:
            error = f"Finish setting up “{workflow.name}” before enabling it: " + " ".join(problems)
    if not error:
        try:
            services.workflow_set_enabled(workflow=workflow, enabled=enable)
        except plans.PlanLimit as refused:
            error = refused.message
    if request.htmx:
        return _row(request, workflow, error)
    if error:
        messages.error(request, error)
    else:
        state = "enabled" if workflow.is_enabled else "disabled"
        messages.success(request, f"“{workflow.name}” is now {state}.")
    return redirect("workflows:list")


@workspace_required
@require_http_methods(["GET", "POST"])
def workflow_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    workflow = selectors.workflow_get_for_user(request.membership, pk, write=True)
    if request.method == "GET":
        return render(request, "workflows/delete.html", {"workflow": workflow})
    services.workflow_delete(workflow=workflow)
    if request.htmx:
        return HttpResponse("")
    messages.success(request, f"Deleted “{workflow.name}”.")
    return redirect("workflows:list")


# --- Send test -------------------------------------------------------------------------------


@workspace_required
@require_POST
def workflow_test(request: AuthedRequest, pk: int) -> HttpResponse:
    workflow = selectors.workflow_get_for_user(request.membership, pk, write=True)
    user: User = request.user
    try:
        services.workflow_test_run(workflow=workflow, user=user)
    except plans.PlanLimit as refused:
        messages.error(request, refused.message)
        return redirect("workflows:edit", workflow.pk)
    except services.NoSteps:
        messages.error(request, "Add an action before sending a test.")
        return redirect("workflows:edit", workflow.pk)
    messages.success(
        request,
        f"Test run started against a sample booking: its messages go only to you "
        f"({user.email}) and are marked [Test]. Follow it below.",
    )
    return redirect("workflows:runs", workflow.pk)


# --- Run history -----------------------------------------------------------------------------


@workspace_required
def workflow_runs(request: AuthedRequest, pk: int) -> HttpResponse:
    workflow = selectors.workflow_get_for_user(request.membership, pk)
    runs = WorkflowRun.objects.filter(workflow=workflow).select_related("message", "step")
    page = Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {"run": run, "booking_pk": _booking_pk(run.subject), "state": _state(run.message)}
        for run in page.object_list
    ]
    return render(
        request,
        "workflows/runs.html",
        {
            "workflow": workflow,
            "trigger_summary": trigger_summary(workflow),
            "page": page,
            "rows": rows,
            "zone": request.user.timezone,
            "can_change": can_change(request),
        },
    )


def _booking_pk(subject: str) -> int | None:
    kind, _, raw = subject.partition(":")
    return int(raw) if kind == "booking" and raw.isdigit() else None


def _state(message: OutboxMessage) -> str:
    """The row's state, except that a step closed without sending (the workflow was disabled,
    the booking cancelled) reads "skipped" rather than "sent"."""
    if message.state == "sent" and message.skipped:
        return "skipped"
    return message.state
