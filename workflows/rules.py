"""The rules a workflow and its steps must follow, on plain values: the settings forms check
what is submitted with them, and :func:`workflows.services.workflow_problems` checks what is
stored (a template's Slack step with no URL yet, an endpoint since deleted, a plan downgraded).

Every ``{{variable}}`` is checked against the booking provider's names, so a typo is refused with
the list of valid names instead of rendering empty in a real email.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from workestra import plans
from workestra.models import Workspace
from workflows import context, render
from workflows.models import Workflow, WorkflowStep
from workflows.templates_catalog import SURVEY_PLACEHOLDER

Trigger = Workflow.Trigger
Action = WorkflowStep.Action
Recipient = WorkflowStep.Recipient
Plan = Workspace.Plan

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


# What the settings page calls each field, for messages about a stored workflow.
WORKFLOW_LABELS = {
    "name": "Name",
    "trigger": "When",
    "offset_value": "How long",
    "chosen_links": "Links",
}
STEP_LABELS = {
    "action": "Action",
    "recipient": "Send to",
    "address": "Address",
    "subject": "Subject",
    "body": "Message",
    "slack_url": "Slack webhook URL",
    "endpoint": "Webhook endpoint",
    "agent_url": "Voice agent URL",
    "deadline_value": "Reconfirm within",
}
NO_ENDPOINT = "Choose one of this workspace's webhook endpoints."
Errors = dict[str, list[str]]


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
    unknown = render.unknown_names(text, context.booking_provider().is_known)
    if unknown:
        plural = "s" if len(unknown) > 1 else ""
        raise ValidationError(
            f"Unknown variable{plural}: {', '.join(unknown)}. Valid names: {valid_names_text()}."
        )


def to_minutes(value: int | None, unit: str | None) -> int:
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


# --- One step ----------------------------------------------------------------------------------


class StepCheck:
    """Check one step's values (as the form names them) and normalise them in place.

    ``failed`` names the fields already refused before these rules run; ``errors`` collects
    the messages per field, and a refused field leaves ``data`` as the form's would.
    """

    def __init__(
        self, data: dict[str, Any], *, workspace: Workspace, failed: Collection[str] = ()
    ) -> None:
        self.data = data
        self.workspace = workspace
        self.failed = set(failed)
        self.errors: Errors = {}

    def add_error(self, name: str, error: str | ValidationError) -> None:
        messages = error.messages if isinstance(error, ValidationError) else [error]
        self.errors.setdefault(name, []).extend(messages)
        self.failed.add(name)
        self.data.pop(name, None)

    def run(self) -> dict[str, Any]:
        data = self.data
        action = data.get("action")
        if not action:
            return data
        refusal = action_message(self.workspace.plan, action)
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
            if name in data and name not in self.failed:
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
                if "endpoint" not in self.failed:
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
            if "deadline_value" in self.failed:
                return {}
            minutes = to_minutes(data.get("deadline_value"), data.get("deadline_unit"))
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


# --- The workflow ------------------------------------------------------------------------------


def clean_name(name: str) -> str:
    """The name with its spaces tidied; raises when nothing is left."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("Give the workflow a name.")
    return name


def offset_problem(trigger: str | None, minutes: int) -> str:
    """What is wrong with the time before the start or after the end, if anything."""
    if trigger not in (Trigger.BEFORE_START, Trigger.AFTER_END):
        return ""
    when = "before the meeting starts" if trigger == Trigger.BEFORE_START else "after it ends"
    if minutes <= 0:
        return f"Enter how long {when}, e.g. 30 minutes or 2 hours."
    if minutes > MAX_OFFSET_MINUTES:
        return "Keep the time within 30 days (720 hours)."
    return ""


NO_LINKS = "Pick at least one link, or let the workflow run for every link."


def steps_problem(count: int) -> str:
    if not count:
        return "Add at least one action."
    if count > MAX_STEPS:
        return f"A workflow runs at most {MAX_STEPS} actions."
    return ""


def reconfirm_problem(
    *, trigger: str | None, offset: int, action: str, config: dict[str, Any]
) -> tuple[str, str] | None:
    """Rules that need the workflow and the step: a reconfirmation is asked before the meeting,
    in time. Returns the field and the message, or None."""
    if action != Action.RECONFIRM:
        return None
    if trigger != Trigger.BEFORE_START:
        return (
            "action",
            "Ask for a reconfirmation with the “Before the meeting starts” trigger.",
        )
    deadline = (config or {}).get("deadline_minutes") or 0
    if offset and deadline >= offset:
        return (
            "deadline_value",
            f"The deadline must fall before the meeting: asked "
            f"{describe_minutes(offset)} ahead, give less than that to reconfirm.",
        )
    return None


# --- Plan limits: which actions and how many enabled workflows each plan allows ---------------

ACTION_NAMES: dict[str, str] = {Action.SMS: "SMS", Action.VOICE: "AI voice call"}


def action_message(plan: str, action: str) -> str:
    """Why ``action`` is refused on ``plan`` (empty when it is allowed)."""
    needed = plans.min_plan(action)
    if needed is None or plans.allows(plan, action):
        return ""
    name = ACTION_NAMES.get(action, action)
    which = f"the {Plan(needed).label} plan" + ("" if plans.is_top(needed) else " or higher")
    return (
        f"{name} actions need {which}; your workspace is on the {plans.plan_label(plan)} plan. "
        f"Upgrade to {Plan(needed).label} to use them."
    )


def check_actions(plan: str, actions: Collection[str]) -> None:
    """Raise :class:`workestra.plans.PlanLimit` for the first action the plan does not include."""
    for action in actions:
        if message := action_message(plan, action):
            raise plans.PlanLimit(message)


def active_limit_message(plan: str) -> str:
    limit = plans.active_limit(plan)
    upgrade = plans.next_plan(plan)
    advice = f"Disable one or upgrade to {Plan(upgrade).label}." if upgrade else "Disable one."
    return f"Your {plans.plan_label(plan)} plan allows {limit} active workflows. {advice}"
