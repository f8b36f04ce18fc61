"""The one ``{{variable}}`` renderer and its one "unknown variable" message."""

from __future__ import annotations

from booking.variables import VALID_NAMES, is_known
from workflows.render import render, render_url, unknown_message


def test_render_fills_known_placeholders_and_blanks_the_rest():
    text = "Hi {{ attendee_name }}, see you at {{start_time}}{{nope}}."
    assert render(text, {"attendee_name": "Alice", "start_time": "10:00"}) == (
        "Hi Alice, see you at 10:00."
    )


def test_render_url_encodes_each_value_so_it_cannot_add_a_query_part():
    url = render_url("https://acme.test/thanks?who={{attendee_name}}", {"attendee_name": "A&b=1 c"})
    assert url == "https://acme.test/thanks?who=A%26b%3D1%20c"


def test_the_message_names_each_unknown_placeholder_once_and_every_valid_name():
    message = unknown_message("{{zzz}} {{aaa}} {{zzz}} {{answer_12}}", is_known, VALID_NAMES)
    assert message.startswith("Unknown variables: aaa, zzz. Valid names: attendee_name, ")
    assert message.endswith(", answer_<id>.")
    assert unknown_message("{{nope}}", is_known, VALID_NAMES).startswith(
        "Unknown variable: nope. Valid names:"
    )


def test_known_placeholders_give_no_message():
    assert (
        unknown_message("{{attendee_name}} {{answer_a3}} plain text", is_known, VALID_NAMES) == ""
    )
