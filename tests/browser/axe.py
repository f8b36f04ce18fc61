"""axe-core in the page: the WCAG 2.2 AA check every browser test can run on what it shows."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

BLOCKING = ("serious", "critical")
RULES = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}
}


def violations(page) -> list[dict]:
    """The serious and critical WCAG A/AA violations on the page as it is now."""
    results = Axe().run(page, options=RULES)
    return [v for v in results.response["violations"] if v.get("impact") in BLOCKING]


def assert_accessible(page) -> None:
    """Fail with each rule broken and the first elements that break it."""
    found = violations(page)
    lines = [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in found
    ]
    assert not found, f"axe-core found on {page.url}:\n" + "\n".join(lines)
