"""The host's settings pages on a 390×844 phone: integrations, workflows and a workflow's runs,
members with SCIM and SSO, profile, webhooks, SMS, teams and time off. Each fits without sideways
scrolling, passes axe-core, and its navigation marks where the host is. Every page is visited in
one browser and all problems are reported at once, each naming its page."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from availability.models import TimeOff
from tests.booking.helpers import utc
from tests.browser.axe import violations
from tests.browser.helpers import BROWSER_MARKS
from tests.browser.test_accessibility import sign_in
from tests.conftest import NOW
from tests.factories import MembershipFactory
from workestra import services as workestra_services
from workflows import services as workflow_services
from workflows import templates_catalog
from workflows.models import WebhookEndpoint, Workflow

pytestmark = BROWSER_MARKS
PHONE = {"width": 390, "height": 844}
START = utc(2026, 11, 25, 9, 0)


def settings_pages(workspace, owner, link, booked) -> dict[str, tuple[str, str]]:
    """Each page by name: its address and the navigation link that marks it current."""
    workflow = workflow_services.workflow_create_from_template(
        template=templates_catalog.TEMPLATES[0], workspace=workspace
    )
    Workflow.objects.filter(pk=workflow.pk).update(is_enabled=True)
    booked(link, START, now=NOW, name="Maximilian Longname-Attendee")  # a run to list
    WebhookEndpoint.objects.create(
        workspace=workspace,
        url="https://hooks.example-company-with-a-long-name.test/incoming/bookings/abcdef0123456789",
        secret="s",
    )
    mate = MembershipFactory(workspace=workspace, user__name="Tim Mate").user
    team = workestra_services.team_create(
        workspace=workspace,
        name="Sales and customer success",
        slug="sales",
        description="",
        roles={mate.pk: "member"},
    )
    TimeOff.objects.create(
        workspace=workspace,
        user=owner,
        start=NOW + timedelta(days=10),
        end=NOW + timedelta(days=17),
        reason="Holiday",
    )
    return {
        "integrations": (reverse("integrations:settings"), "Integrations"),
        "workflows": (reverse("workflows:list"), "Workflows"),
        "workflow runs": (reverse("workflows:runs", args=[workflow.pk]), "Workflows"),
        "members": (reverse("members:list"), "Members"),
        "SCIM": (reverse("members:scim"), "Members"),
        "SSO": (reverse("members:sso"), "Members"),
        "profile": (reverse("profile"), "Profile"),
        "webhooks": (reverse("webhooks:list"), "Webhooks"),
        "SMS": (reverse("sms:settings"), "SMS"),
        "teams": (reverse("booking:team-list"), "Teams"),
        "a team": (reverse("booking:team-edit", args=[team.pk]), "Teams"),
        "time off": (reverse("booking:time-off"), "Time off"),
    }


def problems_on(page, name: str, current: str) -> list[str]:
    found = []
    width, scroll = page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
    if scroll > width:
        found.append(f"{name}: {scroll}px wide in a {width}px window")
    marked = page.locator('header nav [aria-current="page"]').all_inner_texts()
    if marked != [current]:
        found.append(f"{name}: the navigation marks {marked}, not [{current!r}]")
    found += [
        f"{name}: {v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in violations(page)
    ]
    return found


def test_settings_pages_fit_a_phone_pass_axe_and_mark_their_place(
    live_server, page, owner, workspace, link, frozen, booked
):
    pages = settings_pages(workspace, owner, link, booked)
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, owner)

    found: list[str] = []
    for name, (path, current) in pages.items():
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, f"{name}: {path}"
        page.wait_for_load_state("networkidle")
        found += problems_on(page, name, current)

    assert not found, "\n".join(found)
