"""The workflow services called directly: what each writes, and what it refuses to write."""

from __future__ import annotations

import pytest

from tests.factories import LinkFactory
from tests.workflows.test_workflow_settings import THANKS, make_workflow, set_plan
from workestra import plans
from workflows import outbox, runner, services
from workflows import templates_catalog as catalog
from workflows.models import OutboxMessage, WebhookEndpoint, Workflow, WorkflowRun, WorkflowStep
from workflows.services import StepData

EMAIL = StepData(action="email", subject="Thanks {{attendee_name}}", body="See you.")
SMS = StepData(action="sms", body="See you at {{start_time}}.")


def create(workspace, **fields) -> Workflow:
    values = {
        "name": "Thanks",
        "trigger": Workflow.Trigger.BOOKING_CREATED,
        "offset_minutes": 0,
        "is_enabled": False,
        "links": None,
        "steps": [EMAIL],
    }
    return services.workflow_create(workspace=workspace, **{**values, **fields})


def test_create_stores_the_workflow_and_its_steps_in_order(workspace):
    workflow = create(workspace, steps=[EMAIL, StepData(action="slack", body="Booked")])

    stored = Workflow.objects.get()
    assert (stored.pk, stored.name, stored.workspace, stored.all_links) == (
        workflow.pk,
        "Thanks",
        workspace,
        True,
    )
    assert [s.action for s in stored.steps.order_by("position")] == ["email", "slack"]


def test_create_for_chosen_links_runs_only_for_them(workspace, link):
    workflow = create(workspace, links=[link])

    assert not workflow.all_links
    assert list(workflow.links.all()) == [link]


def test_create_refuses_an_action_outside_the_plan_and_writes_nothing(workspace):
    with pytest.raises(plans.PlanLimit, match="SMS actions need the Pro plan"):
        create(workspace, steps=[SMS])

    assert not Workflow.objects.exists() and not WorkflowStep.objects.exists()


def test_create_refuses_one_enabled_workflow_too_many(workspace):
    for number in range(3):
        make_workflow(workspace, name=f"On {number}", enabled=True)

    with pytest.raises(plans.PlanLimit, match="allows 3 active workflows"):
        create(workspace, is_enabled=True)

    assert Workflow.objects.count() == 3


def test_update_keeps_matched_steps_adds_new_ones_and_removes_the_rest(workspace, link):
    workflow = make_workflow(workspace, steps=[THANKS, {**THANKS, "subject": "Gone"}])
    kept, removed = workflow.steps.order_by("position")

    services.workflow_update(
        workflow=workflow,
        name="Renamed",
        trigger=Workflow.Trigger.BEFORE_START,
        offset_minutes=90,
        is_enabled=True,
        links=[link],
        steps=[StepData(action="slack", body="Soon"), StepData(id=kept.pk, action="email")],
    )

    workflow.refresh_from_db()
    assert (workflow.name, workflow.trigger, workflow.offset_minutes, workflow.is_enabled) == (
        "Renamed",
        "before_start",
        90,
        True,
    )
    assert list(workflow.links.all()) == [link]
    steps = list(workflow.steps.order_by("position"))
    assert [s.action for s in steps] == ["slack", "email"]
    assert steps[1].pk == kept.pk
    assert not WorkflowStep.objects.filter(pk=removed.pk).exists()


def test_create_from_template_is_disabled_and_copies_the_steps(workspace):
    template = catalog.get("thank-you-email")

    workflow = services.workflow_create_from_template(template=template, workspace=workspace)

    assert not workflow.is_enabled and workflow.template_key == "thank-you-email"
    assert [s.subject for s in workflow.steps.all()] == [s.subject for s in template.steps]


def test_create_from_template_refuses_actions_outside_the_plan(workspace):
    with pytest.raises(plans.PlanLimit):
        services.workflow_create_from_template(
            template=catalog.get("meeting-reminder"), workspace=workspace
        )

    assert not Workflow.objects.exists()


def test_set_enabled_turns_on_and_off(workspace):
    workflow = make_workflow(workspace)

    services.workflow_set_enabled(workflow=workflow, enabled=True)
    on = Workflow.objects.get().is_enabled
    services.workflow_set_enabled(workflow=workflow, enabled=False)

    assert on and not Workflow.objects.get().is_enabled and not workflow.is_enabled


def test_set_enabled_refuses_past_the_plan_limit(workspace):
    for number in range(3):
        make_workflow(workspace, name=f"On {number}", enabled=True)
    fourth = make_workflow(workspace, name="Fourth")

    with pytest.raises(plans.PlanLimit):
        services.workflow_set_enabled(workflow=fourth, enabled=True)

    assert not Workflow.objects.get(pk=fourth.pk).is_enabled and not fourth.is_enabled


def _waiting_step(workflow: Workflow, subject: str) -> OutboxMessage:
    return runner.enqueue_step(
        workflow,
        workflow.steps.get(),
        subject=subject,
        occurrence_key=f"timed:{workflow.pk}",
        event="before_start",
        due=None,
        timed=True,
    )


def test_delete_withdraws_only_its_own_waiting_steps(workspace):
    doomed = make_workflow(workspace, name="Doomed", enabled=True)
    other = make_workflow(workspace, name="Other", enabled=True)
    mine = _waiting_step(doomed, "booking:1")
    theirs = _waiting_step(other, "booking:1")

    services.workflow_delete(workflow=doomed)

    assert not Workflow.objects.filter(pk=doomed.pk).exists()
    assert OutboxMessage.objects.get(pk=mine.pk).withdrawn_at is not None
    assert OutboxMessage.objects.get(pk=theirs.pk).withdrawn_at is None
    assert WorkflowRun.objects.filter(workflow=other).exists()


def test_withdrawing_needs_a_subject_or_a_workflow(workspace):
    workflow = make_workflow(workspace, enabled=True)
    waiting = _waiting_step(workflow, "booking:1")

    with pytest.raises(ValueError):
        outbox.withdraw()

    assert OutboxMessage.objects.get(pk=waiting.pk).withdrawn_at is None


def test_a_test_run_goes_only_to_the_user(workspace, owner):
    workflow = make_workflow(workspace)

    message = services.workflow_test_run(workflow=workflow, user=owner)

    assert message.subject == f"test:{owner.pk}"
    variables = message.payload["variables"]
    assert variables["attendee_email"] == variables["host_email"] == owner.email


def test_a_test_run_needs_a_step(workspace, owner):
    workflow = make_workflow(workspace)
    workflow.steps.all().delete()

    with pytest.raises(services.NoSteps):
        services.workflow_test_run(workflow=workflow, user=owner)

    assert not OutboxMessage.objects.exists()


def test_a_test_run_refuses_actions_the_plan_lost(workspace, owner):
    set_plan(workspace, "pro")
    workflow = make_workflow(workspace, steps=[{"action": "sms", "body": "Hi"}])
    set_plan(workspace, "free")

    with pytest.raises(plans.PlanLimit):
        services.workflow_test_run(workflow=workflow, user=owner)

    assert not OutboxMessage.objects.exists()


def test_webhook_endpoints_are_created_enabled_and_deleted(workspace):
    endpoint = services.webhook_endpoint_create(workspace=workspace, url="https://example.com/h")
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False, disabled_reason="410")
    endpoint.refresh_from_db()

    services.webhook_endpoint_enable(endpoint=endpoint)
    stored = WebhookEndpoint.objects.get()
    services.webhook_endpoint_delete(endpoint=endpoint)

    assert stored.secret and stored.workspace == workspace
    assert (stored.is_active, stored.disabled_reason) == (True, "")
    assert not WebhookEndpoint.objects.exists()


def test_two_endpoints_get_different_secrets(workspace):
    one = services.webhook_endpoint_create(workspace=workspace, url="https://example.com/1")
    two = services.webhook_endpoint_create(workspace=workspace, url="https://example.com/2")

    assert one.secret != two.secret


def test_chosen_links_are_kept_per_workflow(workspace, link):
    other = LinkFactory(workspace=workspace, owner=link.owner, slug="other")

    workflow = create(workspace, links=[other])

    assert list(workflow.links.all()) == [other]


# --- Problems of a stored workflow -----------------------------------------------------------

RECONFIRM = {"action": "reconfirm", "config": {"deadline_minutes": 120}}


def problems(workflow: Workflow) -> list[str]:
    return services.workflow_problems(workflow=workflow)


def test_a_complete_workflow_has_no_problems(workspace):
    assert problems(make_workflow(workspace)) == []


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("team-notification", ["Action 1, Slack webhook URL: Enter the Slack webhook URL."]),
        (
            "post-meeting-survey",
            ["Action 1, Message: Replace the sample survey link with your own survey's link."],
        ),
        ("reconfirmation", []),
    ],
)
def test_templates_name_what_is_left_to_set_up(workspace, key, expected):
    set_plan(workspace, "business")
    workflow = services.workflow_create_from_template(
        template=catalog.get(key), workspace=workspace
    )

    assert problems(workflow) == expected


def test_a_deleted_webhook_endpoint_is_a_problem(workspace):
    endpoint = services.webhook_endpoint_create(workspace=workspace, url="https://example.com/h")
    workflow = make_workflow(
        workspace, steps=[{"action": "webhook", "config": {"endpoint_id": endpoint.pk}}]
    )
    ready = problems(workflow)

    services.webhook_endpoint_delete(endpoint=endpoint)

    assert ready == []
    assert problems(workflow) == [
        "Action 1, Webhook endpoint: Choose one of this workspace's webhook endpoints."
    ]


def test_an_action_the_plan_no_longer_includes_is_a_problem(workspace):
    set_plan(workspace, "pro")
    workflow = make_workflow(workspace, steps=[THANKS, {"action": "sms", "body": "Hi"}])
    set_plan(workspace, "free")

    assert problems(workflow) == [
        "Action 2, Action: SMS actions need the Pro plan or higher; your workspace is on the "
        "Free plan. Upgrade to Pro to use them."
    ]


def test_links_all_deleted_and_a_missing_offset_are_problems(workspace, link):
    workflow = make_workflow(
        workspace, trigger=Workflow.Trigger.BEFORE_START, offset_minutes=0, all_links=False
    )
    workflow.links.set([link])
    link.deleted_at = link.created_at
    link.save()

    assert problems(workflow) == [
        "How long: Enter how long before the meeting starts, e.g. 30 minutes or 2 hours.",
        "Links: Pick at least one link, or let the workflow run for every link.",
    ]


def test_a_workflow_without_steps_needs_an_action(workspace):
    workflow = make_workflow(workspace)
    workflow.steps.all().delete()

    assert problems(workflow) == ["Add at least one action."]


def test_unknown_variables_are_named(workspace):
    workflow = make_workflow(workspace, steps=[{**THANKS, "subject": "Hi {{nmae}}"}])

    [problem] = problems(workflow)

    assert problem.startswith("Action 1, Subject: Unknown variable: nmae. Valid names: ")


@pytest.mark.parametrize(
    ("trigger", "offset", "expected"),
    [
        (Workflow.Trigger.BEFORE_START, 24 * 60, []),
        (
            Workflow.Trigger.BEFORE_START,
            120,
            [
                "Action 1, Reconfirm within: The deadline must fall before the meeting: asked "
                "2 hours ahead, give less than that to reconfirm."
            ],
        ),
        (
            Workflow.Trigger.BOOKING_CREATED,
            0,
            [
                "Action 1, Action: Ask for a reconfirmation with the “Before the meeting "
                "starts” trigger."
            ],
        ),
    ],
)
def test_a_reconfirmation_must_be_asked_before_the_meeting_in_time(
    workspace, trigger, offset, expected
):
    workflow = make_workflow(workspace, trigger=trigger, offset_minutes=offset, steps=[RECONFIRM])

    assert problems(workflow) == expected
