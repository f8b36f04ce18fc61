"""The guarded ``requests`` session that SDKs talking to user-typed servers use: every connection
goes to a vetted public address, redirects included, and TLS still checks the name."""

from __future__ import annotations

import pytest

from tests.workflows.http_receiver import TLS_DIR, TLS_NAME, Receiver, fake_dns
from workestra.lib import guarded_requests, outbound


def test_https_goes_to_the_vetted_address_and_checks_the_name(monkeypatch):
    lookups = fake_dns(monkeypatch, {TLS_NAME: ["127.0.0.1"]})
    session = guarded_requests.session(loopback_ok=lambda: True)

    with Receiver(tls=True) as receiver:
        response = session.post(
            receiver.url(host=TLS_NAME), data=b"hello", verify=str(TLS_DIR / "ca.pem")
        )

    assert response.status_code == 200
    assert receiver.server_names == [TLS_NAME]
    assert receiver.requests[0].headers["host"] == f"{TLS_NAME}:{receiver.port}"
    assert lookups == {TLS_NAME: 1}


def test_loopback_is_refused_unless_allowed():
    session = guarded_requests.session(loopback_ok=lambda: False)

    with Receiver() as receiver, pytest.raises(outbound.Refused, match="a loopback address"):
        session.post(receiver.url(), data=b"hello")

    assert receiver.requests == []


def test_a_redirect_to_a_private_address_is_refused():
    session = guarded_requests.session(loopback_ok=lambda: True)

    with Receiver() as receiver:
        receiver.then(302, Location="http://10.0.0.9/admin")
        with pytest.raises(outbound.Refused, match=r"10\.0\.0\.9 is a private address"):
            session.post(receiver.url(), data=b"hello")


def test_a_name_that_does_not_resolve_says_so(monkeypatch):
    fake_dns(monkeypatch, {"nowhere.example.test": []})
    session = guarded_requests.session(loopback_ok=lambda: True)

    with pytest.raises(outbound.Unresolved, match=r"nowhere\.example\.test has no addresses"):
        session.get("http://nowhere.example.test/")


def test_proxies_from_the_environment_are_ignored(monkeypatch):
    # Through the proxy the connection would go to 10.0.0.9 and be refused.
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, "http://10.0.0.9:3128")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    session = guarded_requests.session(loopback_ok=lambda: True)

    with Receiver() as receiver:
        response = session.post(receiver.url(), data=b"hello")

    assert response.status_code == 200
    assert [r.body for r in receiver.requests] == [b"hello"]
