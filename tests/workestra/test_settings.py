"""Settings read from the environment, checked in a fresh process as the server would read them."""

from __future__ import annotations

import json
import os
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# This run's own settings (its database, broker, URLs): the child must not inherit them.
OWN_ENV = (
    "DATABASE_URL",
    "REDIS_URL",
    "SQLITE_PATH",
    "DEBUG",
    "SECRET_KEY",
    "PUBLIC_BASE_URL",
    "SERVE_ADDR",
    "ALLOWED_HOSTS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # the browser tests set it; check --deploy rightly refuses it
)

PRINT_SQLITE_CONNECTION = """
import json, django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal = cursor.fetchone()[0]
    cursor.execute("PRAGMA busy_timeout")
    busy = cursor.fetchone()[0]
print(json.dumps({"journal": journal, "busy_ms": busy, "mode": connection.transaction_mode}))
"""


def run_with_env(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in OWN_ENV}
    clean["DJANGO_SETTINGS_MODULE"] = "workestra.settings"
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("chosen_by", ["DATABASE_URL", "SQLITE_PATH"])
def test_sqlite_gets_immediate_transactions_a_busy_timeout_and_wal_however_chosen(
    tmp_path, chosen_by
):
    db = tmp_path / "chosen.sqlite3"
    env = (
        {"DATABASE_URL": f"sqlite:///{db}"}
        if chosen_by == "DATABASE_URL"
        else {"SQLITE_PATH": str(db)}
    )

    result = run_with_env(PRINT_SQLITE_CONNECTION, **env)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"journal": "wal", "busy_ms": 30000, "mode": "IMMEDIATE"}
    assert db.exists()


# check --deploy warnings the README's "Serving over https" explains; nothing else may appear.
EXPLAINED_IN_README = {"security.W005", "security.W021"}


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "DEBUG": "false",
        "SECRET_KEY": string.ascii_letters + string.digits,
        "PUBLIC_BASE_URL": "https://book.example.com",
        "SQLITE_PATH": str(tmp_path / "prod.sqlite3"),
        **extra,
    }


def deploy_check(env: dict[str, str]) -> tuple[int, set[str]]:
    result = run_with_env(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        **env,
    )
    return result.returncode, set(re.findall(r"\((\w+\.[WE]\d+)\)", result.stdout + result.stderr))


def test_deploy_check_leaves_only_the_warnings_the_readme_explains(tmp_path):
    _, found = deploy_check(production_env(tmp_path))

    assert found <= EXPLAINED_IN_README
    readme = (ROOT / "README.md").read_text()
    assert all(f"`{warning}`" in readme for warning in EXPLAINED_IN_README)


def test_deploy_check_is_clean_once_the_owner_opts_into_subdomains_and_preload(tmp_path):
    env = production_env(
        tmp_path, SECURE_HSTS_INCLUDE_SUBDOMAINS="true", SECURE_HSTS_PRELOAD="true"
    )

    assert deploy_check(env) == (0, set())


PRINT_LOGIN_PAGE = """
import json, os, django
django.setup()
from django.conf import settings
from django.test import Client
# Hashed static names need collectstatic; the headers are what this looks at.
settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
response = Client().get("/login", secure=os.environ["REQUEST_SCHEME"] == "https")
cookie = response.cookies.get("csrftoken")
print(json.dumps({
    "status": response.status_code,
    "location": response.get("Location", ""),
    "hsts": response.get("Strict-Transport-Security", ""),
    "secure_cookie": bool(cookie["secure"]) if cookie else None,
}))
"""


def login_page(env: dict[str, str], scheme: str) -> dict[str, object]:
    result = run_with_env(PRINT_LOGIN_PAGE, **env, REQUEST_SCHEME=scheme)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_over_https_cookies_are_secure_browsers_get_hsts_and_http_is_redirected(tmp_path):
    env = production_env(tmp_path)

    assert login_page(env, "https") == {
        "status": 200,
        "location": "",
        "hsts": "max-age=31536000",
        "secure_cookie": True,
    }
    assert login_page(env, "http") == {
        "status": 301,
        "location": "https://testserver/login",
        "hsts": "",
        "secure_cookie": None,
    }


def test_over_plain_http_the_cookies_stay_plain_so_the_host_can_sign_in(tmp_path):
    env = production_env(tmp_path, PUBLIC_BASE_URL="http://127.0.0.1:8000")

    assert login_page(env, "http") == {
        "status": 200,
        "location": "",
        "hsts": "",
        "secure_cookie": False,
    }


PRINT_LINKS = """
import json, django
django.setup()
from django.conf import settings
from booking.models import BookingLink
print(json.dumps({
    "link": BookingLink(slug="intro").public_url,
    "answers_to_public_host": settings.ALLOWED_HOSTS[-1],
}))
"""


@pytest.mark.parametrize(
    ("env", "link", "host"),
    [
        ({}, "http://127.0.0.1:8000/book/intro", "127.0.0.1"),
        ({"SERVE_ADDR": "127.0.0.1:8107"}, "http://127.0.0.1:8107/book/intro", "127.0.0.1"),
        ({"SERVE_ADDR": "0.0.0.0:8108"}, "http://127.0.0.1:8108/book/intro", "127.0.0.1"),
        ({"SERVE_ADDR": "[::1]:8109"}, "http://[::1]:8109/book/intro", "[::1]"),
        (
            {"SERVE_ADDR": "0.0.0.0:8000", "PUBLIC_BASE_URL": "https://book.example.com/"},
            "https://book.example.com/book/intro",
            "book.example.com",
        ),
    ],
)
def test_links_point_at_the_serve_address_unless_a_public_url_is_set(env, link, host):
    result = run_with_env(PRINT_LINKS, **env)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"link": link, "answers_to_public_host": host}


def test_a_serve_address_that_cannot_be_listened_on_stops_start_up():
    result = run_with_env(PRINT_LINKS, SERVE_ADDR="nowhere")

    assert result.returncode != 0
    assert "SERVE_ADDR: 'nowhere' is not an address to listen on" in result.stderr


# Every value read from the environment that cannot be right stops start-up and says why.
BAD_VALUES = [
    ({"DEBUG": "ture"}, "DEBUG='ture' is not a boolean; use true or false."),
    ({"DEBUG": "false"}, "SECRET_KEY must be set when DEBUG is false."),
    (
        {"PUBLIC_BASE_URL": "book.example.com"},
        "PUBLIC_BASE_URL must start with one of http://, https://; got 'book.example.com'.",
    ),
    (
        {"DATABASE_URL": "mysql://db/app"},
        "DATABASE_URL must start with one of postgres://, postgresql://, sqlite://; "
        "got 'mysql://db/app'.",
    ),
    (
        {"REDIS_URL": "http://cache:6379"},
        "REDIS_URL must start with one of redis://, rediss://; got 'http://cache:6379'.",
    ),
    (
        {"TWILIO_API_BASE": "ftp://api.twilio.com"},
        "TWILIO_API_BASE must start with one of https://, http://; got 'ftp://api.twilio.com'.",
    ),
    ({"OUTBOX_MAX_ATTEMPTS": "0"}, "OUTBOX_MAX_ATTEMPTS=0 must be at least 1."),
    ({"OUTBOX_LEASE_SECONDS": "5m"}, "OUTBOX_LEASE_SECONDS='5m' is not a whole number."),
    ({"OUTBOX_TICK_SECONDS": "0"}, "OUTBOX_TICK_SECONDS=0 must be at least 1."),
    ({"WEBHOOK_ALLOW_LOOPBACK": "maybe"}, "WEBHOOK_ALLOW_LOOPBACK='maybe' is not a boolean;"),
    (
        {"EMAIL_HOST": "smtp.example.com", "EMAIL_PORT": "smtp"},
        "EMAIL_PORT='smtp' is not a whole number.",
    ),
    (
        {"EMAIL_HOST": "smtp.example.com", "EMAIL_USE_TLS": "sure"},
        "EMAIL_USE_TLS='sure' is not a boolean; use true or false.",
    ),
    ({"EMAIL_HOST": "smtp.example.com", "EMAIL_TIMEOUT": "0"}, "EMAIL_TIMEOUT=0 must be"),
    ({"SECURE_SSL_REDIRECT": "https"}, "SECURE_SSL_REDIRECT='https' is not a boolean;"),
    ({"SECURE_HSTS_SECONDS": "-1"}, "SECURE_HSTS_SECONDS=-1 must be at least 0."),
    ({"SECURE_HSTS_PRELOAD": "y"}, "SECURE_HSTS_PRELOAD='y' is not a boolean;"),
    ({"TRUST_X_FORWARDED_PROTO": "si"}, "TRUST_X_FORWARDED_PROTO='si' is not a boolean;"),
    (
        {"RATELIMIT_BOOKINGS_PER_MINUTE": "twenty"},
        "RATELIMIT_BOOKINGS_PER_MINUTE='twenty' is not a whole number.",
    ),
    ({"RATELIMIT_TOKENS_PER_MINUTE": "0"}, "RATELIMIT_TOKENS_PER_MINUTE=0 must be at least 1."),
    ({"SMS_FREE_CREDITS_PER_MONTH": "-5"}, "SMS_FREE_CREDITS_PER_MONTH=-5 must be at least 0."),
    (
        {"LOG_LEVEL": "LOUD"},
        "LOG_LEVEL='LOUD' is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL.",
    ),
]


@pytest.mark.parametrize(
    ("env", "message"), BAD_VALUES, ids=lambda v: "-".join(v) if isinstance(v, dict) else ""
)
def test_a_bad_value_stops_start_up_with_its_message(tmp_path, env, message):
    result = run_with_env(
        "import django; django.setup()", SQLITE_PATH=str(tmp_path / "x.sqlite3"), **env
    )

    assert result.returncode != 0
    assert f"ImproperlyConfigured: {message}" in result.stderr


def test_the_same_settings_written_well_start_up(tmp_path):
    env = {
        "DEBUG": "off",
        "SECRET_KEY": string.ascii_letters,
        "PUBLIC_BASE_URL": "https://book.example.com",
        "SQLITE_PATH": str(tmp_path / "x.sqlite3"),
        "REDIS_URL": "rediss://cache:6380/0",
        "OUTBOX_MAX_ATTEMPTS": "3",
        "EMAIL_HOST": "smtp.example.com",
        "EMAIL_PORT": "465",
        "EMAIL_USE_TLS": "no",
        "LOG_LEVEL": "warning",
    }
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.DEBUG, s.OUTBOX_MAX_ATTEMPTS, s.EMAIL_PORT, s.EMAIL_USE_TLS, "
        "s.LOG_LEVEL, s.REDIS_URL]))"
    )

    result = run_with_env(code, **env)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [False, 3, 465, False, "WARNING", "rediss://cache:6380/0"]
