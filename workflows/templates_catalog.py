"""Ready-made workflows (spec: workflows, "Templates"), plus reconfirmation and no-show follow-up.

Creating from a template writes a disabled workflow with the template's steps; the host reviews
it (a Slack URL, a survey link), then enables it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from workestra import plans
from workestra.models import Workspace
from workflows.models import Workflow, WorkflowStep

Trigger = Workflow.Trigger
Action = WorkflowStep.Action
Recipient = WorkflowStep.Recipient


@dataclass(frozen=True)
class StepTemplate:
    action: str
    recipient: str = Recipient.ATTENDEE
    subject: str = ""
    body: str = ""
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def action_label(self) -> str:
        return Action(self.action).label


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    description: str
    trigger: str
    offset_minutes: int
    steps: tuple[StepTemplate, ...]

    @property
    def trigger_label(self) -> str:
        return Trigger(self.trigger).label

    @property
    def actions(self) -> list[str]:
        return [step.action for step in self.steps]

    @property
    def action_labels(self) -> list[str]:
        return [Action(action).label for action in self.actions]


SURVEY_PLACEHOLDER = "https://example.com/your-survey (replace with your survey link)"

TEMPLATES: tuple[Template, ...] = (
    Template(
        key="thank-you-email",
        name="Thank You Email",
        description="Sends a thank-you email after a booking is created.",
        trigger=Trigger.BOOKING_CREATED,
        offset_minutes=0,
        steps=(
            StepTemplate(
                action=Action.EMAIL,
                subject="Thanks for booking {{event_type_name}}",
                body=(
                    "Hi {{attendee_name}},\n\n"
                    "Thank you for booking {{event_type_name}} with {{host_name}} on "
                    "{{start_time}}.\n\n"
                    "Need to change it? Reschedule: {{reschedule_url}}\n"
                    "Cancel: {{cancel_url}}\n\n"
                    "See you soon,\n{{host_name}}"
                ),
            ),
        ),
    ),
    Template(
        key="meeting-reminder",
        name="Meeting Reminder",
        description="Sends an SMS reminder before the meeting starts.",
        trigger=Trigger.BEFORE_START,
        offset_minutes=60,
        steps=(
            StepTemplate(
                action=Action.SMS,
                body=(
                    "Reminder: {{event_type_name}} with {{host_name}} starts at {{start_time}}. "
                    "Join: {{meeting_url}}"
                ),
            ),
        ),
    ),
    Template(
        key="team-notification",
        name="Team Notification",
        description="Posts a Slack message when a booking is created.",
        trigger=Trigger.BOOKING_CREATED,
        offset_minutes=0,
        steps=(
            StepTemplate(
                action=Action.SLACK,
                body=(
                    "New booking: {{attendee_name}} ({{attendee_email}}) booked "
                    "{{event_type_name}} with {{host_name}} for {{start_time_host}}."
                ),
                config={"slack_url": ""},
            ),
        ),
    ),
    Template(
        key="payment-confirmation",
        name="Payment Confirmation",
        description="Sends an email after a payment is received.",
        trigger=Trigger.PAYMENT_RECEIVED,
        offset_minutes=0,
        steps=(
            StepTemplate(
                action=Action.EMAIL,
                subject="Payment received for {{event_type_name}}",
                body=(
                    "Hi {{attendee_name}},\n\n"
                    "We received your payment for {{event_type_name}} on {{start_time}}. "
                    "Your booking is confirmed.\n\n"
                    "Thanks,\n{{host_name}}"
                ),
            ),
        ),
    ),
    Template(
        key="cancellation-follow-up",
        name="Cancellation Follow-up",
        description="Sends an email when someone cancels a booking.",
        trigger=Trigger.BOOKING_CANCELLED,
        offset_minutes=0,
        steps=(
            StepTemplate(
                action=Action.EMAIL,
                subject="Sorry we missed you: {{event_type_name}}",
                body=(
                    "Hi {{attendee_name}},\n\n"
                    "Your booking for {{event_type_name}} on {{start_time}} was cancelled. "
                    "If you'd still like to meet, we'd be glad to find another time.\n\n"
                    "Best,\n{{host_name}}"
                ),
            ),
        ),
    ),
    Template(
        key="post-meeting-survey",
        name="Post-Meeting Survey",
        description="Sends a survey email after the meeting ends.",
        trigger=Trigger.AFTER_END,
        offset_minutes=30,
        steps=(
            StepTemplate(
                action=Action.EMAIL,
                subject="How was {{event_type_name}}?",
                body=(
                    "Hi {{attendee_name}},\n\n"
                    "Thanks for meeting with {{host_name}}. Could you tell us how it went? "
                    f"It takes a minute: {SURVEY_PLACEHOLDER}\n\n"
                    "Thank you!"
                ),
            ),
        ),
    ),
    Template(
        key="reconfirmation",
        name="Reconfirmation",
        description=(
            "Asks the attendee two days ahead to confirm they are still coming; without an "
            "answer within a day, the booking is cancelled and the time released."
        ),
        trigger=Trigger.BEFORE_START,
        offset_minutes=48 * 60,
        steps=(
            StepTemplate(
                action=Action.RECONFIRM,
                subject="Please confirm you can still make {{event_type_name}}",
                body=(
                    "Hi {{attendee_name}},\n\n"
                    "You're booked for {{event_type_name}} on {{start_time}}.\n"
                    "Please confirm you can still make it: {{reconfirm_url}}\n\n"
                    "If we don't hear from you by {{reconfirm_deadline}}, the time will be "
                    "released.\nCan't make it? {{reschedule_url}}"
                ),
                config={"deadline_minutes": 24 * 60},
            ),
        ),
    ),
    Template(
        key="no-show-follow-up",
        name="No-show follow-up",
        description="Emails an attendee marked as a no-show a link to pick another time.",
        trigger=Trigger.NO_SHOW,
        offset_minutes=0,
        steps=(
            StepTemplate(
                action=Action.EMAIL,
                subject="We missed you at {{event_type_name}}",
                body=(
                    "Hi {{attendee_name}},\n\n"
                    "We missed you at {{event_type_name}} on {{start_time}}. "
                    "If you'd still like to meet, pick another time: {{booking_page_url}}\n\n"
                    "Best,\n{{host_name}}"
                ),
            ),
        ),
    ),
)

BY_KEY: dict[str, Template] = {template.key: template for template in TEMPLATES}


def get(key: str) -> Template | None:
    return BY_KEY.get(key)


def create_from_template(template: Template, *, workspace: Workspace) -> Workflow:
    """A disabled workflow with the template's steps, for the host to review and enable.

    Raises :class:`workflows.plans.PlanLimit` (and writes nothing) when the template uses an
    action the workspace's plan does not include.
    """
    with transaction.atomic():
        locked = plans.lock_workspace(workspace.pk)
        plans.check_actions(locked.plan, template.actions)
        workflow = Workflow.objects.create(
            workspace=locked,
            name=template.name,
            trigger=template.trigger,
            offset_minutes=template.offset_minutes,
            all_links=True,
            is_enabled=False,
            template_key=template.key,
        )
        WorkflowStep.objects.bulk_create(
            WorkflowStep(
                workflow=workflow,
                position=position,
                action=step.action,
                recipient=step.recipient,
                subject=step.subject,
                body=step.body,
                config=dict(step.config),
            )
            for position, step in enumerate(template.steps)
        )
    return workflow
