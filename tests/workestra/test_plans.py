"""The plan table lives in the tenant core, which imports none of the apps it serves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import workestra
from workestra import plans

APPS = ("availability", "booking", "crm", "workflows", "integrations", "bench")
# The project's wiring gathers the apps' URLs, API routers and the embedded ticker.
WIRING = {"api.py", "urls.py", "gunicorn_conf.py"}


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_tenant_core_imports_no_app():
    root = Path(workestra.__file__).parent
    offenders = {
        f"{path.relative_to(root)} imports {name}"
        for path in root.rglob("*.py")
        if path.name not in WIRING or path.parent != root
        if "migrations" not in path.parts
        for name in _imported(path)
        if name.split(".")[0] in APPS
    }
    assert offenders == set()


@pytest.mark.parametrize(
    ("plan", "sms", "voice"),
    [
        ("free", False, False),
        ("pro", True, False),
        ("business", True, True),
        ("gold", False, False),
    ],
)
def test_each_plan_includes_its_features(plan, sms, voice):
    assert plans.allows(plan, "sms") is sms
    assert plans.allows(plan, "voice") is voice
    assert plans.allows(plan, "webhook")


def test_an_unknown_plan_gets_what_free_gets():
    assert plans.active_limit("gold") == plans.active_limit("free") == 3
    assert plans.plan_label("gold") == "Free"
    assert plans.next_plan("gold") == "pro"
    assert plans.active_limit("business") is None
