"""Workflow settings at /calendar/workflows: list, create (blank or from a template), edit,
enable/disable under the plan's limits, delete, and who may do what.

Plain ``Client`` tests against the views, posting what a browser posts; HTMX is checked only
where a view answers it differently. Every refused submission is checked to change nothing.
"""

from __future__ import annotations

import html
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tests.conftest import login
from tests.factories import LinkFactory, MembershipFactory
from workestra import plans
from workestra.models import Membership, Workspace
from workflows import context, render, services
from workflows import templates_catalog as catalog
from workflows.models import OutboxMessage, WebhookEndpoint, Workflow, WorkflowRun, WorkflowStep

LIST_URL = "/calendar/workflows"
NEW_URL = "/calendar/workflows/new"
BLANK_URL = "/calendar/workflows/new/blank"
HTMX = {"HX-Request": "true"}
STEP_FIELDS = (
    "id",
    "action",
    "recipient",
    "address",
    "subject",
    "body",
    "slack_url",
    "endpoint",
    "agent_url",
    "deadline_value",
    "deadline_unit",
)
THANKS = {
    "action": "email",
    "recipient": "attendee",
    "subject": "Thanks {{attendee_name}}",
    "body": "See you at {{start_time}}.",
}
FREE_LIMIT = "Your Free plan allows 3 active workflows. Disable one or upgrade to Pro."
PRO_LIMIT = "Your Pro plan allows 10 active workflows. Disable one or upgrade to Business."
SMS_REFUSED = (
    "SMS actions need the Pro plan or higher; your workspace is on the Free plan. "
    "Upgrade to Pro to use them."
)
VOICE_REFUSED = (
    "AI voice call actions need the Business plan; your workspace is on the Pro plan. "
    "Upgrade to Business to use them."
)


def edit_url(workflow: Workflow) -> str:
    return f"/calendar/workflows/{workflow.pk}"


def toggle_url(workflow: Workflow) -> str:
    return f"/calendar/workflows/{workflow.pk}/toggle"


def delete_url(workflow: Workflow) -> str:
    return f"/calendar/workflows/{workflow.pk}/delete"


def send_test_url(workflow: Workflow) -> str:
    return f"/calendar/workflows/{workflow.pk}/test"


def runs_url(workflow: Workflow) -> str:
    return f"/calendar/workflows/{workflow.pk}/runs"


def form_data(
    steps: list[dict[str, str]] | None = None, *, rows: int = 5, **overrides: Any
) -> dict[str, Any]:
    """A complete submission of the workflow form, as a browser sends it (five step rows).

    An override of ``None`` leaves the key out, like an unticked checkbox.
    """
    steps = [THANKS] if steps is None else steps
    data: dict[str, Any] = {
        "name": "Thank you",
        "trigger": "booking_created",
        "offset_value": "",
        "offset_unit": "minutes",
        "applies_to": "all",
        "is_enabled": "on",
        "steps-TOTAL_FORMS": str(rows),
        "steps-INITIAL_FORMS": "5",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "5",
    }
    for i in range(rows):
        row = {name: "" for name in STEP_FIELDS}
        row.update(recipient="attendee", deadline_unit="hours")
        if i < len(steps):
            row.update(steps[i])
        data.update({f"steps-{i}-{name}": value for name, value in row.items()})
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def resubmission(response) -> dict[str, Any]:
    """What the browser posts back when the host saves a rendered form without touching it."""
    data: dict[str, Any] = {}
    forms = [response.context["form"], response.context["formset"].management_form]
    forms += list(response.context["formset"].forms)
    for form in forms:
        for field in form:
            value = field.value()
            if getattr(field.field.widget, "input_type", "") == "checkbox" and not isinstance(
                value, list
            ):
                if value:
                    data[field.html_name] = "on"
            elif isinstance(value, list):
                data[field.html_name] = [str(v) for v in value]
            else:
                data[field.html_name] = "" if value is None else str(value)
    return data


def snapshot() -> dict[str, list[dict[str, Any]]]:
    through = Workflow.links.through
    return {
        "workflows": list(Workflow.objects.order_by("pk").values()),
        "steps": list(WorkflowStep.objects.order_by("pk").values()),
        "links": list(through.objects.order_by("pk").values()),
    }


def make_workflow(workspace, *, name="Thanks", enabled=False, steps=None, **fields) -> Workflow:
    workflow = Workflow.objects.create(
        workspace=workspace,
        name=name,
        trigger=fields.pop("trigger", Workflow.Trigger.BOOKING_CREATED),
        is_enabled=enabled,
        **fields,
    )
    for position, step in enumerate(steps or [THANKS]):
        WorkflowStep.objects.create(workflow=workflow, position=position, **step)
    return workflow


def set_plan(workspace: Workspace, plan: str) -> None:
    workspace.plan = plan
    workspace.save(update_fields=["plan"])


def assert_error(response, message: str, *, status: int = 400) -> None:
    assert response.status_code == status, response.content.decode()[:2000]
    assert html.escape(message) in response.content.decode()


def step_errors(response, index: int = 0) -> dict[str, list[str]]:
    return response.context["formset"].forms[index].errors


@pytest.fixture
def admin_client(workspace):
    admin = MembershipFactory(
        workspace=workspace, role=Membership.Role.ADMIN, user__email="admin@acme.test"
    ).user
    return login(admin)


@pytest.fixture
def other_workspace(outsider):
    return outsider.memberships.get().workspace


@pytest.fixture
def their_workflow(other_workspace):
    return make_workflow(other_workspace, name="Their secret flow")


# --- List --------------------------------------------------------------------------------


def test_the_nav_links_to_workflows(owner_client):
    page = owner_client.get("/calendar").content.decode()
    assert f'href="{LIST_URL}">Workflows</a>' in page


def test_list_shows_name_trigger_steps_links_and_toggle(owner_client, workspace, link):
    other = LinkFactory(workspace=workspace, owner=link.owner, title="Demo", slug="demo")
    chosen = make_workflow(
        workspace,
        name="Reminder",
        trigger=Workflow.Trigger.BEFORE_START,
        offset_minutes=120,
        all_links=False,
        steps=[THANKS, {**THANKS, "recipient": "host"}],
        enabled=True,
    )
    chosen.links.set([other])
    make_workflow(workspace, name="Thank you note")

    response = owner_client.get(LIST_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Reminder" in page and "Thank you note" in page
    assert "2 hours before the meeting starts" in page
    assert "Send email → Send email" in page
    assert "Demo" in page and "All links" in page
    assert ">Enabled</button>" in page and ">Disabled</button>" in page
    assert "1 active of 3 allowed on the Free plan" in page


def test_list_with_no_workflows_invites_to_create_one(owner_client):
    page = owner_client.get(LIST_URL).content.decode()
    assert "No workflows yet." in page
    assert f'href="{NEW_URL}"' in page


def test_list_never_shows_another_workspaces_workflows(owner_client, their_workflow):
    page = owner_client.get(LIST_URL).content.decode()
    assert "Their secret flow" not in page
    assert f"workflow-{their_workflow.pk}" not in page


def test_signed_out_visitors_are_sent_to_log_in(client):
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert "/login" in response["Location"]


# --- Create from scratch -----------------------------------------------------------------


def test_create_a_workflow_from_scratch(owner_client, workspace):
    response = owner_client.get(BLANK_URL)
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 5

    response = owner_client.post(BLANK_URL, form_data())

    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    workflow = Workflow.objects.get()
    assert (workflow.workspace, workflow.name, workflow.trigger) == (
        workspace,
        "Thank you",
        "booking_created",
    )
    assert workflow.is_enabled and workflow.all_links and workflow.offset_minutes == 0
    step = workflow.steps.get()
    assert (step.position, step.action, step.recipient) == (0, "email", "attendee")
    assert step.subject == "Thanks {{attendee_name}}"
    assert step.body == "See you at {{start_time}}."
    assert "Created “Thank you” (enabled)." in owner_client.get(LIST_URL).content.decode()


def test_five_steps_are_saved_in_order(owner_client):
    steps = [{**THANKS, "subject": f"Step {n}"} for n in range(1, 6)]

    response = owner_client.post(BLANK_URL, form_data(steps))

    assert response.status_code == 302
    saved = Workflow.objects.get().steps.order_by("position")
    assert [(s.position, s.subject) for s in saved] == [(n, f"Step {n + 1}") for n in range(5)]


def test_a_workflow_needs_at_least_one_action(owner_client):
    response = owner_client.post(BLANK_URL, form_data([]))

    assert_error(response, "Add at least one action.")
    assert not Workflow.objects.exists()


def test_a_workflow_runs_at_most_five_actions(owner_client):
    steps = [{**THANKS, "subject": f"Step {n}"} for n in range(6)]

    response = owner_client.post(BLANK_URL, form_data(steps, rows=6))

    assert_error(response, "A workflow runs at most 5 actions.")
    assert snapshot() == {"workflows": [], "steps": [], "links": []}


def test_a_submission_without_the_step_rows_is_refused(owner_client):
    data = {k: v for k, v in form_data().items() if not k.startswith("steps-")}

    response = owner_client.post(BLANK_URL, data)

    assert_error(response, "The form was incomplete. Reload the page and retry.")
    assert not Workflow.objects.exists()


def test_the_workflow_can_be_limited_to_chosen_links(owner_client, workspace, link):
    second = LinkFactory(workspace=workspace, owner=link.owner, title="Demo", slug="demo")
    LinkFactory(workspace=workspace, owner=link.owner, title="Other", slug="other")

    response = owner_client.post(
        BLANK_URL, form_data(applies_to="chosen", chosen_links=[str(link.pk), str(second.pk)])
    )

    assert response.status_code == 302
    workflow = Workflow.objects.get()
    assert not workflow.all_links
    assert set(workflow.links.all()) == {link, second}
    assert set(second.workflows.all()) == {workflow}  # saved through BookingLink.workflows


def test_chosen_links_must_include_at_least_one(owner_client, link):
    response = owner_client.post(BLANK_URL, form_data(applies_to="chosen"))

    assert_error(response, "Pick at least one link, or let the workflow run for every link.")
    assert not Workflow.objects.exists()


@pytest.mark.parametrize("whose", ["other workspace", "deleted"])
def test_links_of_another_workspace_or_deleted_ones_cannot_be_chosen(
    owner_client, link, other_workspace, outsider, whose
):
    if whose == "deleted":
        foreign = LinkFactory(
            workspace=link.workspace, owner=link.owner, slug="gone", deleted_at=link.created_at
        )
    else:
        foreign = LinkFactory(workspace=other_workspace, owner=outsider, slug="theirs")

    response = owner_client.post(
        BLANK_URL, form_data(applies_to="chosen", chosen_links=[str(link.pk), str(foreign.pk)])
    )

    assert response.status_code == 400
    assert "chosen_links" in response.context["form"].errors
    assert not Workflow.objects.exists()


def test_a_name_is_required_and_at_most_120_characters(owner_client):
    blank = owner_client.post(BLANK_URL, form_data(name="   "))
    long = owner_client.post(BLANK_URL, form_data(name="x" * 121))

    assert_error(blank, "Give the workflow a name.")
    assert_error(long, "Ensure this value has at most 120 characters (it has 121).")
    assert not Workflow.objects.exists()


def test_an_unknown_trigger_is_refused(owner_client):
    response = owner_client.post(BLANK_URL, form_data(trigger="booking_deleted"))

    assert response.status_code == 400
    assert "trigger" in response.context["form"].errors
    assert not Workflow.objects.exists()


# --- Offsets -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "minutes"),
    [("45", "minutes", 45), ("2", "hours", 120), ("720", "hours", 43200)],
)
def test_timed_offsets_are_saved_in_minutes(owner_client, value, unit, minutes):
    response = owner_client.post(
        BLANK_URL, form_data(trigger="before_start", offset_value=value, offset_unit=unit)
    )

    assert response.status_code == 302
    assert Workflow.objects.get().offset_minutes == minutes


@pytest.mark.parametrize(
    ("trigger", "message"),
    [
        ("before_start", "Enter how long before the meeting starts, e.g. 30 minutes or 2 hours."),
        ("after_end", "Enter how long after it ends, e.g. 30 minutes or 2 hours."),
    ],
)
@pytest.mark.parametrize("value", ["", "0"])
def test_before_and_after_need_a_positive_offset(owner_client, trigger, message, value):
    response = owner_client.post(BLANK_URL, form_data(trigger=trigger, offset_value=value))

    assert_error(response, message)
    assert not Workflow.objects.exists()


@pytest.mark.parametrize(
    ("value", "unit", "message"),
    [
        ("43201", "minutes", "Keep the time within 30 days (720 hours)."),
        ("721", "hours", "Keep the time within 30 days (720 hours)."),
        ("-5", "minutes", "Ensure this value is greater than or equal to 0."),
        ("1.5", "hours", "Enter a whole number."),
    ],
)
def test_offsets_out_of_range_are_refused(owner_client, value, unit, message):
    response = owner_client.post(
        BLANK_URL, form_data(trigger="after_end", offset_value=value, offset_unit=unit)
    )

    assert_error(response, message)
    assert not Workflow.objects.exists()


@pytest.mark.parametrize("trigger", ["booking_created", "at_start", "no_show"])
def test_the_offset_is_ignored_for_untimed_triggers_and_at_start(owner_client, trigger):
    response = owner_client.post(BLANK_URL, form_data(trigger=trigger, offset_value="30"))

    assert response.status_code == 302
    assert Workflow.objects.get().offset_minutes == 0


def test_the_edit_form_shows_whole_hours_as_hours(owner_client, workspace):
    workflow = make_workflow(workspace, trigger="before_start", offset_minutes=48 * 60)

    form = owner_client.get(edit_url(workflow)).context["form"]

    assert (form["offset_value"].value(), form["offset_unit"].value()) == (48, "hours")


# --- Variables and step fields -----------------------------------------------------------


@pytest.mark.parametrize("field", ["subject", "body"])
def test_an_unknown_variable_is_refused_with_the_valid_names(owner_client, field):
    step = {**THANKS, field: "Hi {{first_name}} and {{attendee_name}} {{ nope }}"}

    response = owner_client.post(BLANK_URL, form_data([step]))

    assert response.status_code == 400
    [error] = step_errors(response)[field]
    assert error.startswith("Unknown variables: first_name, nope. Valid names: attendee_name,")
    for name in context.booking_provider().variable_names:
        assert name in error
    assert html.escape(error) in response.content.decode()
    assert not Workflow.objects.exists()


def test_an_unknown_variable_in_the_address_is_refused(owner_client):
    step = {**THANKS, "recipient": "address", "address": "{{sales_email}}"}

    response = owner_client.post(BLANK_URL, form_data([step]))

    assert response.status_code == 400
    assert "Unknown variable: sales_email. Valid names:" in step_errors(response)["address"][0]
    assert not Workflow.objects.exists()


def test_a_malformed_variable_is_refused(owner_client):
    step = {**THANKS, "body": "Hi {{first name}}"}

    response = owner_client.post(BLANK_URL, form_data([step]))

    assert response.status_code == 400
    assert step_errors(response)["body"][0].startswith(
        "“{{first name}}” is not a variable: a variable is one word in double braces"
    )
    assert not Workflow.objects.exists()


def test_every_template_uses_only_known_variables():
    for template in catalog.TEMPLATES:
        for step in template.steps:
            for text in (step.subject, step.body):
                assert render.unknown_names(text, context.booking_provider().is_known) == []


@pytest.mark.parametrize(
    ("step", "field", "message"),
    [
        ({"subject": ""}, "subject", "Give the email a subject."),
        ({"body": "  "}, "body", "Write the email's message."),
        ({"recipient": "address"}, "address", "Enter the email address to send to."),
        (
            {"recipient": "address", "address": "not-an-email"},
            "address",
            "Enter an email address, e.g. team@example.com.",
        ),
        (
            {"recipient": "address", "address": "{{attendee_phone}}"},
            "address",
            "{{attendee_phone}} doesn't hold an address of this kind",
        ),
        ({"recipient": "robot"}, "recipient", "Select a valid choice."),
        ({"action": "fax"}, "action", "Select a valid choice."),
        ({"subject": "x" * 201}, "subject", "at most 200 characters"),
        (
            {"body": "Survey: " + catalog.SURVEY_PLACEHOLDER},
            "body",
            "Replace the sample survey link with your own survey's link.",
        ),
        (
            {"action": "slack", "body": "New booking"},
            "slack_url",
            "Enter the Slack webhook URL.",
        ),
        (
            {"action": "slack", "body": "New booking", "slack_url": "https://evil.test/hook"},
            "slack_url",
            "Enter a Slack incoming-webhook URL: https://hooks.slack.com/services/…",
        ),
        ({"action": "slack", "body": ""}, "body", "Write the Slack message."),
        ({"action": "webhook"}, "endpoint", "Choose the webhook endpoint to call."),
    ],
)
def test_step_fields_are_validated(owner_client, step, field, message):
    response = owner_client.post(BLANK_URL, form_data([{**THANKS, **step}]))

    assert response.status_code == 400
    errors = step_errors(response)
    assert any(message in error for error in errors.get(field, [])), errors
    assert not Workflow.objects.exists()


def test_an_email_to_another_address_may_use_an_email_variable(owner_client):
    steps = [
        {**THANKS, "recipient": "address", "address": "sales+{{booking_id}}@acme.test"},
        {**THANKS, "recipient": "address", "address": "{{host_email}}"},
    ]

    response = owner_client.post(BLANK_URL, form_data(steps))

    assert response.status_code == 302
    assert [s.address for s in WorkflowStep.objects.order_by("position")] == [
        "sales+{{booking_id}}@acme.test",
        "{{host_email}}",
    ]


def test_an_address_is_only_kept_for_the_address_recipient(owner_client):
    step = {**THANKS, "recipient": "host", "address": "ignored@acme.test"}

    owner_client.post(BLANK_URL, form_data([step]))

    assert WorkflowStep.objects.get().address == ""


def test_a_webhook_step_stores_the_endpoint_of_this_workspace(
    owner_client, workspace, other_workspace
):
    mine = WebhookEndpoint.objects.create(workspace=workspace, url="https://a.test/h", secret="s")
    theirs = WebhookEndpoint.objects.create(
        workspace=other_workspace, url="https://b.test/h", secret="s"
    )

    refused = owner_client.post(
        BLANK_URL, form_data([{"action": "webhook", "endpoint": str(theirs.pk)}])
    )
    assert refused.status_code == 400
    assert step_errors(refused)["endpoint"] == ["Choose one of this workspace's webhook endpoints."]
    assert not Workflow.objects.exists()

    saved = owner_client.post(
        BLANK_URL, form_data([{"action": "webhook", "endpoint": str(mine.pk), "body": "x"}])
    )
    assert saved.status_code == 302
    step = WorkflowStep.objects.get()
    assert (step.config, step.body, step.subject) == ({"endpoint_id": mine.pk}, "", "")


def test_a_slack_step_stores_its_url(owner_client):
    url = "https://hooks.slack.com/services/T000/B000/XXXX"

    owner_client.post(BLANK_URL, form_data([{"action": "slack", "body": "Hi", "slack_url": url}]))

    assert WorkflowStep.objects.get().config == {"slack_url": url}


def test_reconfirmation_is_asked_before_the_meeting_with_a_deadline_before_it(owner_client):
    reconfirm = {"action": "reconfirm", "deadline_value": "24", "deadline_unit": "hours"}

    wrong_trigger = owner_client.post(BLANK_URL, form_data([reconfirm]))
    too_late = owner_client.post(
        BLANK_URL,
        form_data([reconfirm], trigger="before_start", offset_value="12", offset_unit="hours"),
    )
    no_deadline = owner_client.post(
        BLANK_URL,
        form_data([{**reconfirm, "deadline_value": ""}], trigger="before_start", offset_value="48"),
    )
    no_link = owner_client.post(
        BLANK_URL,
        form_data(
            [{**reconfirm, "body": "Are you coming?"}],
            trigger="before_start",
            offset_value="48",
            offset_unit="hours",
        ),
    )

    assert_error(
        wrong_trigger, "Ask for a reconfirmation with the “Before the meeting starts” trigger."
    )
    assert_error(too_late, "The deadline must fall before the meeting: asked 12 hours ahead")
    assert_error(no_deadline, "Enter how long the attendee has to reconfirm.")
    assert_error(no_link, "Include {{reconfirm_url}} so the attendee can reconfirm")
    assert not Workflow.objects.exists()

    saved = owner_client.post(
        BLANK_URL,
        form_data([reconfirm], trigger="before_start", offset_value="48", offset_unit="hours"),
    )
    assert saved.status_code == 302
    step = WorkflowStep.objects.get()
    assert (step.config, step.recipient) == ({"deadline_minutes": 24 * 60}, "attendee")


# --- Plans: actions ----------------------------------------------------------------------


SMS_TO_ME = {"action": "sms", "recipient": "address", "address": "+1 415 555 0100", "body": "Hi"}


def test_sms_is_refused_on_free(owner_client):
    response = owner_client.post(BLANK_URL, form_data([SMS_TO_ME]))

    assert_error(response, SMS_REFUSED)
    assert not Workflow.objects.exists()


def test_sms_is_allowed_on_pro_with_the_number_in_e164(owner_client, workspace):
    set_plan(workspace, "pro")

    response = owner_client.post(BLANK_URL, form_data([SMS_TO_ME]))

    assert response.status_code == 302
    step = WorkflowStep.objects.get()
    assert (step.action, step.address, step.subject) == ("sms", "+14155550100", "")


def test_an_sms_address_must_be_a_real_number(owner_client, workspace):
    set_plan(workspace, "pro")

    response = owner_client.post(BLANK_URL, form_data([{**SMS_TO_ME, "address": "555-0100"}]))

    assert_error(
        response, "Enter the phone number with its country code (E.164), e.g. +14155550100."
    )
    assert not Workflow.objects.exists()


@pytest.mark.parametrize("plan", ["free", "pro"])
def test_voice_is_refused_below_business(owner_client, workspace, plan):
    set_plan(workspace, plan)

    response = owner_client.post(BLANK_URL, form_data([{"action": "voice"}]))

    assert response.status_code == 400
    if plan == "pro":
        assert html.escape(VOICE_REFUSED) in response.content.decode()
    assert "AI voice call actions need the Business plan" in step_errors(response)["action"][0]
    assert not Workflow.objects.exists()


def test_voice_is_allowed_on_business_with_an_optional_agent_url(owner_client, workspace):
    set_plan(workspace, "business")

    bad = owner_client.post(
        BLANK_URL, form_data([{"action": "voice", "agent_url": "http://agent.test"}])
    )
    assert_error(bad, "Enter the agent's full address starting with https://.")

    good = owner_client.post(
        BLANK_URL, form_data([{"action": "voice", "agent_url": "https://agent.test/call"}])
    )
    assert good.status_code == 302
    assert WorkflowStep.objects.get().config == {"agent_url": "https://agent.test/call"}


def test_adding_sms_to_an_existing_workflow_on_free_changes_nothing(owner_client, workspace):
    workflow = make_workflow(workspace, enabled=True)
    before = snapshot()

    response = owner_client.post(edit_url(workflow), form_data([THANKS, SMS_TO_ME], name="Renamed"))

    assert_error(response, SMS_REFUSED)
    assert snapshot() == before


def test_webhooks_are_on_every_plan():
    for plan in ("free", "pro", "business"):
        assert plans.allows(plan, "webhook")
        assert plans.allows(plan, "email")
        assert plans.allows(plan, "slack")


# --- Plans: active workflows -------------------------------------------------------------


def test_free_allows_three_active_workflows(owner_client, workspace):
    for n in range(3):
        assert owner_client.post(BLANK_URL, form_data(name=f"Flow {n}")).status_code == 302
    before = snapshot()

    response = owner_client.post(BLANK_URL, form_data(name="Fourth"))

    assert_error(response, FREE_LIMIT)
    assert snapshot() == before
    # A disabled one can still be created.
    assert owner_client.post(BLANK_URL, form_data(name="Off", is_enabled=None)).status_code == 302
    assert Workflow.objects.filter(is_enabled=True).count() == 3


def test_enabling_by_saving_an_existing_workflow_respects_the_limit(owner_client, workspace):
    for n in range(3):
        make_workflow(workspace, name=f"On {n}", enabled=True)
    off = make_workflow(workspace, name="Off")
    before = snapshot()

    response = owner_client.post(edit_url(off), form_data(name="Off but renamed"))

    assert_error(response, FREE_LIMIT)
    assert snapshot() == before
    assert response.context["workflow"].name == "Off"


def test_an_active_workflow_at_the_limit_can_still_be_edited(owner_client, workspace):
    flows = [make_workflow(workspace, name=f"On {n}", enabled=True) for n in range(3)]

    response = owner_client.post(edit_url(flows[0]), form_data(name="Still on"))

    assert response.status_code == 302
    flows[0].refresh_from_db()
    assert flows[0].name == "Still on" and flows[0].is_enabled


def test_the_toggle_refuses_the_fourth_on_free_with_the_message(owner_client, workspace):
    for n in range(3):
        make_workflow(workspace, name=f"On {n}", enabled=True)
    off = make_workflow(workspace, name="Off")

    response = owner_client.post(toggle_url(off), headers=HTMX)

    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="workflow-{off.pk}"' in page
    assert html.escape(FREE_LIMIT) in page
    assert ">Disabled</button>" in page
    off.refresh_from_db()
    assert not off.is_enabled


def test_the_toggle_without_htmx_redirects_with_the_message(owner_client, workspace):
    for n in range(3):
        make_workflow(workspace, name=f"On {n}", enabled=True)
    off = make_workflow(workspace, name="Off")

    response = owner_client.post(toggle_url(off), follow=True)

    assert html.escape(FREE_LIMIT) in response.content.decode()
    off.refresh_from_db()
    assert not off.is_enabled


def test_pro_allows_ten_active_workflows(owner_client, workspace):
    set_plan(workspace, "pro")
    for n in range(9):
        make_workflow(workspace, name=f"On {n}", enabled=True)
    tenth, eleventh = make_workflow(workspace, name="Tenth"), make_workflow(workspace, name="11")

    assert owner_client.post(toggle_url(tenth)).status_code == 302
    response = owner_client.post(toggle_url(eleventh), headers=HTMX)

    assert html.escape(PRO_LIMIT) in response.content.decode()
    assert Workflow.objects.filter(is_enabled=True).count() == 10
    eleventh.refresh_from_db()
    assert not eleventh.is_enabled


def test_business_has_no_limit(owner_client, workspace):
    set_plan(workspace, "business")
    for n in range(12):
        make_workflow(workspace, name=f"On {n}", enabled=True)
    extra = make_workflow(workspace, name="Thirteenth")

    owner_client.post(toggle_url(extra))

    extra.refresh_from_db()
    assert extra.is_enabled
    assert "no limit on the Business plan" in owner_client.get(LIST_URL).content.decode()


def test_other_workspaces_active_workflows_do_not_count(owner_client, workspace, other_workspace):
    for n in range(3):
        make_workflow(other_workspace, name=f"Theirs {n}", enabled=True)

    response = owner_client.post(BLANK_URL, form_data())

    assert response.status_code == 302


def test_enabling_a_workflow_with_sms_after_a_downgrade_is_refused(owner_client, workspace):
    workflow = make_workflow(workspace, steps=[{"action": "sms", "body": "Hi"}])

    response = owner_client.post(toggle_url(workflow), headers=HTMX)

    assert "SMS actions need the Pro plan or higher" in response.content.decode()
    workflow.refresh_from_db()
    assert not workflow.is_enabled


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_requests_racing_to_enable_never_pass_the_limit():
    member = MembershipFactory(role=Membership.Role.OWNER)
    workspace = member.workspace
    make_workflow(workspace, name="Already on", enabled=True)
    racers = [make_workflow(workspace, name=f"Racer {n}") for n in range(6)]
    barrier = threading.Barrier(len(racers))
    pages: list[str] = []
    lock = threading.Lock()

    def attempt(workflow: Workflow) -> None:
        client = Client()
        client.force_login(member.user)
        barrier.wait()
        try:
            response = client.post(toggle_url(workflow), headers=HTMX)
            with lock:
                pages.append(response.content.decode())
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(w,)) for w in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(pages) == len(racers)
    assert Workflow.objects.filter(workspace=workspace, is_enabled=True).count() == 3
    assert sum(html.escape(FREE_LIMIT) in page for page in pages) == len(racers) - 2


# --- Templates ---------------------------------------------------------------------------


def test_the_gallery_offers_scratch_and_every_template(owner_client):
    response = owner_client.get(NEW_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="{BLANK_URL}"' in page
    names = [t.name for t in catalog.TEMPLATES]
    assert names == [
        "Thank You Email",
        "Meeting Reminder",
        "Team Notification",
        "Payment Confirmation",
        "Cancellation Follow-up",
        "Post-Meeting Survey",
        "Reconfirmation",
        "No-show follow-up",
    ]
    for template in catalog.TEMPLATES:
        assert html.escape(template.name) in page
        assert f"?template={template.key}" in page


def test_a_template_is_previewed_before_it_is_created(owner_client):
    response = owner_client.get(f"{NEW_URL}?template=post-meeting-survey")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Post-Meeting Survey" in page and "30 minutes after the meeting ends" in page
    assert ">Use this template</button>" in page
    assert not Workflow.objects.exists()  # a GET never creates


def test_an_unknown_template_is_a_404_with_the_gallery(owner_client):
    response = owner_client.get(f"{NEW_URL}?template=nope")
    posted = owner_client.post(NEW_URL, {"template": "nope"})

    assert response.status_code == posted.status_code == 404
    assert "There is no such template." in response.content.decode()
    assert not Workflow.objects.exists()


EXPECTED = {
    "thank-you-email": ("booking_created", 0, ["email"]),
    "meeting-reminder": ("before_start", 60, ["sms"]),
    "team-notification": ("booking_created", 0, ["slack"]),
    "payment-confirmation": ("payment_received", 0, ["email"]),
    "cancellation-follow-up": ("booking_cancelled", 0, ["email"]),
    "post-meeting-survey": ("after_end", 30, ["email"]),
    "reconfirmation": ("before_start", 48 * 60, ["reconfirm"]),
    "no-show-follow-up": ("no_show", 0, ["email"]),
}


@pytest.mark.parametrize("key", list(EXPECTED))
def test_create_from_each_template_makes_a_disabled_workflow(owner_client, workspace, key):
    set_plan(workspace, "business")

    response = owner_client.post(NEW_URL, {"template": key})

    workflow = Workflow.objects.get()
    assert response.status_code == 302
    assert response["Location"] == edit_url(workflow)
    trigger, offset, actions = EXPECTED[key]
    assert (workflow.trigger, workflow.offset_minutes, workflow.template_key) == (
        trigger,
        offset,
        key,
    )
    assert workflow.name == catalog.get(key).name
    assert not workflow.is_enabled and workflow.all_links
    assert [s.action for s in workflow.steps.order_by("position")] == actions
    page = owner_client.get(edit_url(workflow))
    assert page.status_code == 200
    assert "Review the actions, then enable it." in page.content.decode()


def test_template_details(workspace):
    set_plan(workspace, "business")
    made = {
        t.key: services.workflow_create_from_template(template=t, workspace=workspace)
        for t in catalog.TEMPLATES
    }

    thanks = made["thank-you-email"].steps.get()
    assert (thanks.recipient, thanks.subject) == (
        "attendee",
        "Thanks for booking {{event_type_name}}",
    )
    assert made["reconfirmation"].steps.get().config == {"deadline_minutes": 24 * 60}
    assert "{{booking_page_url}}" in made["no-show-follow-up"].steps.get().body
    assert catalog.SURVEY_PLACEHOLDER in made["post-meeting-survey"].steps.get().body
    assert made["meeting-reminder"].steps.get().recipient == "attendee"


def test_a_template_saved_unchanged_from_its_edit_page_keeps_its_steps(owner_client, workspace):
    owner_client.post(NEW_URL, {"template": "thank-you-email"})
    workflow = Workflow.objects.get()
    step = workflow.steps.get()

    page = owner_client.get(edit_url(workflow))
    response = owner_client.post(edit_url(workflow), resubmission(page))

    assert response.status_code == 302
    saved = WorkflowStep.objects.get()
    assert (saved.pk, saved.subject, saved.body) == (step.pk, step.subject, step.body)
    workflow.refresh_from_db()
    assert not workflow.is_enabled


def test_the_survey_template_must_get_a_real_link_before_saving(owner_client, workspace):
    owner_client.post(NEW_URL, {"template": "post-meeting-survey"})
    workflow = Workflow.objects.get()
    data = resubmission(owner_client.get(edit_url(workflow)))

    refused = owner_client.post(edit_url(workflow), data)
    data["steps-0-body"] = data["steps-0-body"].replace(
        catalog.SURVEY_PLACEHOLDER, "https://forms.acme.test/s"
    )
    saved = owner_client.post(edit_url(workflow), data)

    assert_error(refused, "Replace the sample survey link with your own survey's link.")
    assert saved.status_code == 302
    assert "https://forms.acme.test/s" in WorkflowStep.objects.get().body


def test_the_sms_template_is_refused_on_free(owner_client):
    response = owner_client.post(NEW_URL, {"template": "meeting-reminder"})
    preview = owner_client.get(f"{NEW_URL}?template=meeting-reminder")

    assert_error(response, SMS_REFUSED, status=403)
    assert not Workflow.objects.exists()
    assert html.escape(SMS_REFUSED) in preview.content.decode()
    assert "disabled>Use this template" in preview.content.decode()


@pytest.mark.parametrize(
    ("key", "ready"),
    [
        ("thank-you-email", True),
        ("meeting-reminder", True),
        ("team-notification", False),  # needs the Slack URL
        ("payment-confirmation", True),
        ("cancellation-follow-up", True),
        ("post-meeting-survey", False),  # needs the real survey link
        ("reconfirmation", True),
        ("no-show-follow-up", True),
    ],
)
def test_templates_that_need_nothing_more_can_be_enabled_from_the_list(
    owner_client, workspace, key, ready
):
    set_plan(workspace, "business")
    owner_client.post(NEW_URL, {"template": key})
    workflow = Workflow.objects.get()

    response = owner_client.post(toggle_url(workflow), headers=HTMX)

    workflow.refresh_from_db()
    assert workflow.is_enabled == ready
    assert ("Finish setting up" in response.content.decode()) != ready


def test_a_template_with_a_missing_slack_url_cannot_be_enabled_yet(owner_client, workspace):
    owner_client.post(NEW_URL, {"template": "team-notification"})
    workflow = Workflow.objects.get()

    response = owner_client.post(toggle_url(workflow), headers=HTMX)

    page = response.content.decode()
    assert "Finish setting up “Team Notification” before enabling it:" in html.unescape(page)
    assert "Action 1, Slack webhook URL: Enter the Slack webhook URL." in html.unescape(page)
    workflow.refresh_from_db()
    assert not workflow.is_enabled


# --- Edit --------------------------------------------------------------------------------


def test_edit_updates_steps_in_place_adds_and_removes(owner_client, workspace):
    workflow = make_workflow(
        workspace,
        steps=[{**THANKS, "subject": "One"}, {**THANKS, "subject": "Two"}],
    )
    one, two = workflow.steps.order_by("position")
    steps = [
        {"id": str(one.pk), "action": "", "subject": "One"},  # removed
        {**THANKS, "id": str(two.pk), "subject": "Two, changed"},
        {**THANKS, "subject": "Three"},  # added
    ]

    response = owner_client.post(edit_url(workflow), form_data(steps, name="Renamed"))

    assert response.status_code == 302
    saved = list(workflow.steps.order_by("position"))
    assert [(s.pk == two.pk, s.position, s.subject) for s in saved] == [
        (True, 0, "Two, changed"),
        (False, 1, "Three"),
    ]
    assert not WorkflowStep.objects.filter(pk=one.pk).exists()
    workflow.refresh_from_db()
    assert workflow.name == "Renamed"


def test_a_step_id_of_another_workflow_is_never_touched(owner_client, workspace, their_workflow):
    workflow = make_workflow(workspace)
    theirs = their_workflow.steps.get()

    response = owner_client.post(
        edit_url(workflow), form_data([{**THANKS, "id": str(theirs.pk), "subject": "Mine"}])
    )

    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.subject == THANKS["subject"] and theirs.workflow == their_workflow
    assert workflow.steps.get().subject == "Mine"


def test_a_refused_edit_changes_nothing_and_shows_the_saved_name(owner_client, workspace):
    workflow = make_workflow(workspace, name="Original")
    before = snapshot()

    response = owner_client.post(
        edit_url(workflow), form_data([{**THANKS, "body": "{{oops}}"}], name="Changed")
    )

    assert response.status_code == 400
    assert snapshot() == before
    assert "<h1>Original</h1>" in response.content.decode()


def test_switching_back_to_all_links_clears_the_chosen_ones(owner_client, workspace, link):
    workflow = make_workflow(workspace, all_links=False)
    workflow.links.set([link])

    owner_client.post(edit_url(workflow), form_data())

    workflow.refresh_from_db()
    assert workflow.all_links and not workflow.links.exists()


def test_the_edit_form_shows_the_chosen_links(owner_client, workspace, link):
    workflow = make_workflow(workspace, all_links=False)
    workflow.links.set([link])

    form = owner_client.get(edit_url(workflow)).context["form"]

    assert form["applies_to"].value() == "chosen"
    assert list(form["chosen_links"].value()) == [link.pk]


# --- Toggle and delete -------------------------------------------------------------------


def test_toggle_enables_and_disables_with_htmx(owner_client, workspace):
    workflow = make_workflow(workspace)

    on = owner_client.post(toggle_url(workflow), {"enabled": "1"}, headers=HTMX)
    workflow.refresh_from_db()
    assert workflow.is_enabled
    assert ">Enabled</button>" in on.content.decode()
    assert "<html" not in on.content.decode()

    again = owner_client.post(toggle_url(workflow), {"enabled": "1"}, headers=HTMX)
    workflow.refresh_from_db()
    assert workflow.is_enabled  # asking for the same state twice keeps it
    assert ">Enabled</button>" in again.content.decode()

    off = owner_client.post(toggle_url(workflow), {"enabled": "0"}, headers=HTMX)
    workflow.refresh_from_db()
    assert not workflow.is_enabled
    assert ">Disabled</button>" in off.content.decode()


def test_toggle_without_htmx_flips_and_redirects(owner_client, workspace):
    workflow = make_workflow(workspace)

    response = owner_client.post(toggle_url(workflow), follow=True)

    workflow.refresh_from_db()
    assert workflow.is_enabled
    assert "“Thanks” is now enabled." in response.content.decode()


def test_toggle_and_delete_need_a_post(owner_client, workspace):
    workflow = make_workflow(workspace)

    assert owner_client.get(toggle_url(workflow)).status_code == 405
    assert owner_client.get(send_test_url(workflow)).status_code == 405
    assert owner_client.get(delete_url(workflow)).status_code == 200  # the confirmation page
    assert Workflow.objects.filter(pk=workflow.pk, is_enabled=False).exists()


def test_delete_removes_the_workflow_and_withdraws_waiting_steps(owner_client, workspace):
    from workflows import runner

    workflow = make_workflow(workspace, enabled=True)
    waiting = runner.enqueue_step(
        workflow,
        workflow.steps.get(),
        subject="booking:999",
        occurrence_key="timed:x",
        event="before_start",
        due=None,
        timed=True,
    )

    response = owner_client.post(delete_url(workflow), headers=HTMX)

    assert response.status_code == 200 and response.content == b""
    assert not Workflow.objects.exists()
    assert not WorkflowStep.objects.exists() and not WorkflowRun.objects.exists()
    assert OutboxMessage.objects.get(pk=waiting.pk).state == "withdrawn"


def test_delete_without_htmx_redirects_with_a_message(owner_client, workspace):
    workflow = make_workflow(workspace)

    response = owner_client.post(delete_url(workflow), follow=True)

    assert "Deleted “Thanks”." in response.content.decode()
    assert not Workflow.objects.exists()


# --- Tenancy and roles -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", edit_url),
        ("post", edit_url),
        ("post", toggle_url),
        ("get", delete_url),
        ("post", delete_url),
        ("post", send_test_url),
        ("get", runs_url),
    ],
)
def test_another_workspaces_workflow_is_a_404(owner_client, their_workflow, method, url):
    before = snapshot()

    response = getattr(owner_client, method)(url(their_workflow), form_data())

    assert response.status_code == 404
    assert snapshot() == before
    assert not OutboxMessage.objects.exists()


def test_members_can_look_but_not_change(teammate_client, workspace):
    workflow = make_workflow(workspace)
    before = snapshot()

    listing = teammate_client.get(LIST_URL)
    edit = teammate_client.get(edit_url(workflow))
    runs = teammate_client.get(runs_url(workflow))
    gallery = teammate_client.get(NEW_URL)

    assert listing.status_code == edit.status_code == runs.status_code == gallery.status_code
    assert listing.status_code == 200
    assert "Create workflow" not in listing.content.decode()
    assert "Only workspace admins can change workflows." in edit.content.decode()
    assert ">Save</button>" not in edit.content.decode()
    assert ">Send test</button>" not in edit.content.decode()
    for response in (
        teammate_client.get(BLANK_URL),
        teammate_client.post(BLANK_URL, form_data()),
        teammate_client.post(NEW_URL, {"template": "thank-you-email"}),
        teammate_client.post(edit_url(workflow), form_data(name="Mine now")),
        teammate_client.post(toggle_url(workflow), headers=HTMX),
        teammate_client.get(delete_url(workflow)),
        teammate_client.post(delete_url(workflow)),
        teammate_client.post(send_test_url(workflow)),
    ):
        assert response.status_code == 403
    assert snapshot() == before
    assert not OutboxMessage.objects.exists()


def test_workspace_admins_can_change(admin_client, workspace):
    workflow = make_workflow(workspace)

    assert admin_client.post(edit_url(workflow), form_data(name="By admin")).status_code == 302
    assert admin_client.post(toggle_url(workflow), {"enabled": "0"}).status_code == 302
    assert admin_client.post(BLANK_URL, form_data(name="New")).status_code == 302
    assert admin_client.post(delete_url(workflow)).status_code == 302
    assert list(Workflow.objects.values_list("name", flat=True)) == ["New"]


def test_a_user_without_a_workspace_gets_the_no_workspace_page(unused_user):
    response = login(unused_user).get(LIST_URL)
    assert response.status_code == 403
