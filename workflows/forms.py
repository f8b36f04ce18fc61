"""Forms for the workflow settings: the workflow itself and its one to five steps.

Every ``{{variable}}`` is checked against the booking provider's names when the form is saved,
so a typo is refused with the list of valid names instead of rendering empty in a real email.
"""

from __future__ import annotations

import re
from typing import Any

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.forms import BaseFormSet, formset_factory

from workestra.models import Workspace
from workflows import context, plans, render
from workflows.models import WebhookEndpoint, Workflow, WorkflowStep
from workflows.templates_catalog import SURVEY_PLACEHOLDER

Trigger = Workflow.Trigger
Action = WorkflowStep.Action
Recipient = WorkflowStep.Recipient

MAX_STEPS = Workflow.MAX_STEPS
MAX_OFFSET_MINUTES = Workflow.MAX_OFFSET_MINUTES
MAX_DEADLINE_MINUTES = 14 * 24 * 60
MAX_SMS_LENGTH = 1600
MINUTES, HOURS = "minutes", "hours"
UNIT_CHOICES = [(MINUTES, "minutes"), (HOURS, "hours")]
SLACK_PREFIX = "https://hooks.slack.com/"
# Anything between double braces; a real placeholder is a single word (render.PLACEHOLDER).
BRACES = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
WORD = re.compile(r"\s*\w+\s*")
EMAIL_VARIABLES = ("attendee_email", "invitee_email", "host_email")
PHONE_VARIABLES = ("attendee_phone", "host_phone")
RECONFIRM_URL = re.compile(r"\{\{\s*reconfirm_url\s*\}\}")
EMAIL_ACTIONS = (Action.EMAIL, Action.RECONFIRM)
PHONE_ACTIONS = (Action.SMS, Action.VOICE)
# Actions that reach a person, so "who receives it" means something.
PERSONAL_ACTIONS = (Action.EMAIL, Action.SMS, Action.VOICE)
_https_url = URLValidator(schemes=["https"])


def link_model() -> Any:
    """Booking links, through the relation the booking app declares (it depends on us)."""
    return Workflow._meta.get_field("links").related_model


# --- Shared checks ---------------------------------------------------------------------------


def valid_names_text() -> str:
    return ", ".join(context.booking_provider().variable_names)


def check_variables(text: str) -> None:
    """Refuse malformed or unknown ``{{placeholders}}``, naming every valid one."""
    for inner in BRACES.findall(text):
        if not WORD.fullmatch(inner):
            shown = f"{{{{{inner[:40]}}}}}"
            raise ValidationError(
                f"“{shown}” is not a variable: a variable is one word in double braces, "
                f"like {{{{attendee_name}}}}. Valid names: {valid_names_text()}."
            )
    provider = context.booking_provider()
    unknown = render.unknown_message(text, provider.is_known, provider.variable_names)
    if unknown:
        raise ValidationError(unknown)


def _minutes(value: int | None, unit: str | None) -> int:
    return (value or 0) * (60 if unit == HOURS else 1)


def split_minutes(minutes: int) -> tuple[int, str]:
    """How to show a stored number of minutes: whole hours as hours, the rest as minutes."""
    if minutes and minutes % 60 == 0:
        return minutes // 60, HOURS
    return minutes, MINUTES


def describe_minutes(minutes: int) -> str:
    value, unit = split_minutes(minutes)
    if value == 1:
        unit = unit[:-1]
    return f"{value} {unit}"


def _only_placeholder(text: str, allowed: tuple[str, ...]) -> bool:
    """The address is one variable that holds the right kind of address (or an answer)."""
    found = render.PLACEHOLDER.fullmatch(text.strip())
    if found is None:
        return False
    name = found[1]
    if name in allowed or (
        name.startswith("answer_") and context.booking_provider().is_known(name)
    ):
        return True
    raise ValidationError(
        f"{{{{{name}}}}} doesn't hold an address of this kind: use one of "
        + ", ".join(f"{{{{{n}}}}}" for n in allowed)
        + " or an answer_<id>."
    )


def _clean_email_address(address: str) -> str:
    probe = render.PLACEHOLDER.sub("x", address)
    if _only_placeholder(address, EMAIL_VARIABLES):
        return address
    try:
        validate_email(probe)
    except ValidationError:
        raise ValidationError("Enter an email address, e.g. team@example.com.") from None
    return address


def _clean_phone(address: str) -> str:
    if _only_placeholder(address, PHONE_VARIABLES):
        return address
    try:
        number = phonenumbers.parse(address, None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            "Enter the phone number with its country code (E.164), e.g. +14155550100."
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- The workflow ------------------------------------------------------------------------------


class WorkflowForm(forms.ModelForm):
    offset_value = forms.IntegerField(
        label="How long",
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
        label="Links",
        queryset=Workflow.objects.none(),  # the workspace's live links, set in __init__
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Pick links of this workspace only."},
    )

    class Meta:
        model = Workflow
        fields = ["name", "trigger", "is_enabled"]
        labels = {"name": "Name", "trigger": "When", "is_enabled": "Enabled"}
        error_messages = {
            "name": {"required": "Give the workflow a name."},
            "trigger": {"required": "Choose what starts the workflow."},
        }

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["chosen_links"].queryset = (
            link_model().objects.live().filter(workspace=workspace)
        )
        self.fields["trigger"].choices = Trigger.choices
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
        name = " ".join((self.cleaned_data.get("name") or "").split())
        if not name:
            raise ValidationError("Give the workflow a name.")
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        trigger = data.get("trigger")
        minutes = 0
        if trigger in (Trigger.BEFORE_START, Trigger.AFTER_END) and "offset_value" in data:
            minutes = _minutes(data.get("offset_value"), data.get("offset_unit"))
            when = (
                "before the meeting starts" if trigger == Trigger.BEFORE_START else "after it ends"
            )
            if minutes <= 0:
                self.add_error(
                    "offset_value", f"Enter how long {when}, e.g. 30 minutes or 2 hours."
                )
            elif minutes > MAX_OFFSET_MINUTES:
                self.add_error("offset_value", "Keep the time within 30 days (720 hours).")
        data["offset_minutes"] = minutes
        links = list(data.get("chosen_links") or [])
        if data.get("applies_to") == "chosen" and not links and "chosen_links" in data:
            self.add_error(
                "chosen_links", "Pick at least one link, or let the workflow run for every link."
            )
        data["links"] = links
        return data

    @property
    def offset_minutes(self) -> int:
        return int(self.cleaned_data.get("offset_minutes") or 0)

    def save(self, commit: bool = True) -> Workflow:
        workflow: Workflow = super().save(commit=False)
        workflow.workspace = self.workspace
        workflow.offset_minutes = self.offset_minutes
        workflow.all_links = self.cleaned_data["applies_to"] == "all"
        if commit:
            workflow.save()
            workflow.links.set([] if workflow.all_links else self.cleaned_data["links"])
        return workflow


# --- Steps -------------------------------------------------------------------------------------


class StepForm(forms.Form):
    """One action. A row left at “No action” is not a step (and removes one that was there)."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "No action"), *Action.choices]
    )
    recipient = forms.ChoiceField(
        label="Send to",
        choices=Recipient.choices,
        initial=Recipient.ATTENDEE,
        help_text="Email, SMS and voice calls.",
    )
    address = forms.CharField(
        label="Address",
        required=False,
        max_length=254,
        help_text="When sending to another address: an email, or a phone like +14155550100.",
    )
    subject = forms.CharField(label="Subject", required=False, max_length=200)
    body = forms.CharField(
        label="Message",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    slack_url = forms.CharField(
        label="Slack webhook URL",
        required=False,
        max_length=500,
        help_text="Slack only: https://hooks.slack.com/services/…",
    )
    endpoint = forms.ModelChoiceField(
        label="Webhook endpoint",
        queryset=WebhookEndpoint.objects.none(),
        required=False,
        empty_label="Choose an endpoint",
        help_text="Webhook only: endpoints are managed in Settings → Webhooks.",
        error_messages={"invalid_choice": "Choose one of this workspace's webhook endpoints."},
    )
    agent_url = forms.CharField(
        label="Voice agent URL",
        required=False,
        max_length=500,
        help_text="AI voice call only, optional: your agent's https:// address.",
    )
    deadline_value = forms.IntegerField(
        label="Reconfirm within",
        required=False,
        min_value=1,
        help_text="Reconfirmation only: unconfirmed by then, the booking is cancelled.",
        error_messages={"invalid": "Enter a whole number."},
    )
    deadline_unit = forms.ChoiceField(label="Unit", choices=UNIT_CHOICES, initial=HOURS)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["endpoint"].queryset = WebhookEndpoint.objects.filter(workspace=workspace)

    @property
    def is_used(self) -> bool:
        return bool(getattr(self, "cleaned_data", {}).get("action"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        action = data.get("action")
        if not action:
            return data
        refusal = plans.action_message(self.workspace.plan, action)
        if refusal:
            self.add_error("action", refusal)
            return data
        recipient = data.get("recipient") or Recipient.ATTENDEE
        if action == Action.RECONFIRM or action not in PERSONAL_ACTIONS:
            recipient = Recipient.ATTENDEE
        data["recipient"] = recipient
        self._clean_address(data, action, recipient)
        self._clean_texts(data, action)
        data["config"] = self._clean_config(data, action)
        for name in ("subject", "body", "address"):
            if name in data and name not in self.errors:
                try:
                    check_variables(data[name])
                except ValidationError as exc:
                    self.add_error(name, exc)
        return data

    def _clean_address(self, data: dict[str, Any], action: str, recipient: str) -> None:
        address = (data.get("address") or "").strip()
        if recipient != Recipient.ADDRESS:
            data["address"] = ""
            return
        if not address:
            what = "phone number" if action in PHONE_ACTIONS else "email address"
            self.add_error("address", f"Enter the {what} to send to.")
            return
        try:
            check_variables(address)
            if action in PHONE_ACTIONS:
                data["address"] = _clean_phone(address)
            else:
                data["address"] = _clean_email_address(address)
        except ValidationError as exc:
            self.add_error("address", exc)

    def _clean_texts(self, data: dict[str, Any], action: str) -> None:
        subject = " ".join((data.get("subject") or "").split())
        body = (data.get("body") or "").strip()
        if action == Action.EMAIL:
            if not subject:
                self.add_error("subject", "Give the email a subject.")
            if not body:
                self.add_error("body", "Write the email's message.")
        elif action == Action.SMS:
            if not body:
                self.add_error("body", "Write the text message.")
            elif len(body) > MAX_SMS_LENGTH:
                self.add_error(
                    "body", f"Keep a text message under {MAX_SMS_LENGTH} characters (10 parts)."
                )
        elif action == Action.SLACK:
            if not body:
                self.add_error("body", "Write the Slack message.")
        elif action == Action.RECONFIRM and body and not RECONFIRM_URL.search(body):
            self.add_error(
                "body",
                "Include {{reconfirm_url}} so the attendee can reconfirm (or leave the "
                "message empty to use the standard one).",
            )
        if SURVEY_PLACEHOLDER in body:
            self.add_error("body", "Replace the sample survey link with your own survey's link.")
        if action not in EMAIL_ACTIONS:
            subject = ""
        if action == Action.WEBHOOK:
            body = ""
        data["subject"], data["body"] = subject, body

    def _clean_config(self, data: dict[str, Any], action: str) -> dict[str, Any]:
        if action == Action.SLACK:
            url = (data.get("slack_url") or "").strip()
            if not url:
                self.add_error("slack_url", "Enter the Slack webhook URL.")
            elif not url.startswith(SLACK_PREFIX) or not _is_https(url):
                self.add_error(
                    "slack_url",
                    "Enter a Slack incoming-webhook URL: https://hooks.slack.com/services/…",
                )
            return {"slack_url": url}
        if action == Action.WEBHOOK:
            endpoint = data.get("endpoint")
            if endpoint is None:
                if "endpoint" not in self.errors:
                    self.add_error("endpoint", "Choose the webhook endpoint to call.")
                return {}
            return {"endpoint_id": endpoint.pk}
        if action == Action.VOICE:
            url = (data.get("agent_url") or "").strip()
            if url and not _is_https(url):
                self.add_error(
                    "agent_url", "Enter the agent's full address starting with https://."
                )
            return {"agent_url": url} if url else {}
        if action == Action.RECONFIRM:
            if "deadline_value" in self.errors:
                return {}
            minutes = _minutes(data.get("deadline_value"), data.get("deadline_unit"))
            if minutes <= 0:
                self.add_error("deadline_value", "Enter how long the attendee has to reconfirm.")
            elif minutes > MAX_DEADLINE_MINUTES:
                self.add_error("deadline_value", "Keep the deadline within 14 days.")
            return {"deadline_minutes": minutes}
        return {}


def _is_https(url: str) -> bool:
    try:
        _https_url(url)
    except ValidationError:
        return False
    return True


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

    def clean(self) -> None:
        if any(self.errors) or not self.management_form.is_valid():
            return
        used = self.used_forms
        if not used:
            raise ValidationError("Add at least one action.")
        if len(used) > MAX_STEPS:
            raise ValidationError(f"A workflow runs at most {MAX_STEPS} actions.")
        ids = [form.cleaned_data.get("id") for form in used if form.cleaned_data.get("id")]
        if len(ids) != len(set(ids)):
            raise ValidationError("The form was changed in an unexpected way. Reload the page.")

    def check_with(self, workflow_form: WorkflowForm) -> None:
        """Rules that need both forms: a reconfirmation is asked before the meeting, in time."""
        trigger = workflow_form.cleaned_data.get("trigger")
        offset = workflow_form.offset_minutes
        for form in self.used_forms:
            if form.cleaned_data["action"] != Action.RECONFIRM:
                continue
            if trigger != Trigger.BEFORE_START:
                form.add_error(
                    "action",
                    "Ask for a reconfirmation with the “Before the meeting starts” trigger.",
                )
                continue
            deadline = (form.cleaned_data.get("config") or {}).get("deadline_minutes") or 0
            if offset and deadline >= offset:
                form.add_error(
                    "deadline_value",
                    f"The deadline must fall before the meeting: asked "
                    f"{describe_minutes(offset)} ahead, give less than that to reconfirm.",
                )


StepFormSet = formset_factory(
    StepForm,
    formset=BaseStepFormSet,
    extra=0,
    max_num=MAX_STEPS,
    absolute_max=MAX_STEPS,
    validate_max=True,
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


def is_valid(form: WorkflowForm, formset: BaseStepFormSet) -> bool:
    form_ok = form.is_valid()
    steps_ok = formset.is_valid()
    if form_ok and steps_ok:
        formset.check_with(form)
        steps_ok = formset.is_valid()
    return form_ok and steps_ok


def stored_problems(workflow: Workflow) -> list[str]:
    """What would stop the stored workflow from saving as it is (e.g. a template's Slack step
    with no URL yet): checked before enabling it from the list."""
    workspace = workflow.workspace
    form = WorkflowForm(
        _as_data(WorkflowForm(instance=workflow, workspace=workspace)),
        instance=Workflow.objects.get(pk=workflow.pk),
        workspace=workspace,
    )
    formset = step_formset(
        _formset_data(workflow), workspace=workspace, workflow=workflow, initial=None
    )
    if is_valid(form, formset):
        return []
    problems = [
        f"{form.fields[name].label if name in form.fields else 'Workflow'}: {error}"
        for name, errors in form.errors.items()
        for error in errors
    ]
    problems += list(formset.non_form_errors())
    for number, step_form in enumerate(formset.forms, start=1):
        for name, errors in step_form.errors.items():
            label = step_form.fields[name].label if name in step_form.fields else "Action"
            problems += [f"Action {number}, {label}: {error}" for error in errors]
    return problems


def _as_data(form: forms.BaseForm) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in form:
        value = field.value()
        if isinstance(field.field, forms.BooleanField):
            if value:
                data[field.html_name] = "on"
        elif isinstance(field.field, forms.ModelMultipleChoiceField):
            data[field.html_name] = [str(v) for v in value or []]
        else:
            data[field.html_name] = "" if value is None else str(value)
    return data


def _formset_data(workflow: Workflow) -> dict[str, Any]:
    unbound = step_formset(None, workspace=workflow.workspace, workflow=workflow, initial=None)
    data = _as_data(unbound.management_form)
    for step_form in unbound.forms:
        data.update(_as_data(step_form))
    return data


# --- Saving --------------------------------------------------------------------------------


def save_workflow(form: WorkflowForm, formset: BaseStepFormSet) -> Workflow:
    """Save a validated workflow and its steps in one transaction, under the plan's limits.

    Raises :class:`workflows.plans.PlanLimit` and writes nothing when the plan does not allow
    the steps' actions or one more enabled workflow.

    Steps are updated in place (matched by id) so bookings already waiting on a step keep it.
    """
    workflow = form.instance
    with transaction.atomic():
        locked = plans.lock_workspace(form.workspace.pk)
        used = formset.used_forms
        plans.check_actions(locked.plan, [f.cleaned_data["action"] for f in used])
        was_enabled = (
            workflow.pk is not None
            and Workflow.objects.filter(pk=workflow.pk, is_enabled=True).exists()
        )
        workflow = form.save()
        _save_steps(workflow, used)
        if workflow.is_enabled and not was_enabled:
            plans.check_can_enable(locked, workflow)
    return workflow


def _save_steps(workflow: Workflow, used: list[StepForm]) -> None:
    existing = {step.pk: step for step in workflow.steps.all()}
    kept: list[int] = []
    for position, form in enumerate(used):
        data = form.cleaned_data
        step = existing.pop(data.get("id") or 0, None) or WorkflowStep(workflow=workflow)
        step.position = position
        step.action = data["action"]
        step.recipient = data["recipient"]
        step.address = data["address"]
        step.subject = data["subject"]
        step.body = data["body"]
        step.config = data["config"]
        step.save()
        kept.append(step.pk)
    workflow.steps.exclude(pk__in=kept).delete()
