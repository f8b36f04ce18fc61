"""The workflow editor shows each step only the fields of its chosen action: on the server's page
already, and after "Update fields" without a script; the hidden ones stay in the page for the
script to reveal."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.workflows.test_workflow_settings import BLANK_URL, edit_url, form_data
from workflows.models import Workflow, WorkflowStep

PER_ACTION = {
    "email": {"action", "recipient", "address", "subject", "body"},
    "sms": {"action", "recipient", "address", "body"},
    "slack": {"action", "body", "slack_url"},
    "webhook": {"action", "endpoint"},
    "voice": {"action", "recipient", "address", "body", "agent_url"},
    "reconfirm": {"action", "subject", "body", "deadline_value", "deadline_unit"},
    "": {"action"},
}


class _Fields(HTMLParser):
    """Each form field's name and whether a reader sees it (no ``hidden`` ancestor)."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden_divs: list[bool] = []
        self.visible: dict[str, bool] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "div":
            self.hidden_divs.append("hidden" in names)
        elif tag in ("input", "select", "textarea") and names.get("type") != "hidden":
            name = names.get("name") or ""
            self.visible[name] = not any(self.hidden_divs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "div":
            self.hidden_divs.pop()


def shown(response, row: int) -> set[str]:
    """The names of the fields of step ``row`` (0-based) that the page shows."""
    parser = _Fields()
    parser.feed(response.content.decode())
    prefix = f"steps-{row}-"
    return {
        name.removeprefix(prefix)
        for name, visible in parser.visible.items()
        if visible and name.startswith(prefix)
    }


def in_page(response, row: int) -> set[str]:
    parser = _Fields()
    parser.feed(response.content.decode())
    prefix = f"steps-{row}-"
    return {name.removeprefix(prefix) for name in parser.visible if name.startswith(prefix)}


@pytest.fixture
def workflow(owner_client):
    owner_client.post(BLANK_URL, form_data())
    return Workflow.objects.get()


def test_a_stored_step_shows_only_its_actions_fields(owner_client, workflow):
    response = owner_client.get(edit_url(workflow))

    assert shown(response, 0) == PER_ACTION["email"]
    assert shown(response, 1) == PER_ACTION[""]  # an unused row: just the choice of action
    # The others are in the page, hidden, for the script to show when the action changes.
    assert in_page(response, 0) >= {"slack_url", "endpoint", "agent_url", "deadline_value"}


@pytest.mark.parametrize("action", ["sms", "slack", "webhook", "voice", "reconfirm", ""])
def test_update_shows_the_fields_of_the_action_picked_without_saving(
    owner_client, workflow, action
):
    data = form_data([{"action": action, "subject": "Kept", "body": "Typed"}], name="Renamed")
    data["update"] = "1"

    response = owner_client.post(edit_url(workflow), data)

    assert response.status_code == 200
    assert shown(response, 0) == PER_ACTION[action]
    page = response.content.decode()
    assert 'value="Renamed"' in page and "Typed</textarea>" in page
    assert "Please fix the fields marked below" not in page
    workflow.refresh_from_db()
    assert workflow.name == "Thank you"
    assert list(WorkflowStep.objects.values_list("action", flat=True)) == ["email"]


def test_a_refused_save_shows_the_fields_of_the_action_it_was_for(owner_client, workflow):
    response = owner_client.post(edit_url(workflow), form_data([{"action": "slack"}]))

    assert response.status_code == 400
    assert shown(response, 0) == PER_ACTION["slack"]
    assert "Enter the Slack webhook URL." in response.content.decode()
