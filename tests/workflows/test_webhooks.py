"""Call webhook: signed Standard Webhooks deliveries to a real local receiver, the address guard,
retries over about a day, 410 Gone, the delivery log, and Settings → Webhooks."""

from __future__ import annotations

import base64
import html
import itertools
import random
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.booking.helpers import utc
from tests.conftest import NOW
from tests.factories import BookingFactory, WorkspaceFactory
from tests.workflows.http_receiver import (
    TLS_NAME,
    Receiver,
    fake_dns,
    running_receiver,
    trusting_context,
)
from workestra.lib import outbound, signing
from workflows import outbox
from workflows.models import (
    OutboxMessage,
    WebhookDelivery,
    WebhookEndpoint,
    Workflow,
    WorkflowRun,
    WorkflowStep,
)
from workflows.senders.webhook import event_type

LIST_URL = "/settings/webhooks"
NEW_URL = "/settings/webhooks/new"
START = utc(2026, 11, 25, 9, 0)


@pytest.fixture
def receiver():
    yield from running_receiver()


@pytest.fixture
def loopback(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True


def make_endpoint(workspace, url: str) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(workspace=workspace, url=url, secret=signing.new_secret())


def webhook_workflow(
    workspace, endpoint_id, trigger=Workflow.Trigger.BOOKING_CREATED
) -> WorkflowStep:
    workflow = Workflow.objects.create(
        workspace=workspace, name="Push to CRM", trigger=trigger, all_links=True, is_enabled=True
    )
    return WorkflowStep.objects.create(
        workflow=workflow, action=WorkflowStep.Action.WEBHOOK, config={"endpoint_id": endpoint_id}
    )


def step_row() -> OutboxMessage:
    return WorkflowRun.objects.select_related("message").get().message


def verify(endpoint: WebhookEndpoint, request) -> dict:
    return Webhook(endpoint.secret).verify(request.body, request.headers)


def fire_and_drain(link, workspace, url: str) -> tuple[WebhookEndpoint, OutboxMessage]:
    endpoint = make_endpoint(workspace, url)
    webhook_workflow(workspace, endpoint.pk)
    BookingFactory.through_service(link, START)
    outbox.drain()
    return endpoint, step_row()


# --- Signing (pure) ---------------------------------------------------------------------------


def test_a_new_secret_is_whsec_and_32_random_bytes():
    first, second = signing.new_secret(), signing.new_secret()
    assert first.startswith("whsec_") and first != second
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 32


def test_our_signature_verifies_with_the_standard_library_and_breaks_when_tampered(frozen):
    secret = signing.new_secret()
    body = '{"type":"booking.created","data":{"id":1}}'
    now = int(timezone.now().timestamp())
    headers = signing.headers(secret, msg_id="msg_abc", timestamp=now, body=body)
    assert Webhook(secret).verify(body, headers) == {"type": "booking.created", "data": {"id": 1}}
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace("1", "2"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(body, headers)


def test_message_ids_are_stable_per_key_and_differ_between_keys():
    assert signing.message_id("workflow:1:booking:2") == signing.message_id("workflow:1:booking:2")
    assert signing.message_id("workflow:1:booking:2") != signing.message_id("workflow:1:booking:3")
    assert signing.message_id("k").startswith("msg_")


@pytest.mark.parametrize(
    ("trigger", "expected"),
    [
        ("booking_created", "booking.created"),
        ("booking_rescheduled", "booking.rescheduled"),
        ("booking_cancelled", "booking.cancelled"),
        ("no_show", "booking.no_show"),
        ("payment_received", "booking.payment_received"),
        ("before_start", "booking.reminder"),
        ("at_start", "booking.started"),
        ("after_end", "booking.ended"),
    ],
)
def test_triggers_map_to_event_types(trigger, expected):
    assert event_type(trigger) == expected


# --- Delivering to a real receiver -------------------------------------------------------------


def test_a_booking_posts_signed_json_to_the_endpoint(link, workspace, frozen, loopback, receiver):
    endpoint, row = fire_and_drain(link, workspace, receiver.url("/hooks/crm"))

    assert row.state == "sent"
    [request] = receiver.requests
    assert request.path == "/hooks/crm"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-id"] == signing.message_id(row.idempotency_key)
    assert request.headers["webhook-timestamp"] == str(int(NOW.timestamp()))
    assert request.headers["webhook-signature"].startswith("v1,")
    document = verify(endpoint, request)
    assert document["type"] == "booking.created"
    assert document["timestamp"] == row.created_at.isoformat()
    data = document["data"]
    assert data["attendee"]["email"] == "alice@example.com"
    assert data["link"]["title"] == "Intro call"
    assert data["start"] == START.isoformat()

    [logged] = WebhookDelivery.objects.all()
    assert logged.endpoint == endpoint and logged.event == "booking.created"
    assert logged.message_id == request.headers["webhook-id"]
    assert logged.request_body == request.body.decode()
    assert logged.response_status == 200 and logged.response_excerpt == "ok"
    assert logged.error == ""


def test_a_retry_repeats_the_webhook_id_with_a_fresh_signature(
    link, workspace, frozen, loopback, receiver
):
    receiver.then(500, b"database down")
    endpoint, row = fire_and_drain(link, workspace, receiver.url())
    assert row.state == "retrying"
    frozen.shift(row.due_at - timezone.now())
    outbox.drain()
    row.refresh_from_db()

    assert row.state == "sent" and row.attempts == 2
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    assert int(second.headers["webhook-timestamp"]) > int(first.headers["webhook-timestamp"])
    assert verify(endpoint, second)["type"] == "booking.created"
    log = list(WebhookDelivery.objects.order_by("pk"))
    assert [entry.response_status for entry in log] == [500, 200]
    assert log[0].error == "Answered 500: database down"
    assert log[0].response_excerpt == "database down"
    assert {entry.message_id for entry in log} == {first.headers["webhook-id"]}


def test_a_redirect_is_a_failure_and_is_not_followed(link, workspace, frozen, loopback, receiver):
    receiver.then(302, Location=receiver.url("/elsewhere"))
    _, row = fire_and_drain(link, workspace, receiver.url("/hook"))

    assert [r.path for r in receiver.requests] == ["/hook"]
    assert row.state == "retrying"
    assert "redirect" in row.last_error and "/elsewhere" in row.last_error
    logged = WebhookDelivery.objects.get()
    assert logged.response_status == 302 and "not followed" in logged.error


def test_server_errors_retry_with_growing_jittered_delays_for_about_a_day_then_fail(
    link, workspace, frozen, loopback, receiver
):
    receiver.default.status, receiver.default.body = 500, b"oops"
    _, row = fire_and_drain(link, workspace, receiver.url())
    assert row.max_attempts == 12
    delays = []
    for _ in range(20):  # bounded: a schedule that never ends fails the assertions below
        if row.state != "retrying":
            break
        delays.append(row.due_at - timezone.now())
        frozen.shift(row.due_at - timezone.now())
        outbox.drain()
        row.refresh_from_db()

    assert row.state == "failed" and row.attempts == 12
    assert "Answered 500" in row.last_error
    assert len(receiver.requests) == 12 == WebhookDelivery.objects.count()
    assert len(delays) == 11
    assert all(later > earlier for earlier, later in itertools.pairwise(delays))
    nominal = [outbound.RETRY_SPAN * 2**n / (2**11 - 1) for n in range(11)]
    ratios = [delay / expected for delay, expected in zip(delays, nominal, strict=True)]
    assert all(0.8 - 1e-9 <= ratio <= 1.2 + 1e-9 for ratio in ratios)
    assert any(abs(ratio - 1) > 1e-6 for ratio in ratios)  # jitter moved them
    assert timedelta(hours=19) <= sum(delays, timedelta()) <= timedelta(hours=29)
    frozen.shift(timedelta(days=2))
    outbox.drain()
    assert len(receiver.requests) == 12  # a failure is final


class _Extreme(random.Random):
    def __init__(self, pick_high: bool) -> None:
        super().__init__()
        self.pick_high = pick_high

    def uniform(self, a: float, b: float) -> float:
        return b if self.pick_high else a


def test_backoff_doubles_sums_to_a_day_and_jitters_by_a_fifth():
    plain = [outbound.RETRY_SPAN * 2**n / 2047 for n in range(11)]
    high = [outbound.backoff(n + 1, 12, rng=_Extreme(True)) for n in range(11)]
    low = [outbound.backoff(n + 1, 12, rng=_Extreme(False)) for n in range(11)]
    assert high == [d * 1.2 for d in plain] and low == [d * 0.8 for d in plain]
    assert sum(plain, timedelta()) == pytest.approx(timedelta(days=1), abs=timedelta(seconds=1))


def test_a_response_body_is_logged_up_to_two_kilobytes(link, workspace, frozen, loopback, receiver):
    receiver.then(500, b"x" * 5000)
    fire_and_drain(link, workspace, receiver.url())
    assert WebhookDelivery.objects.get().response_excerpt == "x" * 2048


def test_410_gone_disables_the_endpoint_and_later_events_fail_at_once(
    link, workspace, frozen, loopback, receiver, booked
):
    receiver.then(410, b"gone")
    endpoint, row = fire_and_drain(link, workspace, receiver.url())
    endpoint.refresh_from_db()

    assert row.state == "failed" and row.attempts == 1
    assert not endpoint.is_active and "410" in endpoint.disabled_reason
    assert "re-enable" in row.last_error

    booked(link, utc(2026, 11, 25, 10, 0), email="bob@example.com")
    outbox.drain()
    later = WorkflowRun.objects.order_by("-pk").first().message
    assert later.state == "failed" and "disabled" in later.last_error
    assert len(receiver.requests) == 1  # nothing was sent to the disabled endpoint


def test_an_endpoint_of_another_workspace_is_never_called(
    link, workspace, frozen, loopback, receiver, booked
):
    foreign = make_endpoint(WorkspaceFactory(), receiver.url())
    webhook_workflow(workspace, foreign.pk)
    booked(link, START)
    outbox.drain()
    row = step_row()
    assert row.state == "failed" and "no longer exists" in row.last_error
    assert receiver.requests == [] and WebhookDelivery.objects.count() == 0


# --- The address guard --------------------------------------------------------------------------

GUARDED = [
    ("http://127.0.0.1:{port}/hook", {}, "loopback"),
    ("http://[::1]:{port}/hook", {}, "loopback"),
    ("http://[::ffff:127.0.0.1]:{port}/hook", {}, "loopback"),
    ("http://0.0.0.0:{port}/hook", {}, "unspecified"),
    ("http://10.0.0.1/hook", {}, "private"),
    ("http://169.254.169.254/latest/meta-data/", {}, "link-local"),
    ("https://crm.example.test/hook", {"crm.example.test": ["10.20.30.40"]}, "private"),
    ("https://v6.example.test/hook", {"v6.example.test": ["fd00::1"]}, "private"),
    (
        "https://mixed.example.test/hook",
        {"mixed.example.test": ["93.184.216.34", "192.168.1.5"]},
        "private",
    ),
    ("http://local.example.test:{port}/hook", {"local.example.test": ["127.0.0.1"]}, "loopback"),
]


@pytest.mark.parametrize(("template", "dns", "kind"), GUARDED)
def test_non_public_destinations_are_refused_without_a_request(
    link, workspace, frozen, receiver, monkeypatch, settings, template, dns, kind
):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    fake_dns(monkeypatch, dns)
    endpoint, row = fire_and_drain(link, workspace, template.format(port=receiver.port))

    assert receiver.requests == []
    assert row.state == "failed" and row.attempts == 1
    assert row.last_error.startswith("Refused") and kind in row.last_error
    logged = WebhookDelivery.objects.get()
    assert logged.endpoint == endpoint and logged.response_status is None
    assert kind in logged.error


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("http://user:pass@127.0.0.1:{port}/hook", "Remove the user name and password"),
        ("http://127.0.0.1:0/hook", "Port 0 cannot receive requests"),
    ],
)
def test_credentials_and_port_0_saved_earlier_are_refused_at_send_time(
    link, workspace, frozen, loopback, receiver, template, message
):
    endpoint, row = fire_and_drain(link, workspace, template.format(port=receiver.port))

    assert receiver.requests == []
    assert row.state == "failed" and row.attempts == 1
    assert row.last_error.startswith("Refused") and message in row.last_error
    assert message in WebhookDelivery.objects.get(endpoint=endpoint).error


def test_the_vetted_address_is_used_without_a_second_lookup(
    link, workspace, frozen, loopback, receiver, monkeypatch
):
    answers = iter([["127.0.0.1"]])  # a second lookup would get a private address
    lookups = fake_dns(monkeypatch, {"hooks.example.test": lambda: next(answers, ["10.255.255.1"])})
    endpoint, row = fire_and_drain(
        link, workspace, f"http://hooks.example.test:{receiver.port}/hook"
    )

    assert row.state == "sent" and lookups == {"hooks.example.test": 1}
    [request] = receiver.requests
    assert request.headers["host"] == f"hooks.example.test:{receiver.port}"
    verify(endpoint, request)


def test_https_pins_the_address_and_keeps_the_name_for_sni_and_the_certificate(
    link, workspace, frozen, loopback, monkeypatch
):
    monkeypatch.setattr(outbound, "TLS_VERIFY", trusting_context())
    answers = iter([["127.0.0.1"]])
    lookups = fake_dns(monkeypatch, {TLS_NAME: lambda: next(answers, ["10.255.255.1"])})
    with Receiver(tls=True) as receiver:
        endpoint, row = fire_and_drain(link, workspace, receiver.url(host=TLS_NAME))

    assert row.state == "sent", row.last_error
    assert lookups == {TLS_NAME: 1}
    assert receiver.server_names == [TLS_NAME]
    [request] = receiver.requests
    assert request.headers["host"] == f"{TLS_NAME}:{receiver.port}"
    verify(endpoint, request)


def test_https_still_checks_the_certificate_against_the_name(
    link, workspace, frozen, loopback, monkeypatch
):
    monkeypatch.setattr(outbound, "TLS_VERIFY", trusting_context())
    fake_dns(monkeypatch, {"other.example.test": ["127.0.0.1"]})
    with Receiver(tls=True) as receiver:
        _, row = fire_and_drain(link, workspace, receiver.url(host="other.example.test"))

    assert row.state == "retrying" and receiver.requests == []
    assert "certificate" in row.last_error.lower()
    assert receiver.server_names == ["other.example.test"]


def test_an_unresolvable_host_is_retried_not_refused(link, workspace, frozen, monkeypatch):
    def no_such_host(*args, **kwargs):
        raise OSError("Name or service not known")

    monkeypatch.setattr(outbound.socket, "getaddrinfo", no_such_host)
    _, row = fire_and_drain(link, workspace, "https://gone.example.test/hook")
    assert row.state == "retrying" and "Could not resolve" in row.last_error


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("8.8.8.8", ""),
        ("2606:4700:4700::1111", ""),
        ("127.0.0.53", "a loopback address"),
        ("::1", "a loopback address"),
        ("0.0.0.0", "an unspecified address"),  # noqa: S104 - an address to classify
        ("::", "an unspecified address"),
        ("169.254.169.254", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("224.0.0.1", "a multicast address"),
        ("ff02::1", "a multicast address"),
        ("10.1.2.3", "a private address"),
        ("172.16.0.1", "a private address"),
        ("192.168.0.1", "a private address"),
        ("fc00::1", "a private address"),
        ("::ffff:10.0.0.1", "a private address"),
        ("2002:0a00:0001::1", "a private address"),
        ("100.64.0.1", "an address that is not publicly routable"),
    ],
)
def test_address_classification(address, problem):
    import ipaddress

    assert outbound.address_problem(ipaddress.ip_address(address)) == problem


def test_loopback_is_the_only_thing_the_setting_lets_through():
    import ipaddress

    assert outbound.address_problem(ipaddress.ip_address("127.0.0.1"), loopback_ok=True) == ""
    assert outbound.address_problem(ipaddress.ip_address("10.0.0.1"), loopback_ok=True)


# --- Settings → Webhooks ------------------------------------------------------------------------


def page(client) -> str:
    response = client.get(LIST_URL)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_admins_see_endpoints_secrets_and_the_delivery_log(owner_client, workspace):
    endpoint = make_endpoint(workspace, "https://crm.example.com/in")
    for n in range(60):
        WebhookDelivery.objects.create(
            endpoint=endpoint,
            message_id=f"msg_{n:03d}",
            event="booking.created",
            request_body="{}",
            response_status=500 if n == 59 else 200,
            response_excerpt="server exploded" if n == 59 else "ok",
            error="Answered 500: server exploded" if n == 59 else "",
            duration_ms=123,
        )
    content = page(owner_client)

    assert "https://crm.example.com/in" in content
    assert endpoint.secret in content
    assert "msg_059" in content and "Answered 500: server exploded" in content
    assert "123 ms" in content
    shown = [n for n in range(60) if f"msg_{n:03d}" in content]
    assert shown == list(range(10, 60))  # the latest 50


def test_members_can_view_but_not_see_secrets_or_change_anything(teammate_client, workspace):
    endpoint = make_endpoint(workspace, "https://crm.example.com/in")
    endpoint.is_active = False
    endpoint.save()
    content = page(teammate_client)
    assert "https://crm.example.com/in" in content
    assert endpoint.secret not in content and endpoint.secret[-4:] in content
    assert "Add endpoint" not in content

    response = teammate_client.post(NEW_URL, {"url": "https://other.example.com/in"})
    assert response.status_code == 403
    assert teammate_client.post(f"{LIST_URL}/{endpoint.pk}/enable").status_code == 403
    assert teammate_client.post(f"{LIST_URL}/{endpoint.pk}/delete").status_code == 403
    assert WebhookEndpoint.objects.count() == 1
    endpoint.refresh_from_db()
    assert not endpoint.is_active


def test_another_workspaces_endpoint_is_a_404(outsider_client, workspace):
    endpoint = make_endpoint(workspace, "https://crm.example.com/in")
    assert "crm.example.com" not in page(outsider_client)
    assert outsider_client.get(f"{LIST_URL}/{endpoint.pk}/delete").status_code == 404
    assert outsider_client.post(f"{LIST_URL}/{endpoint.pk}/delete").status_code == 404
    assert outsider_client.post(f"{LIST_URL}/{endpoint.pk}/enable").status_code == 404
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_an_admin_adds_an_endpoint_with_a_fresh_secret(owner_client, workspace):
    response = owner_client.post(NEW_URL, {"url": " https://crm.example.com/hooks/workestra "})
    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.workspace == workspace and endpoint.is_active
    assert endpoint.url == "https://crm.example.com/hooks/workestra"
    Webhook(endpoint.secret)  # a secret the standard library accepts
    assert len(signing.secret_key(endpoint.secret)) == 32


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Enter the URL that should receive the events."),
        ("ftp://example.com/hook", "Use a URL starting with https://"),
        ("crm.example.com/hook", "Use a URL starting with https://"),
        ("https://", "Enter a URL with a host name"),
        ("https://crm.exa mple.com/hook", "Enter a full URL"),
        ("http://localhost:8000/hook", "localhost is not reachable from our servers"),
        ("http://127.0.0.1/hook", "127.0.0.1 is a loopback address"),
        ("http://10.1.2.3/hook", "10.1.2.3 is a private address"),
        ("http://192.168.1.10/hook", "192.168.1.10 is a private address"),
        ("http://169.254.169.254/latest", "169.254.169.254 is a link-local address"),
        ("http://[::1]/hook", "::1 is a loopback address"),
        ("http://intranet/hook", "intranet is not a public host name"),
        ("http://printer.local/hook", "printer.local is not a public host name"),
        ("https://example.com/" + "a" * 2000, "Keep the URL under 2000 characters."),
        ("https://user:pass@crm.example.com/hook", "Remove the user name and password"),
        ("https://token@crm.example.com/hook", "Remove the user name and password"),
        ("https://@crm.example.com/hook", "Remove the user name and password"),
        ("https://crm.example.com:0/hook", "Port 0 cannot receive requests"),
        ("https://crm.example.com:00/hook", "Port 0 cannot receive requests"),
    ],
)
def test_bad_urls_are_refused_with_a_message(owner_client, url, message):
    response = owner_client.post(NEW_URL, {"url": url})
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert WebhookEndpoint.objects.count() == 0


def test_a_duplicate_url_is_refused(owner_client, workspace):
    make_endpoint(workspace, "https://crm.example.com/in")
    response = owner_client.post(NEW_URL, {"url": "https://crm.example.com/in"})
    assert response.status_code == 400
    assert "already an endpoint" in response.content.decode()
    assert WebhookEndpoint.objects.count() == 1


def test_loopback_urls_are_accepted_only_with_the_setting(owner_client, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    assert owner_client.post(NEW_URL, {"url": "http://127.0.0.1:9000/hook"}).status_code == 302
    assert owner_client.post(NEW_URL, {"url": "http://10.0.0.1/hook"}).status_code == 400
    assert WebhookEndpoint.objects.count() == 1


def test_an_admin_re_enables_and_deletes_an_endpoint(owner_client, workspace):
    endpoint = make_endpoint(workspace, "https://crm.example.com/in")
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        is_active=False, disabled_reason="The endpoint answered 410 Gone."
    )
    content = page(owner_client)
    assert "The endpoint answered 410 Gone." in content and "Re-enable" in content

    assert owner_client.post(f"{LIST_URL}/{endpoint.pk}/enable").status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.disabled_reason == ""

    assert owner_client.get(f"{LIST_URL}/{endpoint.pk}/delete").status_code == 200
    assert owner_client.post(f"{LIST_URL}/{endpoint.pk}/delete").status_code == 302
    assert not WebhookEndpoint.objects.exists()


def test_signing_in_is_required(client, workspace):
    response = client.get(LIST_URL)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_receiver_helper_answers_queued_codes_in_order():
    import httpx

    with Receiver() as receiver:
        receiver.then(201).then(503)
        codes = [
            httpx.post(receiver.url(), content=b"x", trust_env=False).status_code for _ in range(3)
        ]
    assert codes == [201, 503, 200]
