"""Reading settings from the environment: good values parse, a wrong one stops with its message."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from workestra import env

NAME = "WORKESTRA_TEST_SETTING"


@pytest.fixture
def given(monkeypatch):
    def set_value(raw: str | None) -> None:
        if raw is None:
            monkeypatch.delenv(NAME, raising=False)
        else:
            monkeypatch.setenv(NAME, raw)

    return set_value


def refused(read, message: str) -> None:
    with pytest.raises(ImproperlyConfigured) as caught:
        read()
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        (" YES ", True),
        ("On", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
    ],
)
def test_booleans_accept_the_usual_spellings(given, raw, expected):
    given(raw)

    assert env.env_bool(NAME, default=not expected) is expected


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_an_unset_or_empty_boolean_is_the_default(given, raw):
    given(raw)

    assert env.env_bool(NAME, default=True) is True
    assert env.env_bool(NAME, default=False) is False


@pytest.mark.parametrize("raw", ["ture", "2", "y", "enabled"])
def test_anything_else_is_not_a_boolean(given, raw):
    given(raw)

    refused(
        lambda: env.env_bool(NAME, default=True),
        f"{NAME}={raw!r} is not a boolean; use true or false.",
    )


def test_whole_numbers_parse_and_empty_is_the_default(given):
    given(" 42 ")
    assert env.env_int(NAME, 7) == 42
    given("")
    assert env.env_int(NAME, 7) == 7
    given(None)
    assert env.env_int(NAME, 7) == 7


@pytest.mark.parametrize("raw", ["abc", "1.5", "10s", "0x10"])
def test_a_number_that_is_not_whole_is_refused(given, raw):
    given(raw)

    refused(lambda: env.env_int(NAME, 7), f"{NAME}={raw!r} is not a whole number.")


def test_a_number_below_the_minimum_is_refused_and_the_minimum_itself_is_fine(given):
    given("4")
    refused(lambda: env.env_int(NAME, 300, minimum=5), f"{NAME}=4 must be at least 5.")
    given("5")
    assert env.env_int(NAME, 300, minimum=5) == 5


def test_lists_are_split_on_commas_without_blanks(given):
    given(" a.example.com, ,b.example.com ,")
    assert env.env_list(NAME, ["x"]) == ["a.example.com", "b.example.com"]
    given("")
    assert env.env_list(NAME, ["x"]) == ["x"]
    given(None)
    assert env.env_list(NAME) == []


def test_strings_are_trimmed(given):
    given("  hello  ")
    assert env.env_str(NAME) == "hello"
    given(None)
    assert env.env_str(NAME, "fallback") == "fallback"


def test_a_url_with_an_allowed_scheme_is_kept(given):
    given("rediss://cache.example.com:6380/1")
    assert env.env_url(NAME, schemes=("redis", "rediss")) == "rediss://cache.example.com:6380/1"
    given("")
    assert env.env_url(NAME, schemes=("redis",)) == ""


@pytest.mark.parametrize("raw", ["mysql://db/app", "cache.example.com", "redis:/x", "REDIS://x"])
def test_a_url_with_another_scheme_is_refused(given, raw):
    given(raw)

    refused(
        lambda: env.env_url(NAME, schemes=("redis", "rediss")),
        f"{NAME} must start with one of redis://, rediss://; got {raw!r}.",
    )


def test_a_choice_is_matched_in_any_case_and_spelled_as_listed(given):
    given("warning")
    assert env.env_choice(NAME, "INFO", choices=("INFO", "WARNING")) == "WARNING"
    given("")
    assert env.env_choice(NAME, "INFO", choices=("INFO", "WARNING")) == "INFO"


def test_a_value_outside_the_choices_is_refused(given):
    given("LOUD")

    refused(
        lambda: env.env_choice(NAME, "INFO", choices=("INFO", "WARNING")),
        f"{NAME}='LOUD' is not one of INFO, WARNING.",
    )
