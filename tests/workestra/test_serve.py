"""``manage.py serve``: the address it listens on, the URL it links to, the key it keeps."""

from __future__ import annotations

import io
import stat

import pytest
from django.core.management import CommandError, call_command

from workestra import serving
from workestra.management.commands import serve as serve_command


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("8102", ("127.0.0.1", 8102)),
        ("127.0.0.1:8103", ("127.0.0.1", 8103)),
        ("0.0.0.0:80", ("0.0.0.0", 80)),  # noqa: S104
        ("localhost:8104", ("localhost", 8104)),
        ("[::1]:8105", ("[::1]", 8105)),
    ],
)
def test_addresses_people_write_are_understood(raw, expected):
    assert serving.parse_addr(raw) == expected


@pytest.mark.parametrize("raw", ["", "localhost", "host:0", "host:70000", "[zz]:80", "a b:80"])
def test_an_address_that_cannot_be_listened_on_is_refused_with_an_example(raw):
    with pytest.raises(serving.AddressError, match=r"host:port such as 127\.0\.0\.1:8000|IPv6"):
        serving.parse_addr(raw)


@pytest.mark.parametrize(
    ("addr", "url"),
    [
        ("127.0.0.1:8106", "http://127.0.0.1:8106"),
        ("8107", "http://127.0.0.1:8107"),
        ("0.0.0.0:8108", "http://127.0.0.1:8108"),  # every interface: link to this machine
        ("[::1]:8109", "http://[::1]:8109"),
    ],
)
def test_the_public_url_follows_the_serve_address(addr, url):
    assert serving.public_url_for(addr) == url


def test_the_secret_key_is_made_once_readable_by_its_owner_only_and_reused(tmp_path):
    key_file = tmp_path / ".secret_key"

    first = serving.secret_key_load_or_create(key_file)
    again = serving.secret_key_load_or_create(key_file)

    assert first == again
    assert len(first) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_the_server_runs_with_debug_off_a_stored_key_and_the_url_of_its_address(tmp_path):
    env = serving.server_env({"PATH": "/bin"}, addr="127.0.0.1:8102", key_file=tmp_path / "k")

    assert env["DEBUG"] == "false"
    assert env["SECRET_KEY"] == (tmp_path / "k").read_text().strip()
    assert env["PUBLIC_BASE_URL"] == "http://127.0.0.1:8102"
    assert env["PATH"] == "/bin"
    assert "OUTBOX_TICK_SECONDS" not in env


def test_what_the_environment_says_wins(tmp_path):
    given = {
        "DEBUG": "true",
        "SECRET_KEY": "from-the-environment",
        "PUBLIC_BASE_URL": "https://book.example.com",
    }

    env = serving.server_env(given, addr="0.0.0.0:8000", key_file=tmp_path / "k", tick=5)

    assert {k: env[k] for k in given} == given
    assert env["OUTBOX_TICK_SECONDS"] == "5"
    assert not (tmp_path / "k").exists()


@pytest.fixture
def exec_calls(monkeypatch):
    """The command ends by replacing itself with gunicorn; record that instead."""
    calls: list[tuple[str, list[str], dict[str, str]]] = []
    monkeypatch.setattr(serve_command.os, "execve", lambda *call: calls.append(call))
    # DEBUG on skips collectstatic, which these tests do not look at.
    monkeypatch.setenv("DEBUG", "true")
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    return calls


def test_serve_listens_on_serve_addr_and_says_where_to_sign_in(exec_calls, monkeypatch):
    monkeypatch.setenv("SERVE_ADDR", "127.0.0.1:8105")
    out = io.StringIO()

    call_command("serve", stdout=out)

    [(program, argv, env)] = exec_calls
    assert argv[0] == program
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8105"
    assert argv[argv.index("--config") + 1] == "python:workestra.gunicorn_conf"
    assert env["PUBLIC_BASE_URL"] == "http://127.0.0.1:8105"
    assert "hosts sign in at http://127.0.0.1:8105/login" in out.getvalue()


def test_an_address_given_to_the_command_beats_serve_addr(exec_calls, monkeypatch):
    monkeypatch.setenv("SERVE_ADDR", "127.0.0.1:8105")

    call_command("serve", "8106", "--threads", "4", stdout=io.StringIO())

    [(_, argv, env)] = exec_calls
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8106"
    assert argv[argv.index("--threads") + 1] == "4"
    assert env["PUBLIC_BASE_URL"] == "http://127.0.0.1:8106"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere"], "is not an address to listen on"),
        (["--threads", "0"], "invalid positive_int value"),
        (["--tick", "soon"], "invalid positive_int value"),
    ],
)
def test_bad_arguments_stop_before_anything_starts(exec_calls, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("serve", *args, stdout=io.StringIO())

    assert exec_calls == []


def test_the_server_configuration_runs_one_process_and_refuses_more():
    from types import SimpleNamespace

    from workestra import gunicorn_conf

    assert gunicorn_conf.workers == 1
    with pytest.raises(SystemExit, match="one process"):
        gunicorn_conf.on_starting(SimpleNamespace(cfg=SimpleNamespace(workers=3)))
