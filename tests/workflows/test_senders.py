"""Every workflow action has a sender, declared in one table and registered at start-up."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django.utils.module_loading import import_string

from workflows import senders
from workflows.models import WorkflowStep


def _sender_functions():
    """Public functions of the sender modules that take only a Delivery and return nothing."""
    for info in pkgutil.iter_modules(senders.__path__, f"{senders.__name__}."):
        module = importlib.import_module(info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            signature = inspect.signature(function)
            parameters = list(signature.parameters.values())
            takes_a_delivery = len(parameters) == 1 and parameters[0].annotation == "Delivery"
            if takes_a_delivery and signature.return_annotation == "None":
                yield f"{module.__name__}.{name}", function


@pytest.mark.parametrize("action", WorkflowStep.Action.values)
def test_every_action_has_a_registered_sender(action):
    assert action in senders.DECLARED, f"the {action} action has no declared sender"
    assert senders.SENDERS.get(action) is import_string(senders.DECLARED[action])


def test_only_declared_actions_are_registered():
    assert set(senders.SENDERS) == set(WorkflowStep.Action.values)


def test_every_sender_function_is_declared_for_an_action():
    found = dict(_sender_functions())
    assert found, "the scan found no sender at all: it no longer recognises them"
    orphans = [path for path in found if path not in senders.DECLARED.values()]
    assert orphans == [], f"senders without a declared action: {orphans}"


def test_a_misspelt_sender_path_stops_registration():
    with pytest.raises(ImportError):
        senders.register({"test-misspelt": "workflows.senders.email.send_nothing"})
    assert "test-misspelt" not in senders.SENDERS
