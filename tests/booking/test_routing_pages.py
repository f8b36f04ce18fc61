"""The host's routing form pages: list and create, the editor (questions, rules, fallback),
responses with their filters and CSV, and tenant scoping."""

from __future__ import annotations

import csv
import io

import pytest

from booking.models import Destination, RoutingForm, RoutingResponse
from tests.booking.helpers import utc
from tests.booking.routing_helpers import RoutingFormFactory, add_rule
from tests.factories import BookingFactory, LinkFactory

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def form(workspace, owner):
    return RoutingFormFactory(workspace=workspace, owner=owner)


def editor(form) -> str:
    return f"/calendar/routing-forms/{form.pk}"


def test_create_a_form_from_the_list(owner_client, workspace):
    page = owner_client.get("/calendar/routing-forms").content.decode()
    assert 'aria-current="page">Routing Forms<' in page

    response = owner_client.post("/calendar/routing-forms", {"name": "Demo requests"})

    form = RoutingForm.objects.get()
    assert response["Location"] == editor(form)
    assert form.workspace == workspace and len(form.public_id) == 32
    assert form.rules.get().is_fallback
    assert owner_client.post("/calendar/routing-forms", {"name": ""}).status_code == 400


def test_add_edit_move_and_remove_questions(owner_client, workspace, owner):
    form = RoutingForm.objects.create(workspace=workspace, owner=owner, name="Demo")
    new = f"{editor(form)}/questions/new"
    owner_client.post(new, {"kind": "short_text", "label": "Company"})
    owner_client.post(new, {"kind": "dropdown", "label": "Seats", "options": "1-10\n11-50"})

    form.refresh_from_db()
    assert [(q["id"], q["label"]) for q in form.questions] == [(1, "Company"), (2, "Seats")]
    owner_client.post(
        f"{editor(form)}/questions/1", {"kind": "short_text", "label": "Company name"}
    )
    owner_client.post(f"{editor(form)}/questions/2/action", {"action": "up"})
    form.refresh_from_db()
    assert [(q["id"], q["label"]) for q in form.questions] == [(2, "Seats"), (1, "Company name")]

    owner_client.post(f"{editor(form)}/questions/2/action", {"action": "remove"})
    owner_client.post(new, {"kind": "number", "label": "Budget"})
    form.refresh_from_db()
    # A removed question's id is never given again: old answers keep their meaning.
    assert [q["id"] for q in form.questions] == [1, 3]


def test_a_file_question_is_refused_with_a_reason(owner_client, form):
    response = owner_client.post(f"{editor(form)}/questions/new", {"kind": "file", "label": "CV"})

    assert response.status_code == 400
    assert "can&#x27;t ask for file uploads" in response.content.decode()
    form.refresh_from_db()
    assert len(form.questions) == 4


def test_a_question_a_rule_uses_cannot_be_removed(owner_client, form):
    add_rule(form, [{"question": 2, "op": "equals", "value": "Sales"}], message="Hi", label="Sales")

    response = owner_client.post(f"{editor(form)}/questions/2/action", {"action": "remove"})

    assert response.status_code == 400
    assert "“Sales” uses this question" in response.content.decode()
    form.refresh_from_db()
    assert len(form.questions) == 4


def test_add_a_rule_with_conditions_and_a_link(owner_client, form, link):
    response = owner_client.post(
        f"{editor(form)}/rules/new",
        {
            "label": "Big sales",
            "c0_question": "2",
            "c0_op": "one_of",
            "c0_value": "Sales\nPartnership",
            "c1_question": "1",
            "c1_op": "between",
            "c1_min": "50",
            "c1_max": "",
            "c2_question": "",
            "destination": "link",
            "link": str(link.pk),
        },
    )

    assert response.status_code == 302
    rule = form.rules.get(is_fallback=False)
    assert rule.conditions == [
        {"question": 2, "op": "one_of", "values": ["Sales", "Partnership"]},
        {"question": 1, "op": "between", "min": "50", "max": None},
    ]
    assert (rule.destination, rule.link) == (Destination.LINK, link)
    page = owner_client.get(editor(form)).content.decode()
    assert "Topic is one of “Sales”, “Partnership”" in page
    assert "Company size is a number between 50 and …" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"destination": "url", "url": "javascript:alert(1)"}, "starting with https://"),
        ({"destination": "url", "url": "ftp://files.example.com"}, "starting with https://"),
        ({"destination": "message", "message": ""}, "Write the message to show"),
        ({"destination": "link", "link": ""}, "Choose one of this workspace"),
        ({"c0_question": ""}, "Add at least one condition."),
        ({"c0_op": "between", "c0_min": "9", "c0_max": "1"}, "must not be above"),
        ({"c0_op": "between", "c0_min": "lots"}, "Enter a number"),
        ({"c0_op": "equals", "c0_value": "  "}, "Enter the value"),
        ({"c0_question": "99"}, "Select a valid choice"),
    ],
)
def test_a_bad_rule_is_refused_and_nothing_saved(owner_client, form, changes, message):
    data = {"c0_question": "2", "c0_op": "equals", "c0_value": "Sales"}
    data |= {"destination": "message", "message": "Hello"} | changes

    response = owner_client.post(f"{editor(form)}/rules/new", data)

    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not form.rules.filter(is_fallback=False).exists()


def test_another_workspaces_link_is_no_destination(owner_client, form, outsider):
    theirs = LinkFactory(owner=outsider, workspace=outsider.memberships.get().workspace)
    data = {"c0_question": "2", "c0_op": "equals", "c0_value": "Sales"}

    response = owner_client.post(
        f"{editor(form)}/rules/new", data | {"destination": "link", "link": str(theirs.pk)}
    )

    assert response.status_code == 400
    assert not form.rules.filter(is_fallback=False).exists()


def test_rules_reorder_and_delete_but_the_fallback_stays(owner_client, form):
    first = add_rule(form, [{"question": 2, "op": "equals", "value": "A"}], message="a")
    second = add_rule(form, [{"question": 2, "op": "equals", "value": "B"}], message="b")

    owner_client.post(f"{editor(form)}/rules/{second.pk}/action", {"action": "up"})
    assert list(form.rules.filter(is_fallback=False)) == [second, first]

    owner_client.post(f"{editor(form)}/rules/{first.pk}/action", {"action": "delete"})
    fallback = form.rules.get(is_fallback=True)
    response = owner_client.post(f"{editor(form)}/rules/{fallback.pk}/action", {"action": "delete"})
    assert response.status_code == 400
    assert list(form.rules.all()) == [second, fallback]


def test_the_fallback_can_send_to_a_web_page(owner_client, form):
    fallback = form.rules.get(is_fallback=True)

    owner_client.post(
        f"{editor(form)}/rules/{fallback.pk}",
        {"destination": "url", "url": "https://example.com/contact"},
    )

    fallback.refresh_from_db()
    assert (fallback.destination, fallback.url, fallback.conditions) == (
        "url",
        "https://example.com/contact",
        [],
    )


def test_another_workspace_sees_nothing(outsider_client, form):
    rule = add_rule(form, [{"question": 2, "op": "equals", "value": "A"}], message="a")
    for url in [
        editor(form),
        f"{editor(form)}/questions/1",
        f"{editor(form)}/questions/new",
        f"{editor(form)}/rules/{rule.pk}",
    ]:
        assert outsider_client.get(url).status_code == 404
        assert outsider_client.post(url, {"name": "Mine"}).status_code == 404
    assert outsider_client.post(f"{editor(form)}/delete").status_code == 404
    assert form.name not in outsider_client.get("/calendar/routing-forms").content.decode()
    filtered = outsider_client.get(f"/calendar/routing-forms/responses?form={form.pk}")
    assert filtered.status_code == 400
    assert RoutingForm.objects.filter(pk=form.pk).exists()


def test_a_member_reads_but_only_the_creator_or_an_admin_changes(teammate_client, form):
    assert teammate_client.get(editor(form)).status_code == 200
    response = teammate_client.post(editor(form), {"name": "Taken over", "is_active": "on"})

    assert response.status_code == 403
    form.refresh_from_db()
    assert form.name == "Talk to us"


def respond(form, when, *, email, topic, link=None, booking=None, **extra):
    return RoutingResponse.objects.create(
        workspace=form.workspace,
        form=form,
        name=email.split("@")[0].title(),
        email=email,
        answers={"1": "120", "2": topic, **extra},
        route_label="Sales" if link else "Fallback",
        destination=Destination.LINK if link else Destination.MESSAGE,
        link=link,
        target=link.public_path if link else "Thanks",
        booking=booking,
        created_at=when,
    )


@pytest.fixture
def responses(form, workspace, owner, link):
    other = RoutingFormFactory(workspace=workspace, owner=owner, name="Partners")
    booking = BookingFactory(link=link, start=utc(2026, 11, 25, 9), end=utc(2026, 11, 25, 9, 30))
    return {
        "old": respond(form, utc(2026, 11, 1, 12), email="old@example.com", topic="Support"),
        "new": respond(
            form,
            utc(2026, 11, 22, 12),
            email="new@example.com",
            topic="Sales",
            link=link,
            booking=booking,
            **{"3": '=HYPERLINK("evil")'},
        ),
        "other": respond(other, utc(2026, 11, 22, 13), email="p@example.com", topic="Partnership"),
    }


def test_responses_filter_by_form_and_dates(owner_client, form, responses):
    def shown(query: str) -> set[str]:
        page = owner_client.get(f"/calendar/routing-forms/responses?{query}").content.decode()
        return {key for key, r in responses.items() if f'id="response-{r.pk}"' in page}

    assert shown("") == {"old", "new", "other"}
    assert shown(f"form={form.pk}") == {"old", "new"}
    assert shown("start=2026-11-20") == {"new", "other"}
    assert shown(f"form={form.pk}&end=2026-11-10") == {"old"}
    bad = owner_client.get("/calendar/routing-forms/responses?start=2026-11-20&end=2026-11-01")
    assert bad.status_code == 400 and "swap them" in bad.content.decode()


def test_the_csv_has_a_column_per_question_and_the_outcome(owner_client, form, responses):
    response = owner_client.get(f"/calendar/routing-forms/responses.csv?form={form.pk}")

    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "Submitted at",
        "Form",
        "Name",
        "Email",
        "Company size",
        "Topic",
        "Anything else?",
        "Interests",
        "Route",
        "Destination",
        "Owner lookup",
        "Booking",
    ]
    newest = rows[1]
    assert newest[:6] == [
        "2026-11-22 13:00",
        "Talk to us",
        "New",
        "new@example.com",
        "120",
        "Sales",
    ]
    assert newest[6] == '\'=HYPERLINK("evil")'  # a spreadsheet shows it, never runs it
    assert newest[8:] == ["Sales", "Intro call", "", "2026-11-25 10:00 (Confirmed)"]
    assert rows[2][5] == "Support" and rows[2][8:10] == ["Fallback", "Message: Thanks"]
    assert len(rows) == 3


def test_the_csv_of_every_form_shares_columns_by_label(owner_client, responses):
    response = owner_client.get("/calendar/routing-forms/responses.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert rows[0].count("Topic") == 1
    assert [r[1] for r in rows[1:]] == ["Partners", "Talk to us", "Talk to us"]
    assert rows[1][5] == "Partnership"


def test_a_response_shows_its_booking(owner_client, responses):
    page = owner_client.get("/calendar/routing-forms/responses").content.decode()

    assert f'href="/calendar/bookings/{responses["new"].booking.pk}"' in page


def test_a_removed_questions_answers_stay_in_the_export(owner_client, form, responses):
    owner_client.post(f"{editor(form)}/questions/3/action", {"action": "remove"})

    response = owner_client.get(f"/calendar/routing-forms/responses.csv?form={form.pk}")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert "Anything else?" not in rows[0]
    column = rows[0].index("Anything else? (removed)")
    assert rows[1][column] == '\'=HYPERLINK("evil")'
    page = owner_client.get(editor(form)).content.decode()
    assert "Anything else?" not in page
