"""The demo seed: one login that stays the same across restarts and opens the admin too."""

from __future__ import annotations

import io
import re
import stat

import pytest
from django.core.management import call_command
from django.test import Client

from booking.models import BookingLink
from workestra.models import User

DEMO_EMAIL = "demo@workestra.test"


@pytest.fixture
def seed(db, tmp_path, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    password_file = tmp_path / ".demo_password"

    def run() -> str:
        out = io.StringIO()
        call_command("seed_demo", password_file=password_file, stdout=out)
        return out.getvalue()

    run.password_file = password_file
    return run


def printed_password(output: str) -> str:
    return re.search(rf"{DEMO_EMAIL} / (\S+)", output)[1]


def signs_in(password: str) -> bool:
    return Client().login(username=DEMO_EMAIL, password=password)


def test_the_password_printed_on_every_start_is_the_same_and_works(seed):
    first = printed_password(seed())
    again = printed_password(seed())

    assert first == again
    assert signs_in(first)
    assert stat.S_IMODE(seed.password_file.stat().st_mode) == 0o600
    assert User.objects.filter(email=DEMO_EMAIL).count() == 1
    assert BookingLink.objects.filter(slug="intro").count() == 1


def test_the_output_says_where_to_sign_in_and_where_the_admin_is(seed, settings):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8107"

    output = seed()

    assert "Sign in:     http://127.0.0.1:8107/login" in output
    assert "Admin:       http://127.0.0.1:8107/admin/" in output
    assert "Public link: http://127.0.0.1:8107/book/intro" in output
    assert "(kept in .demo_password)" in output


def test_the_demo_host_can_open_the_admin(seed):
    client = Client()
    assert client.login(username=DEMO_EMAIL, password=printed_password(seed()))

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/booking/bookinglink/").status_code == 200


def test_demo_password_chooses_the_password_and_a_lost_file_gets_a_new_one_that_works(
    seed, monkeypatch
):
    stored = printed_password(seed())

    monkeypatch.setenv("DEMO_PASSWORD", "chosen-by-me-42")
    output = seed()
    assert printed_password(output) == "chosen-by-me-42"
    assert "(DEMO_PASSWORD)" in output
    assert signs_in("chosen-by-me-42")
    assert not signs_in(stored)

    monkeypatch.delenv("DEMO_PASSWORD")
    seed.password_file.unlink()
    fresh = printed_password(seed())
    assert fresh != stored
    assert signs_in(fresh)
