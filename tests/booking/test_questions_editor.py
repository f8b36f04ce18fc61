"""The "Questions" section of the link editor: add, edit, remove, reorder, limits, and only
for the link's own workspace."""

from __future__ import annotations

import pytest

from booking.models import BookingLink
from booking.questions import Question
from tests.factories import LinkFactory

BASE = "/settings/booking-links"


def questions_of(link: BookingLink) -> list[tuple[int, str]]:
    link.refresh_from_db()
    return [(q["id"], q["label"]) for q in link.questions]


def add(client, link, **data):
    return client.post(f"{BASE}/{link.pk}/questions/new", {"kind": "short_text", **data})


def test_the_editor_has_a_questions_section_with_an_add_link(owner_client, link):
    page = owner_client.get(f"{BASE}/{link.pk}").content.decode()

    assert '<a href="#link-questions">Questions</a>' in page
    assert 'id="link-questions"' in page
    assert f'href="{BASE}/{link.pk}/questions/new"' in page
    assert "No questions" in page


def test_a_new_link_says_to_create_it_first(owner_client):
    page = owner_client.get(f"{BASE}/new").content.decode()

    assert "Create the link first, then add its questions here." in page


def test_adding_questions_gives_each_a_fresh_id_and_returns_to_the_section(owner_client, link):
    response = add(owner_client, link, label="Company", required="on")
    add(owner_client, link, kind="radio", label="Plan", options="Basic\nPro")

    assert response.status_code == 302
    assert response["Location"] == f"{BASE}/{link.pk}#link-questions"
    assert questions_of(link) == [(1, "Company"), (2, "Plan")]
    assert link.questions[0]["required"] is True
    assert link.questions[1]["options"] == ["Basic", "Pro"]
    page = owner_client.get(f"{BASE}/{link.pk}").content.decode()
    assert '<strong>Company</strong> <span class="muted">(required)</span>' in page


def test_a_removed_questions_id_is_never_reused(owner_client, link):
    add(owner_client, link, label="One")
    add(owner_client, link, label="Two")

    response = owner_client.post(f"{BASE}/{link.pk}/questions/2/remove")
    add(owner_client, link, label="Three")

    assert response.status_code == 302
    assert questions_of(link) == [(1, "One"), (3, "Three")]


def test_editing_keeps_the_id_and_place(owner_client, link):
    add(owner_client, link, label="One")
    add(owner_client, link, label="Two")

    page = owner_client.get(f"{BASE}/{link.pk}/questions/1").content.decode()
    response = owner_client.post(
        f"{BASE}/{link.pk}/questions/1",
        {"kind": "long_text", "label": "First", "max_value": "300"},
    )

    assert 'value="One"' in page
    assert response.status_code == 302
    assert questions_of(link) == [(1, "First"), (2, "Two")]
    assert link.questions[0]["kind"] == "long_text" and link.questions[0]["max"] == 300


def test_moving_up_and_down_reorders_and_stops_at_the_ends(owner_client, link):
    for label in ("A", "B", "C"):
        add(owner_client, link, label=label)

    owner_client.post(f"{BASE}/{link.pk}/questions/3/move", {"direction": "up"})
    assert questions_of(link) == [(1, "A"), (3, "C"), (2, "B")]
    owner_client.post(f"{BASE}/{link.pk}/questions/1/move", {"direction": "down"})
    assert questions_of(link) == [(3, "C"), (1, "A"), (2, "B")]
    owner_client.post(f"{BASE}/{link.pk}/questions/3/move", {"direction": "up"})
    assert questions_of(link) == [(3, "C"), (1, "A"), (2, "B")]
    response = owner_client.post(f"{BASE}/{link.pk}/questions/3/move", {"direction": "sideways"})
    assert response.status_code == 302
    assert questions_of(link) == [(3, "C"), (1, "A"), (2, "B")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"label": ""}, "This field is required."),
        ({"label": "x" * 201}, "at most 200 characters"),
        ({"kind": "dropdown", "label": "Plan"}, "Give at least one option, one per line."),
        (
            {"kind": "dropdown", "label": "Plan", "options": "\n".join(map(str, range(51)))},
            "Give at most 50 options.",
        ),
        ({"kind": "radio", "label": "Plan", "options": "a\n" + "b" * 201}, "1 to 200 characters"),
        ({"kind": "number", "label": "Seats", "min_value": "5", "max_value": "1"}, "not be above"),
        ({"kind": "essay", "label": "X"}, "Select a valid choice."),
    ],
)
def test_a_bad_question_is_refused_with_a_message_and_nothing_changes(
    owner_client, link, data, message
):
    response = add(owner_client, link, **data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert questions_of(link) == []


def test_a_link_asks_at_most_thirty_questions(owner_client, link):
    link.questions = [
        Question(id=n, kind="short_text", label=f"Q{n}").to_dict() for n in range(1, 31)
    ]
    link.question_counter = 30
    link.save()

    page = owner_client.get(f"{BASE}/{link.pk}").content.decode()
    response = add(owner_client, link, label="One more")

    assert "This link asks the most questions a link can (30)." in page
    assert f'href="{BASE}/{link.pk}/questions/new"' not in page
    assert response.status_code == 400
    assert "A form asks at most 30 questions." in response.content.decode()
    assert len(questions_of(link)) == 30


def test_an_unknown_question_is_a_404(owner_client, link):
    assert owner_client.get(f"{BASE}/{link.pk}/questions/7").status_code == 404
    assert owner_client.post(f"{BASE}/{link.pk}/questions/7/remove").status_code == 404
    response = owner_client.post(f"{BASE}/{link.pk}/questions/7/move", {"direction": "up"})
    assert response.status_code == 404


def test_another_workspaces_link_is_a_404_everywhere(outsider_client, link):
    link.questions = [Question(id=1, kind="short_text", label="Company").to_dict()]
    link.save()

    for response in (
        outsider_client.get(f"{BASE}/{link.pk}/questions/new"),
        add(outsider_client, link, label="Sneaky"),
        outsider_client.get(f"{BASE}/{link.pk}/questions/1"),
        outsider_client.post(f"{BASE}/{link.pk}/questions/1", {"kind": "email", "label": "X"}),
        outsider_client.post(f"{BASE}/{link.pk}/questions/1/remove"),
        outsider_client.post(f"{BASE}/{link.pk}/questions/1/move", {"direction": "down"}),
    ):
        assert response.status_code == 404
    assert questions_of(link) == [(1, "Company")]


def test_a_teammate_cannot_change_someone_elses_link(teammate_client, link):
    response = add(teammate_client, link, label="Mine now")

    assert response.status_code == 403
    assert questions_of(link) == []


def test_the_question_pages_work_for_the_links_owner_only_in_their_workspace(owner_client, owner):
    elsewhere = LinkFactory()

    assert owner_client.get(f"{BASE}/{elsewhere.pk}/questions/new").status_code == 404
