"""Forms for the workflow settings: the workflow itself and its one to five steps.

The rules themselves are in :mod:`workflows.rules`, shared with the check of stored workflows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet, formset_factory
from django.http import QueryDict

from workestra.lib.fields import choice_field, model_choice_field
from workestra.models import Workspace
from workflows.models import WebhookEndpoint, Workflow, WorkflowStep
from workflows.rules import (
    EMAIL_ACTIONS,
    HOURS,
    MAX_STEPS,
    MINUTES,
    NO_ENDPOINT,
    NO_LINKS,
    PERSONAL_ACTIONS,
    STEP_LABELS,
    UNIT_CHOICES,
    WORKFLOW_LABELS,
    Action,
    Recipient,
    StepCheck,
    Trigger,
    clean_name,
    describe_minutes,
    offset_problem,
    reconfirm_problem,
    split_minutes,
    steps_problem,
    to_minutes,
)
from workflows.services import StepData

__all__ = ["describe_minutes", "split_minutes"]


def link_model() -> Any:
    """Booking links, through the relation the booking app declares (it depends on us)."""
    return Workflow._meta.get_field("links").related_model


# --- The workflow ------------------------------------------------------------------------------


class WorkflowForm(forms.ModelForm):
    offset_value = forms.IntegerField(
        label=WORKFLOW_LABELS["offset_value"],
        required=False,
        min_value=0,
        help_text="Only for “Before the meeting starts” and “After the meeting ends”.",
        error_messages={"invalid": "Enter a whole number."},
    )
    offset_unit = forms.ChoiceField(label="Unit", choices=UNIT_CHOICES, initial=MINUTES)
    applies_to = forms.ChoiceField(
        label="Runs for",
        choices=[("all", "Every booking link"), ("chosen", "Only the links chosen below")],
        initial="all",
        widget=forms.RadioSelect,
    )
    chosen_links = forms.ModelMultipleChoiceField(
        label=WORKFLOW_LABELS["chosen_links"],
        queryset=Workflow.objects.none(),  # the workspace's live links, set in __init__
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Pick links of this workspace only."},
    )

    class Meta:
        model = Workflow
        fields = ["name", "trigger", "is_enabled"]
        labels = {**WORKFLOW_LABELS, "is_enabled": "Enabled"}
        error_messages = {
            "name": {"required": "Give the workflow a name."},
            "trigger": {"required": "Choose what starts the workflow."},
        }

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        model_choice_field(self, "chosen_links").queryset = (
            link_model().objects.live().filter(workspace=workspace)
        )
        choice_field(self, "trigger").choices = Trigger.choices
        workflow = self.instance
        value, unit = split_minutes(workflow.offset_minutes)
        self.initial.setdefault("offset_value", value if workflow.is_timed and value else None)
        self.initial.setdefault("offset_unit", unit)
        if workflow.pk:
            self.initial.setdefault("applies_to", "all" if workflow.all_links else "chosen")
            self.initial.setdefault(
                "chosen_links", list(workflow.links.live().values_list("pk", flat=True))
            )

    def clean_name(self) -> str:
        return clean_name(self.cleaned_data.get("name") or "")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        trigger = data.get("trigger")
        minutes = 0
        if trigger in (Trigger.BEFORE_START, Trigger.AFTER_END) and "offset_value" in data:
            minutes = to_minutes(data.get("offset_value"), data.get("offset_unit"))
            if problem := offset_problem(trigger, minutes):
                self.add_error("offset_value", problem)
        data["offset_minutes"] = minutes
        links = list(data.get("chosen_links") or [])
        if data.get("applies_to") == "chosen" and not links and "chosen_links" in data:
            self.add_error("chosen_links", NO_LINKS)
        data["links"] = links
        return data

    @property
    def offset_minutes(self) -> int:
        return int(self.cleaned_data.get("offset_minutes") or 0)

    @property
    def links(self) -> list[Any] | None:
        """The chosen links, or None when the workflow runs for every link."""
        if self.cleaned_data["applies_to"] == "all":
            return None
        return list(self.cleaned_data["links"])


# --- Steps -------------------------------------------------------------------------------------

# The fields each action uses (StepCheck clears the others), so the editor shows only those.
STEP_FIELD_GROUPS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("recipient", "address"), PERSONAL_ACTIONS),
    (("subject",), EMAIL_ACTIONS),
    (("body",), (Action.EMAIL, Action.SMS, Action.SLACK, Action.VOICE, Action.RECONFIRM)),
    (("slack_url",), (Action.SLACK,)),
    (("endpoint",), (Action.WEBHOOK,)),
    (("agent_url",), (Action.VOICE,)),
    (("deadline_value", "deadline_unit"), (Action.RECONFIRM,)),
)


@dataclass(frozen=True)
class FieldGroup:
    """Fields shown together for the actions in ``actions`` (space-separated, for the page)."""

    fields: list[forms.BoundField]
    actions: str
    shown: bool


class StepForm(forms.Form):
    """One action. A row left at “No action” is not a step (and removes one that was there)."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    action = forms.ChoiceField(
        label=STEP_LABELS["action"],
        required=False,
        choices=[("", "No action"), *Action.choices],
        widget=forms.Select(attrs={"data-step-action": ""}),
    )
    recipient = forms.ChoiceField(
        label=STEP_LABELS["recipient"],
        choices=Recipient.choices,
        initial=Recipient.ATTENDEE,
        help_text="Email, SMS and voice calls.",
    )
    address = forms.CharField(
        label=STEP_LABELS["address"],
        required=False,
        max_length=254,
        help_text="When sending to another address: an email, or a phone like +14155550100.",
    )
    subject = forms.CharField(label=STEP_LABELS["subject"], required=False, max_length=200)
    body = forms.CharField(
        label=STEP_LABELS["body"],
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    slack_url = forms.CharField(
        label=STEP_LABELS["slack_url"],
        required=False,
        max_length=500,
        help_text="Slack only: https://hooks.slack.com/services/…",
    )
    endpoint = forms.ModelChoiceField(
        label=STEP_LABELS["endpoint"],
        queryset=WebhookEndpoint.objects.none(),
        required=False,
        empty_label="Choose an endpoint",
        help_text="Webhook only: endpoints are managed in Settings → Webhooks.",
        error_messages={"invalid_choice": NO_ENDPOINT},
    )
    agent_url = forms.CharField(
        label=STEP_LABELS["agent_url"],
        required=False,
        max_length=500,
        help_text="AI voice call only, optional: your agent's https:// address.",
    )
    deadline_value = forms.IntegerField(
        label=STEP_LABELS["deadline_value"],
        required=False,
        min_value=1,
        help_text="Reconfirmation only: unconfirmed by then, the booking is cancelled.",
        error_messages={"invalid": "Enter a whole number."},
    )
    deadline_unit = forms.ChoiceField(label="Unit", choices=UNIT_CHOICES, initial=HOURS)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        model_choice_field(self, "endpoint").queryset = WebhookEndpoint.objects.filter(
            workspace=workspace
        )

    def field_groups(self) -> list[FieldGroup]:
        """The step's fields by the actions that use them; only the chosen action's are shown."""
        chosen = self["action"].value() or ""
        return [
            FieldGroup(
                fields=[self[name] for name in names],
                actions=" ".join(actions),
                shown=chosen in actions,
            )
            for names, actions in STEP_FIELD_GROUPS
        ]

    @property
    def is_used(self) -> bool:
        return bool(getattr(self, "cleaned_data", {}).get("action"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        check = StepCheck(data, workspace=self.workspace, failed=set(self.errors))
        data = check.run()
        for name, messages in check.errors.items():
            for message in messages:
                self.add_error(name, message)
        return data


class BaseStepFormSet(BaseFormSet):
    def __init__(self, *args: Any, workspace: Workspace, workflow: Workflow, **kwargs: Any):
        self.workspace = workspace
        self.workflow = workflow
        kwargs.setdefault(
            "error_messages",
            {
                "too_many_forms": f"A workflow runs at most {MAX_STEPS} actions.",
                "missing_management_form": "The form was incomplete. Reload the page and retry.",
            },
        )
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"workspace": self.workspace}

    @property
    def used_forms(self) -> list[StepForm]:
        return [form for form in self.forms if form.is_used]

    @property
    def steps(self) -> list[StepData]:
        """The used rows, validated, as the service stores them."""
        return [
            StepData(
                id=form.cleaned_data.get("id") or None,
                action=form.cleaned_data["action"],
                recipient=form.cleaned_data["recipient"],
                address=form.cleaned_data["address"],
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                config=form.cleaned_data["config"],
            )
            for form in self.used_forms
        ]

    def clean(self) -> None:
        if any(self.errors) or not self.management_form.is_valid():
            return
        used = self.used_forms
        if problem := steps_problem(len(used)):
            raise ValidationError(problem)
        ids = [form.cleaned_data.get("id") for form in used if form.cleaned_data.get("id")]
        if len(ids) != len(set(ids)):
            raise ValidationError("The form was changed in an unexpected way. Reload the page.")

    def check_with(self, workflow_form: WorkflowForm) -> None:
        """Rules that need both forms: a reconfirmation is asked before the meeting, in time."""
        trigger = workflow_form.cleaned_data.get("trigger")
        offset = workflow_form.offset_minutes
        for form in self.used_forms:
            problem = reconfirm_problem(
                trigger=trigger,
                offset=offset,
                action=form.cleaned_data["action"],
                config=form.cleaned_data.get("config") or {},
            )
            if problem:
                form.add_error(*problem)


# The stubs type the factory's result as the base class, not the one passed in.
StepFormSet = cast(
    "type[BaseStepFormSet]",
    formset_factory(
        StepForm,
        formset=BaseStepFormSet,
        extra=0,
        max_num=MAX_STEPS,
        absolute_max=MAX_STEPS,
        validate_max=True,
    ),
)


def step_initial(step: WorkflowStep) -> dict[str, Any]:
    """A stored step as the form shows it."""
    config = step.config or {}
    deadline_value, deadline_unit = split_minutes(int(config.get("deadline_minutes") or 0))
    return {
        "id": step.pk,
        "action": step.action,
        "recipient": step.recipient,
        "address": step.address,
        "subject": step.subject,
        "body": step.body,
        "slack_url": config.get("slack_url", ""),
        "endpoint": config.get("endpoint_id"),
        "agent_url": config.get("agent_url", ""),
        "deadline_value": deadline_value or None,
        "deadline_unit": deadline_unit if deadline_value else HOURS,
    }


def step_formset(
    data: Any, *, workspace: Workspace, workflow: Workflow, initial: list[dict[str, Any]] | None
) -> BaseStepFormSet:
    """Always five rows: the steps there are, then empty ones to add more (no script needed)."""
    if initial is None:
        initial = [step_initial(step) for step in workflow.steps.order_by("position", "pk")]
    rows = [*initial, *({} for _ in range(MAX_STEPS - len(initial)))][:MAX_STEPS]
    return StepFormSet(data, initial=rows, prefix="steps", workspace=workspace, workflow=workflow)


def posted_initial(data: QueryDict) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """What was typed, as initial values of the workflow form and of its step rows: the page
    shown again after another action was picked keeps it, without refusing what is unfinished."""
    workflow: dict[str, Any] = {
        name: data.get(name, "") for name in ("name", "trigger", "offset_value")
    }
    workflow |= {
        "offset_unit": data.get("offset_unit") or MINUTES,
        "applies_to": data.get("applies_to") or "all",
        "is_enabled": "is_enabled" in data,
        "chosen_links": data.getlist("chosen_links"),
    }
    rows = [
        {name: data.get(f"steps-{i}-{name}", "") for name in StepForm.base_fields}
        for i in range(MAX_STEPS)
    ]
    return workflow, rows


def is_valid(form: WorkflowForm, formset: BaseStepFormSet) -> bool:
    form_ok = form.is_valid()
    steps_ok = formset.is_valid()
    if form_ok and steps_ok:
        formset.check_with(form)
        steps_ok = formset.is_valid()
    return form_ok and steps_ok
