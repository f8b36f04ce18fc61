"""Public tokens: every token page finds its booking through one constant-time helper."""

from __future__ import annotations

import hmac
import json
from unittest import mock

import pytest

from booking import services, tokens
from booking.models import Booking
from tests.booking.helpers import attendee, utc

START = utc(2026, 11, 25, 9, 0)


@pytest.fixture
def booking(link, frozen, booked):
    return booked(link, START)


def token_pages(token: str) -> list[str]:
    return [
        f"/book/reschedule/{token}",
        f"/book/rescheduled/{token}",
        f"/book/cancel/{token}",
        f"/book/reconfirm/{token}",
        f"/book/verify/{token}",
    ]


def test_tokens_are_128_random_bits_in_hex(booking, link):
    other = services.booking_create(link=link, start=utc(2026, 11, 26, 9, 0), attendee=attendee())
    for token in (booking.reschedule_token, other.reschedule_token):
        assert tokens.is_well_formed(token)
    assert booking.reschedule_token != other.reschedule_token


def test_every_token_page_compares_in_constant_time(client, booking):
    with mock.patch.object(tokens.hmac, "compare_digest", wraps=hmac.compare_digest) as spy:
        for url in token_pages(booking.reschedule_token):
            before = spy.call_count
            assert client.get(url).status_code in (200, 302), url
            assert spy.call_count == before + 1, url
        before = spy.call_count
        client.post(
            f"/api/v1/public/bookings/{booking.reschedule_token}/verify",
            json.dumps({"code": "123456"}),
            content_type="application/json",
        )
        assert spy.call_count == before + 1


def test_a_token_right_in_its_first_half_only_is_refused(client, booking):
    real = booking.reschedule_token
    last = "0" if real[-1] != "0" else "1"
    near_misses = [real[:16] + ("f" if real[16] != "f" else "e") + real[17:], real[:-1] + last]
    for token in near_misses:
        for url in token_pages(token):
            assert client.get(url).status_code == 404, url
        assert client.post(f"/book/cancel/{token}").status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


@pytest.mark.parametrize(
    "token",
    ["not-a-token", "z" * 32, "0" * 31, "0" * 33, "<script>", "%00" * 4, "é" * 32],
)
def test_malformed_tokens_are_404_and_change_nothing(client, booking, token):
    for url in token_pages(token):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"reason": "x", "code": "123456"}).status_code in (404, 405)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and booking.reconfirmed_at is None


def test_an_upper_case_copy_of_a_real_token_is_not_accepted(client, booking):
    assert (
        client.get(
            booking.cancel_url.replace(booking.reschedule_token, booking.reschedule_token.upper())
        ).status_code
        == 404
    )


def test_token_pages_share_one_rate_limit_per_address(client, booking, settings):
    settings.RATELIMIT_TOKENS_PER_MINUTE = 4
    pages = token_pages(booking.reschedule_token)
    for url in pages[:4]:
        assert client.get(url).status_code != 429
    assert client.get(pages[4]).status_code == 429
    assert client.post(booking.reconfirm_url).status_code == 429
    booking.refresh_from_db()
    assert booking.reconfirmed_at is None
