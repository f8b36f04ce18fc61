"""Fixtures shared by the SMS and voice tests: the fake Twilio and workspaces on paid plans."""

from __future__ import annotations

import pytest

from tests.workflows import fake_twilio
from workestra.models import Workspace


@pytest.fixture
def twilio_api(settings):
    yield from fake_twilio.running(settings)


def _on_plan(workspace: Workspace, plan: str) -> Workspace:
    workspace.plan = plan
    workspace.save()
    return workspace


@pytest.fixture
def pro(workspace):
    return _on_plan(workspace, Workspace.Plan.PRO)


@pytest.fixture
def business(workspace):
    return _on_plan(workspace, Workspace.Plan.BUSINESS)
