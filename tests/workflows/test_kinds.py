"""Every outbox kind is declared once with a handler, and every handler belongs to a kind."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

from booking import kinds as booking_kinds
from workflows import kinds
from workflows.kinds import Kind

# The apps whose modules may hold outbox handlers.
HANDLER_APPS = ("booking", "crm", "workflows", "integrations", "availability", "workestra")
# Takes a row but dispatches it rather than handling one kind.
DISPATCHER = "workflows.outbox.deliver"


def _modules(package_name: str):
    package = importlib.import_module(package_name)
    yield package
    for info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
        if ".migrations" in info.name or ".management" in info.name:
            continue
        yield importlib.import_module(info.name)


def _public_handlers():
    """Module-level public functions whose only parameter is an outbox row."""
    for app in HANDLER_APPS:
        for module in _modules(app):
            for name, function in inspect.getmembers(module, inspect.isfunction):
                if name.startswith("_") or function.__module__ != module.__name__:
                    continue
                parameters = list(inspect.signature(function).parameters.values())
                path = f"{module.__name__}.{name}"
                if (
                    path != DISPATCHER
                    and len(parameters) == 1
                    and parameters[0].annotation
                    in (
                        "OutboxMessage",
                        "workflows.models.OutboxMessage",
                    )
                ):
                    yield path, function


def test_every_declared_kind_is_registered_with_a_callable_handler():
    declared = [*booking_kinds.KINDS, *kinds.WORKFLOW_KINDS]
    for kind in declared:
        assert kinds.get(kind.name) is kind, f"{kind.name} is declared but not registered"
        assert callable(kinds.handler_for(kind.name)), f"{kind.name} has no handler"
    assert len({k.name for k in declared}) == len(declared), "a kind name is declared twice"


def test_every_handler_function_belongs_to_a_registered_kind():
    registered = {kinds.handler_for(name) for name in kinds.REGISTERED}
    found = dict(_public_handlers())
    assert found, "the scan found no handler at all: it no longer recognises them"
    orphans = [path for path, function in found.items() if function not in registered]
    assert orphans == [], f"handlers without a declared kind: {orphans}"


def test_a_misspelt_handler_path_stops_registration():
    with pytest.raises(ImportError):
        kinds.register(Kind("test.misspelt", handler="booking.notifications.send_nothing"))
    assert kinds.get("test.misspelt") is None


def test_one_name_cannot_be_declared_twice_differently():
    with pytest.raises(ValueError, match="declared twice"):
        kinds.register(Kind(booking_kinds.REMINDER.name, handler=lambda message: None))
    assert kinds.get(booking_kinds.REMINDER.name) is booking_kinds.REMINDER
