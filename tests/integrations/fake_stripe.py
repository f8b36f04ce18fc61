"""Stripe for the tests: localstripe (a stateful fake Stripe) behind a small front of our own.

localstripe keeps payment intents, charges and refunds; it has no Checkout Sessions, so the
front (a real HTTP server, ``fake_http``) answers ``/v1/checkout/sessions`` and ``/v1/account``
itself and passes every other request through to localstripe. Tests play the attendee at
Stripe with ``pay`` (a card payment made at localstripe, the session completed) and Stripe's
clock with ``expire``; ``event`` and ``sign`` build the signed webhooks Stripe would send.
``sessions`` is the front's state; ``requests`` logs what it received.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.integrations import fake_http
from tests.integrations.fake_http import Answer, Recorded

API_KEY = "sk_test_workestra"
WEBHOOK_SECRET = "whsec_test_workestra"
_ids = itertools.count(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_localstripe() -> tuple[subprocess.Popen[bytes], str]:
    """localstripe on a free port, once it answers."""
    port = free_port()
    binary = Path(sys.executable).with_name("localstripe")
    process = subprocess.Popen(  # noqa: S603 (our own venv's localstripe)
        # --from-scratch: localstripe otherwise reloads the pickle every run leaves in /tmp, which
        # grows without end and, cut short by a killed run, stops it from starting at all.
        [str(binary), "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/v1/customers", auth=(API_KEY, ""), timeout=1)
            return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("localstripe did not start")


def _error(status: int, message: str, kind: str = "invalid_request_error") -> Answer:
    return status, {"error": {"type": kind, "message": message}}, {}


@dataclass
class FakeStripe:
    server: ThreadingHTTPServer | None
    localstripe: str
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)  # statuses to answer the next calls
    keys: set[str] = field(default_factory=lambda: {API_KEY})
    _by_key: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def answer(self, recorded: Recorded) -> Answer:
        self.requests.append(recorded)
        key = recorded.headers.get("authorization", "").removeprefix("Bearer ")
        if key not in self.keys:
            return _error(401, "Invalid API Key provided.")
        if self.fail_next:
            return _error(self.fail_next.pop(0), "Stripe is having trouble.", "api_error")
        path = recorded.path
        if path == "/v1/account":
            return 200, {"id": "acct_test", "business_profile": {"name": "Acme Ltd"}}, {}
        if path.startswith("/v1/checkout/sessions"):
            return self._sessions(recorded)
        return self._through(recorded)

    def _through(self, recorded: Recorded) -> Answer:
        body = recorded.body if isinstance(recorded.body, dict) else {}
        response = httpx.request(
            recorded.method,
            self.localstripe + recorded.path,
            params=recorded.query,
            content=urlencode(body) if body else None,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            auth=(API_KEY, ""),
            timeout=10,
        )
        return response.status_code, response.json(), {}

    def _sessions(self, recorded: Recorded) -> Answer:
        parts = recorded.path.strip("/").split("/")  # v1 checkout sessions [id] [expire]
        with self.lock:
            if recorded.method == "GET" and len(parts) == 3:
                return 200, {"object": "list", "data": list(self.sessions.values())}, {}
            if recorded.method == "POST" and len(parts) == 3:
                return self._create(recorded)
            session = self.sessions.get(parts[3]) if len(parts) > 3 else None
            if session is None:
                return _error(404, "No such checkout session.")
            if len(parts) == 5 and parts[4] == "expire":
                if session["status"] != "open":
                    return _error(400, "Only open sessions can be expired.")
                session["status"] = "expired"
            return 200, session, {}

    def _create(self, recorded: Recorded) -> Answer:
        body: dict[str, str] = recorded.body
        idempotency = recorded.headers.get("idempotency-key", "")
        if idempotency in self._by_key:
            return 200, self.sessions[self._by_key[idempotency]], {}
        expires_at = int(body["expires_at"])
        if not 30 * 60 <= expires_at - time.time() <= 24 * 3600:
            return _error(400, "expires_at must be between 30 minutes and 24 hours from now.")
        amount = int(body["line_items[0][price_data][unit_amount]"])
        session_id = f"cs_test_{next(_ids)}{secrets.token_hex(4)}"
        session = {
            "id": session_id,
            "object": "checkout.session",
            "url": f"https://checkout.stripe.test/pay/{session_id}",
            "status": "open",
            "payment_status": "unpaid",
            "mode": body["mode"],
            "amount_total": amount,
            "currency": body["line_items[0][price_data][currency]"],
            "customer_email": body.get("customer_email"),
            "client_reference_id": body.get("client_reference_id"),
            "metadata": {"booking_id": body.get("metadata[booking_id]")},
            "expires_at": expires_at,
            "success_url": body["success_url"],
            "cancel_url": body["cancel_url"],
            "payment_intent": None,
        }
        self.sessions[session_id] = session
        if idempotency:
            self._by_key[idempotency] = session_id
        return 200, session, {}

    # --- what the attendee and Stripe's clock do ---------------------------------------------

    def _post(self, path: str, data: dict[str, Any]) -> dict[str, Any]:
        response = httpx.post(self.localstripe + path, data=data, auth=(API_KEY, ""), timeout=10)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def pay(self, session_id: str) -> dict[str, Any]:
        """The attendee pays by card: a payment intent succeeds at localstripe."""
        session = self.sessions[session_id]
        card = {"type": "card", "card[number]": "4242424242424242", "card[exp_month]": "12"}
        card |= {"card[exp_year]": "2035", "card[cvc]": "123"}
        method = self._post("/v1/payment_methods", card)
        intent = self._post(
            "/v1/payment_intents",
            {
                "amount": session["amount_total"],
                "currency": session["currency"],
                "payment_method": method["id"],
                "confirm": "true",
                "metadata[booking_id]": session["metadata"]["booking_id"],
            },
        )
        assert intent["status"] == "succeeded", intent
        session.update(status="complete", payment_status="paid", payment_intent=intent["id"])
        return session

    def expire(self, session_id: str) -> dict[str, Any]:
        session = self.sessions[session_id]
        session["status"] = "expired"
        return session

    def refunds(self, payment_intent: str) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.localstripe}/v1/refunds", auth=(API_KEY, ""), timeout=10)
        return [r for r in response.json()["data"] if r["payment_intent"] == payment_intent]

    def charge(self, payment_intent: str) -> dict[str, Any]:
        intent = httpx.get(
            f"{self.localstripe}/v1/payment_intents/{payment_intent}", auth=(API_KEY, "")
        ).json()
        charge_id = intent["charges"]["data"][0]["id"]
        result: dict[str, Any] = httpx.get(
            f"{self.localstripe}/v1/charges/{charge_id}", auth=(API_KEY, "")
        ).json()
        return result


def start(localstripe: str) -> FakeStripe:
    return fake_http.start(lambda server: FakeStripe(server=server, localstripe=localstripe))


def stop(fake: FakeStripe) -> None:
    fake_http.stop(fake)


def event(kind: str, obj: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_{secrets.token_hex(8)}",
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "data": {"object": obj},
    }


def sign(payload: bytes, secret: str = WEBHOOK_SECRET) -> str:
    """The ``Stripe-Signature`` header Stripe would send with ``payload``."""
    stamp = int(time.time())
    signed = f"{stamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def body(evt: dict[str, Any]) -> bytes:
    return json.dumps(evt).encode()
