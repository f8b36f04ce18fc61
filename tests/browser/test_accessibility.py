"""axe-core on every page but the booking pickers: the attendee's pages after booking, the error
pages, every host page and the sign-in pages, each with no serious or critical WCAG 2.2 AA
violation. Each test visits its pages in turn and reports every page's violations at once."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from booking import services
from booking.models import Booking
from booking.views.after import after_booking_url
from tests.booking.helpers import utc
from tests.browser.axe import violations
from tests.browser.helpers import BROWSER_MARKS
from tests.conftest import NOW
from tests.factories import MembershipFactory, UserFactory
from workestra import services as workestra_services
from workflows import services as workflow_services
from workflows import templates_catalog
from workflows.models import WebhookEndpoint

pytestmark = BROWSER_MARKS

START = utc(2026, 11, 25, 9, 0)  # Wednesday 10:00 Berlin


def problems(page) -> list[str]:
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in violations(page)
    ]


def audit(page, base: str, paths: list[str]) -> list[str]:
    found: list[str] = []
    for path in paths:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        found += problems(page)
    return found


def sign_in(page, base: str, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": base}])


def test_the_attendees_pages_after_booking(live_server, page, link, frozen, booked):
    booking = booked(link, START, now=NOW)
    moving = booked(link, utc(2026, 11, 25, 10, 0), now=NOW, guest="mo")
    moved = services.booking_reschedule(booking=moving, start=utc(2026, 11, 26, 10, 0))
    link.require_email_verification = True
    link.save()
    waiting = booked(link, utc(2026, 11, 25, 12, 0), now=NOW, email="wait@example.com")
    assert waiting.status == Booking.Status.PENDING_VERIFICATION
    base = live_server.url

    found = audit(
        page,
        base,
        [
            after_booking_url(booking),
            reverse("booking:rescheduled", args=[moved.reschedule_token]),
            reverse("booking:reschedule", args=[booking.reschedule_token]),
            reverse("booking:cancel", args=[booking.reschedule_token]),
            reverse("booking:reconfirm", args=[booking.reschedule_token]),
            reverse("booking:verify", args=[waiting.reschedule_token]),
            reverse("booking:cancel", args=[moving.reschedule_token]),  # moved: a message
            "/no-such-page",
        ],
    )
    page.goto(base + reverse("booking:verify", args=[waiting.reschedule_token]))
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Confirm booking").click()
    page.wait_for_load_state("networkidle")
    found += problems(page)  # with the wrong code's message
    page.goto(base + reverse("booking:cancel", args=[booking.reschedule_token]))
    page.get_by_role("button", name="Cancel meeting").click()
    page.wait_for_load_state("networkidle")
    assert "cancelled" in page.content()
    found += problems(page)
    # The server error page, as the server would send it, from the site's own address.
    for template in ("500.html", "429.html", "workestra/bad_request.html"):
        page.goto(base + "/no-such-page")
        page.set_content(render_to_string(template, {"message": "That form was garbled."}))
        found += [f"{template} {p}" for p in problems(page)]

    assert not found, "\n".join(found)


def test_every_host_page(live_server, page, owner, workspace, link, frozen, booked):
    booking = booked(link, START, now=NOW)
    template = templates_catalog.TEMPLATES[0]
    workflow = workflow_services.workflow_create_from_template(
        template=template, workspace=workspace
    )
    endpoint = WebhookEndpoint.objects.create(
        workspace=workspace, url="https://hooks.example/in", secret="s"
    )
    mate = MembershipFactory(workspace=workspace, user__name="Tim Mate").user
    team = workestra_services.team_create(
        workspace=workspace, name="Sales", slug="sales", description="", roles={mate.pk: "member"}
    )
    base = live_server.url
    sign_in(page, base, owner)

    tabs = [
        "/calendar",
        "/calendar/event-types",
        "/calendar/admin",
        *(
            f"/calendar/bookings?status={tab}"
            for tab in ("upcoming", "pending", "past", "cancelled", "no_show", "all")
        ),
    ]
    found = audit(
        page,
        base,
        [
            *tabs,
            reverse("booking:calendar-booking", args=[booking.pk]),
            reverse("booking:link-list"),
            reverse("booking:link-create"),
            reverse("booking:link-edit", args=[link.pk]),
            reverse("booking:team-list"),
            reverse("booking:team-create"),
            reverse("booking:team-edit", args=[team.pk]),
            reverse("booking:link-delete", args=[link.pk]),
            reverse("booking:time-off"),
            reverse("workflows:list"),
            reverse("workflows:new"),
            reverse("workflows:new") + f"?template={template.key}",
            reverse("workflows:create"),
            reverse("workflows:edit", args=[workflow.pk]),
            reverse("workflows:runs", args=[workflow.pk]),
            reverse("workflows:delete", args=[workflow.pk]),
            reverse("webhooks:list"),
            reverse("webhooks:delete", args=[endpoint.pk]),
            reverse("sms:settings"),
            reverse("members:list"),
            reverse("members:scim"),
            reverse("integrations:settings"),
            reverse("profile"),
            reverse("booking:onboarding"),
            reverse("booking:onboarding-calendar", args=[link.pk]),
            reverse("account_email"),
            reverse("account_change_password"),
            reverse("mfa_index"),
            reverse("mfa_activate_totp"),
            reverse("usersessions_list"),
        ],
    )

    assert not found, "\n".join(found)


def test_the_sign_in_pages(live_server, page, owner, workspace, frozen):
    _, token = workestra_services.invitation_create(
        actor=owner.memberships.get(), email="new@example.com", role="member", now=NOW
    )
    found = audit(
        page,
        live_server.url,
        [
            reverse("login"),
            reverse("account_signup"),
            reverse("account_reset_password"),
            reverse("invitation", args=[token]),
            reverse("account_reset_password_done"),
        ],
    )
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")
    found += problems(page)  # with the refusal's message
    sign_in(page, live_server.url, UserFactory(name="Nomad"))
    found += audit(page, live_server.url, [reverse("booking:calendar")])  # no workspace

    assert not found, "\n".join(found)
