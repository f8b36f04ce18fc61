"""Host settings for booking links at /settings/booking-links: list, create, edit, toggle, delete.

Plain ``Client`` tests against the views: the form works without JavaScript, HTMX is checked
only where a view answers it differently.
"""

from __future__ import annotations

import html
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django import forms

from availability.services import schedule_create
from booking.models import Booking, BookingLink
from tests.conftest import NOW, login
from tests.factories import BookingFactory, LinkFactory, MembershipFactory, StageFactory
from workestra.models import Membership

LIST_URL = "/settings/booking-links"
NEW_URL = "/settings/booking-links/new"
HTMX = {"HX-Request": "true"}
SLUG_MESSAGE = "Use lowercase letters, numbers and single dashes only."


def edit_url(link: BookingLink) -> str:
    return f"/settings/booking-links/{link.pk}"


def toggle_url(link: BookingLink) -> str:
    return f"/settings/booking-links/{link.pk}/toggle"


def delete_url(link: BookingLink) -> str:
    return f"/settings/booking-links/{link.pk}/delete"


def form_data(**overrides: str | None) -> dict[str, str]:
    """A complete, valid submission of the link form, as a browser sends it.

    An override of ``None`` leaves the key out, like an unticked checkbox.
    """
    data: dict[str, str | None] = {
        "title": "Discovery call",
        "description": "",
        "slug": "",
        "is_active": "on",
        "kind": "one_on_one",
        "capacity": "1",
        "rotation": "weighted",
        "rotation_period": "month",
        "duration": "30",
        "durations_text": "",
        "buffer_before": "0",
        "buffer_after": "0",
        "min_notice_hours": "0",
        "max_days_ahead": "30",
        "timezone": "Europe/Berlin",
        "deal_stage": "",
        "deal_value": "",
        "notification_mode": "calendar_invite",
        "phone_mode": "hidden",
        "redirect_url": "",
        "schedule": "",
        **{f"cta_label_{n}": "" for n in range(1, 6)},
        **{f"cta_url_{n}": "" for n in range(1, 6)},
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def resubmission(form: forms.BaseForm) -> dict[str, str]:
    """What the browser posts back when the host saves a rendered form without touching it."""
    data = {}
    for field in form:
        value = field.value()
        if isinstance(field.field, forms.BooleanField):
            if value:
                data[field.html_name] = "on"
        else:
            data[field.html_name] = "" if value is None else str(value)
    return data


def links_snapshot() -> list[dict[str, Any]]:
    return list(BookingLink.objects.order_by("pk").values())


def assert_shows_error(response, field: str, message: str) -> None:
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, f"expected an error on {field!r}, got {errors.as_data()}"
    assert any(message in error for error in errors[field]), errors[field]
    assert html.escape(message) in response.content.decode()


@pytest.fixture
def workspace_admin_client(workspace):
    admin = MembershipFactory(
        workspace=workspace, role=Membership.Role.ADMIN, user__email="admin@acme.test"
    ).user
    return login(admin)


@pytest.fixture
def outsider_link(outsider):
    return LinkFactory(
        workspace=outsider.memberships.get().workspace,
        owner=outsider,
        title="Their demo",
        slug="their-demo",
    )


@pytest.fixture
def stage(workspace):
    return StageFactory(pipeline__workspace=workspace, name="New leads")


# --- List -----------------------------------------------------------------------------------


def test_list_shows_each_live_link_with_its_public_url_and_a_copy_button(owner_client, link):
    response = owner_client.get(LIST_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Intro call" in page
    assert link.public_url.endswith("/book/intro")
    assert 'href="/book/intro"' in page
    assert f">{link.public_url}</a>" in page
    assert f'data-copy="{link.public_url}"' in page
    assert ">Copy</button>" in page


def test_list_shows_teammates_links_and_paused_links(owner_client, link, teammate, workspace):
    LinkFactory(workspace=workspace, owner=teammate, title="Tim's demo", is_active=False)

    page = owner_client.get(LIST_URL).content.decode()

    assert "Intro call" in page
    assert "Tim&#x27;s demo" in page
    assert ">Paused</button>" in page
    assert ">Active</button>" in page


def test_list_never_shows_another_workspaces_links(owner_client, link, outsider_link):
    page = owner_client.get(LIST_URL).content.decode()

    assert "Their demo" not in page
    assert "their-demo" not in page
    assert f"link-{outsider_link.pk}" not in page


def test_outsider_sees_only_their_own_links(outsider_client, link, outsider_link):
    page = outsider_client.get(LIST_URL).content.decode()

    assert "Their demo" in page
    assert "Intro call" not in page


def test_list_leaves_out_deleted_links(owner_client, link, workspace, owner):
    LinkFactory(
        workspace=workspace, owner=owner, title="Old webinar", deleted_at=NOW, is_active=False
    )

    page = owner_client.get(LIST_URL).content.decode()

    assert "Intro call" in page
    assert "Old webinar" not in page


def test_list_with_no_links_invites_to_create_one(owner_client):
    response = owner_client.get(LIST_URL)

    assert response.status_code == 200
    assert "No booking links yet." in response.content.decode()


def test_list_escapes_hostile_titles(owner_client, workspace, owner):
    LinkFactory(workspace=workspace, owner=owner, title="<script>alert(1)</script>")

    page = owner_client.get(LIST_URL).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    "url",
    [
        LIST_URL,
        NEW_URL,
        "/settings/booking-links/1",
        "/settings/booking-links/1/toggle",
        "/settings/booking-links/1/delete",
    ],
)
def test_anonymous_user_is_redirected_to_login(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/login?next={url}"


def test_anonymous_post_creates_nothing_and_redirects_to_login(client, db):
    response = client.post(NEW_URL, form_data())

    assert response.status_code == 302
    assert response["Location"].startswith("/login")
    assert not BookingLink.objects.exists()


# --- Create ---------------------------------------------------------------------------------


def test_create_form_starts_from_the_spec_defaults(owner_client, owner):
    response = owner_client.get(NEW_URL)

    assert response.status_code == 200
    form = response.context["form"]
    assert form["duration"].value() == 30
    assert form["max_days_ahead"].value() == 30
    assert form["timezone"].value() == owner.timezone
    assert form["is_active"].value() is True
    assert form["notification_mode"].value() == BookingLink.NotificationMode.CALENDAR_INVITE
    page = response.content.decode()
    assert 'name="duration" value="30"' in page
    assert 'name="max_days_ahead" value="30"' in page


def test_create_saves_the_link_in_the_hosts_workspace(owner_client, owner, workspace):
    response = owner_client.post(NEW_URL, form_data(title="Discovery call"))

    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    link = BookingLink.objects.get()
    assert link.workspace == workspace
    assert link.owner == owner
    assert link.title == "Discovery call"
    assert link.slug == "discovery-call"
    assert link.is_active
    assert link.duration == 30
    assert link.max_days_ahead == 30
    assert link.timezone == "Europe/Berlin"
    assert link.schedule is None  # the owner's default schedule
    assert link.durations == []
    assert link.ctas == []


def test_after_create_the_list_announces_the_public_url(owner_client):
    response = owner_client.post(NEW_URL, form_data(title="Discovery call"), follow=True)

    link = BookingLink.objects.get()
    assert f"“Discovery call” is live at {link.public_url}" in response.content.decode()


def test_create_without_the_active_box_ticked_starts_paused(owner_client):
    owner_client.post(NEW_URL, form_data(is_active=None))

    assert BookingLink.objects.get().is_active is False


def test_blank_slug_is_derived_from_the_title(owner_client):
    owner_client.post(NEW_URL, form_data(title="  30-minute Intro Call!  ", slug=""))

    assert BookingLink.objects.get().slug == "30-minute-intro-call"


def test_derived_slug_gets_a_numbered_suffix_while_taken(owner_client):
    for _ in range(3):
        response = owner_client.post(NEW_URL, form_data(title="Sales demo"))
        assert response.status_code == 302

    slugs = list(BookingLink.objects.order_by("pk").values_list("slug", flat=True))
    assert slugs == ["sales-demo", "sales-demo-2", "sales-demo-3"]


def test_derived_slug_avoids_slugs_taken_in_other_workspaces(
    owner_client, workspace, outsider_link
):
    owner_client.post(NEW_URL, form_data(title="Their demo"))

    assert BookingLink.objects.get(workspace=workspace).slug == "their-demo-2"


def test_derived_slug_reuses_the_slug_of_a_deleted_link(owner_client, link):
    link.deleted_at = NOW
    link.save()

    owner_client.post(NEW_URL, form_data(title="Intro"))

    assert BookingLink.objects.live().get().slug == "intro"


def test_title_without_letters_or_digits_gets_a_generic_slug(owner_client):
    owner_client.post(NEW_URL, form_data(title="☕ ☕ ☕"))

    assert BookingLink.objects.get().slug == "meeting"


def test_derived_slug_from_a_long_title_fits_the_slug_column(owner_client):
    owner_client.post(NEW_URL, form_data(title="word " * 40))

    slug = BookingLink.objects.get().slug
    assert 0 < len(slug) <= 90
    assert not slug.endswith("-")


def test_derived_slug_uses_only_lowercase_letters_digits_and_dashes(owner_client):
    owner_client.post(NEW_URL, form_data(title="Sales_Team  --  Q4 review"))

    assert BookingLink.objects.get().slug == "sales-team-q4-review"


def test_link_with_a_derived_slug_can_be_saved_again_unchanged(owner_client):
    owner_client.post(NEW_URL, form_data(title="Sales_Team call"))
    link = BookingLink.objects.get()

    form = owner_client.get(edit_url(link)).context["form"]
    response = owner_client.post(edit_url(link), resubmission(form))

    assert response.status_code == 302


def test_given_slug_overrides_the_title(owner_client):
    owner_client.post(NEW_URL, form_data(title="Discovery call", slug="talk-to-sales-2"))

    assert BookingLink.objects.get().slug == "talk-to-sales-2"


def test_slug_surrounded_by_spaces_is_trimmed(owner_client):
    owner_client.post(NEW_URL, form_data(slug="  talk  "))

    assert BookingLink.objects.get().slug == "talk"


@pytest.mark.parametrize(
    "slug",
    [
        pytest.param("Intro", id="uppercase"),
        pytest.param("intro call", id="space"),
        pytest.param("intro_call", id="underscore"),
        pytest.param("-intro", id="leading-dash"),
        pytest.param("intro-", id="trailing-dash"),
        pytest.param("intro--call", id="double-dash"),
        pytest.param("<script>", id="script-tag"),
        pytest.param("../x", id="path-traversal"),
        pytest.param("a/b", id="slash"),
        pytest.param("intro?x=1", id="query"),
        pytest.param("caf\u00e9", id="non-ascii"),
        pytest.param("'; drop table booking_bookinglink; --", id="sql"),
        pytest.param("x" * 101, id="too-long"),
    ],
)
def test_bad_slug_is_rejected_with_a_clear_message(owner_client, slug):
    response = owner_client.post(NEW_URL, form_data(slug=slug))

    expected = SLUG_MESSAGE if len(slug) <= 100 else "at most 100 characters"
    assert_shows_error(response, "slug", expected)
    assert "<script>" not in response.content.decode()
    assert not BookingLink.objects.exists()


def test_slug_message_does_not_suggest_underscores_are_allowed(owner_client):
    response = owner_client.post(NEW_URL, form_data(slug="<script>"))

    assert response.context["form"].errors["slug"] == [SLUG_MESSAGE]


def test_slug_of_a_live_link_in_the_same_workspace_is_rejected(owner_client, link):
    before = links_snapshot()

    response = owner_client.post(NEW_URL, form_data(slug="intro"))

    assert_shows_error(response, "slug", "Another link already uses this slug.")
    assert links_snapshot() == before


def test_slug_of_a_paused_link_is_rejected(owner_client, link):
    link.is_active = False
    link.save()

    response = owner_client.post(NEW_URL, form_data(slug="intro"))

    assert_shows_error(response, "slug", "Another link already uses this slug.")
    assert BookingLink.objects.count() == 1


def test_slug_of_a_live_link_in_another_workspace_is_rejected(owner_client, outsider_link):
    before = links_snapshot()

    response = owner_client.post(NEW_URL, form_data(slug="their-demo"))

    assert_shows_error(response, "slug", "Another link already uses this slug.")
    assert links_snapshot() == before


def test_slug_of_a_deleted_link_can_be_reused(owner_client, link):
    link.deleted_at = NOW
    link.is_active = False
    link.save()

    response = owner_client.post(NEW_URL, form_data(slug="intro"))

    assert response.status_code == 302
    new = BookingLink.objects.live().get()
    assert new.slug == "intro"
    assert new.pk != link.pk


# --- Field rules ----------------------------------------------------------------------------

REJECTED = [
    # Identity
    pytest.param({"title": ""}, "title", "This field is required.", id="title-blank"),
    pytest.param(
        {"title": "x" * 201},
        "title",
        "Ensure this value has at most 200 characters (it has 201).",
        id="title-201",
    ),
    pytest.param(
        {"description": "x" * 5001},
        "description",
        "Ensure this value has at most 5000 characters",
        id="description-5001",
    ),
    # Duration
    pytest.param({"duration": "481"}, "duration", "less than or equal to 480", id="duration-481"),
    pytest.param({"duration": "4"}, "duration", "greater than or equal to 5", id="duration-4"),
    pytest.param({"duration": "0"}, "duration", "greater than or equal to 5", id="duration-0"),
    pytest.param(
        {"duration": "-30"}, "duration", "greater than or equal to", id="duration-negative"
    ),
    pytest.param({"duration": "thirty"}, "duration", "Enter a whole number.", id="duration-text"),
    pytest.param({"duration": "30.5"}, "duration", "Enter a whole number.", id="duration-float"),
    pytest.param({"duration": ""}, "duration", "This field is required.", id="duration-blank"),
    # Available durations
    pytest.param(
        {"durations_text": "30, 481"},
        "durations_text",
        "“481” is not a duration from 5 to 480 minutes.",
        id="durations-481",
    ),
    pytest.param(
        {"durations_text": "4, 30"},
        "durations_text",
        "“4” is not a duration from 5 to 480 minutes.",
        id="durations-4",
    ),
    pytest.param(
        {"durations_text": "0"},
        "durations_text",
        "“0” is not a duration from 5 to 480 minutes.",
        id="durations-0",
    ),
    pytest.param(
        {"durations_text": "30, -45"},
        "durations_text",
        "“-45” is not a duration from 5 to 480 minutes.",
        id="durations-negative",
    ),
    pytest.param(
        {"durations_text": "30, an hour"},
        "durations_text",
        "“an” is not a duration from 5 to 480 minutes.",
        id="durations-text",
    ),
    pytest.param(
        {"durations_text": "30, 4\u00b2"},
        "durations_text",
        "is not a duration from 5 to 480 minutes.",
        id="durations-superscript-digit",
    ),
    pytest.param(
        {"durations_text": ", ".join(str(m) for m in range(10, 130, 10))},
        "durations_text",
        "Offer at most 10 durations.",
        id="durations-too-many",
    ),
    # Buffers, notice, horizon
    pytest.param(
        {"buffer_before": "481"},
        "buffer_before",
        "less than or equal to 480",
        id="buffer-before-481",
    ),
    pytest.param(
        {"buffer_before": "-5"},
        "buffer_before",
        "greater than or equal to 0",
        id="buffer-before-neg",
    ),
    pytest.param(
        {"buffer_after": "481"}, "buffer_after", "less than or equal to 480", id="buffer-after-481"
    ),
    pytest.param(
        {"buffer_after": "ten"}, "buffer_after", "Enter a whole number.", id="buffer-after-text"
    ),
    pytest.param(
        {"min_notice_hours": "-1"},
        "min_notice_hours",
        "greater than or equal to 0",
        id="min-notice-negative",
    ),
    pytest.param(
        {"min_notice_hours": "8761"},
        "min_notice_hours",
        "less than or equal to 8760",
        id="min-notice-over-a-year",
    ),
    pytest.param(
        {"max_days_ahead": "0"}, "max_days_ahead", "greater than or equal to 1", id="max-days-0"
    ),
    pytest.param(
        {"max_days_ahead": "731"},
        "max_days_ahead",
        "less than or equal to 730",
        id="max-days-731",
    ),
    # Time zone
    pytest.param(
        {"timezone": "Mars/Base"},
        "timezone",
        "Select a valid choice. Mars/Base is not one of the available choices.",
        id="timezone-mars",
    ),
    pytest.param(
        {"timezone": "europe/berlin"},
        "timezone",
        "Select a valid choice.",
        id="timezone-wrong-case",
    ),
    pytest.param(
        {"timezone": "localtime"}, "timezone", "Select a valid choice.", id="timezone-localtime"
    ),
    pytest.param({"timezone": ""}, "timezone", "This field is required.", id="timezone-blank"),
    # Schedule (the hours themselves are checked on the schedule pages)
    pytest.param(
        {"schedule": "999999"},
        "schedule",
        "Select a valid choice. That choice is not one of the available choices.",
        id="schedule-unknown",
    ),
    # CRM
    pytest.param(
        {"create_deal": "on"},
        "deal_stage",
        "Pick the stage new deals land in.",
        id="deal-without-stage",
    ),
    pytest.param(
        {"deal_value": "-1"}, "deal_value", "greater than or equal to 0", id="deal-value-negative"
    ),
    pytest.param({"deal_value": "lots"}, "deal_value", "Enter a number.", id="deal-value-text"),
    pytest.param(
        {"deal_value": "12345678901.00"},
        "deal_value",
        "Ensure that there are no more than 12 digits in total.",
        id="deal-value-too-big",
    ),
    # Notifications and booking page
    pytest.param(
        {"notification_mode": "sms"},
        "notification_mode",
        "Select a valid choice. sms is not one of the available choices.",
        id="notification-mode-unknown",
    ),
    pytest.param(
        {"phone_mode": "always"},
        "phone_mode",
        "Select a valid choice. always is not one of the available choices.",
        id="phone-mode-unknown",
    ),
    # Confirmation buttons
    pytest.param(
        {"cta_label_1": "Pricing"},
        "cta_url_1",
        "Enter a full web address starting with https://.",
        id="cta-without-url",
    ),
    pytest.param(
        {"cta_url_2": "https://acme.example/pricing"},
        "cta_label_2",
        "Give the button a label.",
        id="cta-without-label",
    ),
    pytest.param(
        {"cta_label_3": "Click", "cta_url_3": "javascript:alert(document.cookie)"},
        "cta_url_3",
        "Enter a full web address starting with https://.",
        id="cta-javascript-url",
    ),
    pytest.param(
        {"cta_label_4": "Deck", "cta_url_4": "ftp://acme.example/deck.pdf"},
        "cta_url_4",
        "Enter a full web address starting with https://.",
        id="cta-ftp-url",
    ),
    pytest.param(
        {"cta_label_5": "Site", "cta_url_5": "acme.example"},
        "cta_url_5",
        "Enter a full web address starting with https://.",
        id="cta-url-without-scheme",
    ),
    pytest.param(
        {"cta_label_1": "x" * 61, "cta_url_1": "https://acme.example"},
        "cta_label_1",
        "Ensure this value has at most 60 characters (it has 61).",
        id="cta-label-too-long",
    ),
    # Post-booking redirect
    pytest.param(
        {"redirect_url": "javascript:alert(document.cookie)"},
        "redirect_url",
        "Enter a full web address starting with https://.",
        id="redirect-javascript",
    ),
    pytest.param(
        {"redirect_url": "data:text/html,<script>alert(1)</script>"},
        "redirect_url",
        "Enter a full web address starting with https://.",
        id="redirect-data-url",
    ),
    pytest.param(
        {"redirect_url": "/thanks"},
        "redirect_url",
        "Enter a full web address starting with https://.",
        id="redirect-relative",
    ),
    pytest.param(
        {"redirect_url": "https://acme.example/thanks?c={{favourite_colour}}"},
        "redirect_url",
        "Unknown variable: favourite_colour. Valid names: attendee_name, attendee_email",
        id="redirect-unknown-variable",
    ),
    pytest.param(
        {"redirect_url": "https://acme.example/t?a={{zzz}}&b={{aaa}}&e={{invitee_email}}"},
        "redirect_url",
        "Unknown variables: aaa, zzz. Valid names:",
        id="redirect-unknown-variables",
    ),
    pytest.param(
        {"redirect_url": "https://{{utm_source}}.example/thanks"},
        "redirect_url",
        "Placeholders can only go in the path or query of the URL.",
        id="redirect-placeholder-in-host",
    ),
    pytest.param(
        {"calendar_provider": "caldav", "auto_meeting_link": "on"},
        "auto_meeting_link",
        "Meeting links come from Google Meet or Microsoft Teams",
        id="meeting-link-without-google-or-microsoft",
    ),
    pytest.param(
        {"loc_in_person": "on", "loc_in_person_detail": ""},
        "loc_in_person_detail",
        "Enter the address attendees will see.",
        id="in-person-without-address",
    ),
    pytest.param(
        {"loc_link": "on", "loc_link_detail": "javascript:alert(1)"},
        "loc_link_detail",
        "Enter a full meeting link starting with https://.",
        id="meeting-link-not-https",
    ),
    pytest.param(
        {"loc_phone_attendee": "on", "loc_phone_attendee_detail": "call me"},
        "loc_phone_attendee_detail",
        "Enter the number with its country code",
        id="phone-number-not-a-number",
    ),
    pytest.param(
        {"loc_in_person": "on", "loc_in_person_detail": "Room\x00 1"},
        "loc_in_person_detail",
        "Null characters are not allowed.",
        id="address-with-nul",
    ),
    pytest.param(
        {"calendar_provider": "yahoo"},
        "calendar_provider",
        "Select a valid choice.",
        id="unknown-calendar-provider",
    ),
]


@pytest.mark.parametrize(("overrides", "field", "message"), REJECTED)
def test_invalid_field_on_create_is_rejected_and_creates_nothing(
    owner_client, link, overrides, field, message
):
    before = links_snapshot()

    response = owner_client.post(NEW_URL, form_data(**overrides))

    assert_shows_error(response, field, message)
    assert "Please fix the fields marked below." in response.content.decode()
    assert links_snapshot() == before


@pytest.mark.parametrize(("overrides", "field", "message"), REJECTED)
def test_invalid_field_on_edit_is_rejected_and_changes_nothing(
    owner_client, link, overrides, field, message
):
    before = links_snapshot()

    response = owner_client.post(edit_url(link), form_data(slug="intro", **overrides))

    assert_shows_error(response, field, message)
    assert links_snapshot() == before


def test_rejected_submit_keeps_what_the_host_typed(owner_client):
    response = owner_client.post(
        NEW_URL,
        form_data(title="Discovery call", duration="481", durations_text="45, 60"),
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="Discovery call"' in page
    assert 'value="481"' in page
    assert 'value="45, 60"' in page


@pytest.mark.parametrize("minutes", [5, 30, 480])
def test_duration_from_5_to_480_minutes_is_accepted(owner_client, minutes):
    response = owner_client.post(NEW_URL, form_data(duration=str(minutes)))

    assert response.status_code == 302
    assert BookingLink.objects.get().duration == minutes


def test_available_durations_are_stored_as_a_list_of_minutes(owner_client):
    owner_client.post(NEW_URL, form_data(duration="30", durations_text="30, 45, 60"))

    link = BookingLink.objects.get()
    assert link.durations == [30, 45, 60]
    assert link.duration_choices == [30, 45, 60]


def test_available_durations_are_sorted_and_deduplicated(owner_client):
    owner_client.post(NEW_URL, form_data(durations_text="60 45,45,  5, 480"))

    assert BookingLink.objects.get().durations == [5, 45, 60, 480]


def test_buffers_notice_and_horizon_are_saved(owner_client):
    owner_client.post(
        NEW_URL,
        form_data(
            buffer_before="15",
            buffer_after="480",
            min_notice_hours="8760",
            max_days_ahead="730",
            save_anyway="1",  # a year's notice leaves no time in the coming weeks
        ),
    )

    link = BookingLink.objects.get()
    assert (link.buffer_before, link.buffer_after) == (15, 480)
    assert link.min_notice_hours == 8760
    assert link.max_days_ahead == 730


def test_booking_one_day_ahead_at_most_is_allowed(owner_client):
    owner_client.post(NEW_URL, form_data(max_days_ahead="1"))

    assert BookingLink.objects.get().max_days_ahead == 1


@pytest.mark.parametrize("zone", ["America/Argentina/Buenos_Aires", "Asia/Kathmandu", "UTC"])
def test_any_iana_time_zone_is_accepted(owner_client, zone):
    response = owner_client.post(NEW_URL, form_data(timezone=zone))

    assert response.status_code == 302
    assert BookingLink.objects.get().timezone == zone


def test_the_link_form_offers_the_owners_schedules_instead_of_typed_hours(
    owner_client, owner, workspace
):
    theirs = schedule_create(
        workspace=workspace,
        owner=owner,
        name="Evenings",
        timezone="UTC",
        weekly={"0": [["18:00", "21:00"]]},
    )
    page = owner_client.get(NEW_URL).content.decode()
    assert f'<option value="{theirs.pk}">Evenings</option>' in page
    assert 'name="hours_0"' not in page

    owner_client.post(NEW_URL, form_data(schedule=str(theirs.pk)))

    assert BookingLink.objects.get().schedule == theirs


def test_auto_create_deal_saves_a_stage_of_the_same_workspace(owner_client, stage):
    response = owner_client.post(
        NEW_URL, form_data(create_deal="on", deal_stage=str(stage.pk), deal_value="1500.50")
    )

    assert response.status_code == 302
    link = BookingLink.objects.get()
    assert link.create_deal
    assert link.deal_stage == stage
    assert link.deal_value == Decimal("1500.50")


def test_deal_value_may_be_zero_or_left_blank(owner_client, stage):
    owner_client.post(NEW_URL, form_data(title="A", deal_value="0"))
    owner_client.post(NEW_URL, form_data(title="B", deal_value=""))

    values = dict(BookingLink.objects.values_list("title", "deal_value"))
    assert values == {"A": Decimal("0"), "B": None}


def test_stage_of_another_workspace_is_rejected(owner_client, outsider):
    foreign_stage = StageFactory(pipeline__workspace=outsider.memberships.get().workspace)

    response = owner_client.post(
        NEW_URL, form_data(create_deal="on", deal_stage=str(foreign_stage.pk))
    )

    assert_shows_error(response, "deal_stage", "Select a valid choice.")
    assert not BookingLink.objects.exists()


def test_stage_picker_offers_only_the_workspaces_stages(owner_client, stage, outsider):
    foreign_stage = StageFactory(
        pipeline__workspace=outsider.memberships.get().workspace, name="Their leads"
    )

    response = owner_client.get(NEW_URL)

    assert list(response.context["form"].fields["deal_stage"].queryset) == [stage]
    page = response.content.decode()
    stage_select = page.split('name="deal_stage"', 1)[1].split("</select>", 1)[0]
    assert "New leads" in stage_select
    assert f'<option value="{foreign_stage.pk}"' not in stage_select
    assert "Their leads" not in page


@pytest.mark.parametrize("mode", ["calendar_invite", "email"])
def test_notification_mode_is_one_of_the_two_choices(owner_client, mode):
    owner_client.post(NEW_URL, form_data(notification_mode=mode, use_no_reply="on"))

    link = BookingLink.objects.get()
    assert link.notification_mode == mode
    assert link.use_no_reply


def test_booking_page_toggles_are_saved(owner_client):
    owner_client.post(
        NEW_URL, form_data(phone_mode="required", allow_guests="on", lock_timezone="on")
    )

    link = BookingLink.objects.get()
    assert link.phone_mode == BookingLink.PhoneMode.REQUIRED
    assert link.allow_guests
    assert link.lock_timezone


def test_up_to_five_confirmation_buttons_are_stored_in_order(owner_client):
    ctas = {}
    for n in range(1, 6):
        ctas[f"cta_label_{n}"] = f"Button {n}"
        ctas[f"cta_url_{n}"] = f"https://acme.example/{n}"
    ctas["cta_url_1"] = "http://acme.example/1"
    # A sixth pair is not part of the form and is ignored.
    ctas["cta_label_6"] = "Sixth"
    ctas["cta_url_6"] = "https://acme.example/6"

    owner_client.post(NEW_URL, form_data(**ctas))

    assert BookingLink.objects.get().ctas == [
        {"label": "Button 1", "url": "http://acme.example/1"},
        *({"label": f"Button {n}", "url": f"https://acme.example/{n}"} for n in range(2, 6)),
    ]


def test_blank_button_rows_are_skipped(owner_client):
    owner_client.post(
        NEW_URL,
        form_data(
            cta_label_2="Pricing", cta_url_2="https://acme.example/pricing", cta_label_4="  "
        ),
    )

    assert BookingLink.objects.get().ctas == [
        {"label": "Pricing", "url": "https://acme.example/pricing"}
    ]


@pytest.mark.parametrize(
    "url",
    [
        "https://acme.example/thanks",
        "http://acme.example/thanks",
        "https://acme.example/thanks?event={{event_type_name}}&email={{invitee_email}}&utm_source={{utm_source}}",
        "https://acme.example/t?name={{ attendee_name }}&company={{answer_a1}}&size={{answer_2}}",
    ],
)
def test_redirect_url_may_use_http_and_known_placeholders(owner_client, url):
    response = owner_client.post(NEW_URL, form_data(redirect_url=url))

    assert response.status_code == 302
    assert BookingLink.objects.get().redirect_url == url


def test_unknown_placeholder_message_lists_every_valid_name(owner_client):
    from booking.variables import VARIABLE_NAMES

    response = owner_client.post(
        NEW_URL, form_data(redirect_url="https://acme.example/?x={{nope}}")
    )

    (message,) = response.context["form"].errors["redirect_url"]
    assert message.startswith("Unknown variable: nope. Valid names: ")
    for name in VARIABLE_NAMES:
        assert name in message
    assert "answer_<id>" in message


def test_title_of_200_characters_is_accepted(owner_client):
    response = owner_client.post(NEW_URL, form_data(title="x" * 200))

    assert response.status_code == 302
    assert BookingLink.objects.get().title == "x" * 200


# --- Edit -----------------------------------------------------------------------------------


def test_edit_page_shows_the_current_settings(owner_client, link):
    link.durations = [30, 45, 60]
    link.schedule = schedule_create(
        workspace=link.workspace,
        owner=link.owner,
        name="Split",
        timezone="UTC",
        weekly={"0": [["09:00", "12:00"]]},
    )
    link.ctas = [{"label": "Pricing", "url": "https://acme.example/pricing"}]
    link.save()

    response = owner_client.get(edit_url(link))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Intro call"' in page
    assert 'value="intro"' in page
    assert f'<option value="{link.schedule.pk}" selected>Split</option>' in page
    assert 'value="45, 60"' in page
    assert 'value="Pricing"' in page
    assert 'value="https://acme.example/pricing"' in page
    assert link.public_url in page


def test_edit_saves_changes(owner_client, link, owner):
    response = owner_client.post(
        edit_url(link),
        form_data(
            title="Intro call (long)",
            slug="intro-long",
            duration="60",
            durations_text="30, 90",
            notification_mode="email",
            redirect_url="https://acme.example/thanks?e={{invitee_email}}",
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    link.refresh_from_db()
    assert link.title == "Intro call (long)"
    assert link.slug == "intro-long"
    assert link.duration == 60
    assert link.duration_choices == [60, 30, 90]
    assert link.notification_mode == "email"
    assert link.redirect_url == "https://acme.example/thanks?e={{invitee_email}}"
    assert link.owner == owner


def test_after_edit_the_list_confirms_the_new_title(owner_client, link):
    response = owner_client.post(
        edit_url(link), form_data(title="Renamed call", slug="intro"), follow=True
    )

    assert "Saved “Renamed call”." in response.content.decode()


def test_saving_the_edit_form_unchanged_keeps_every_setting(owner_client, link, stage):
    link.durations = [30, 45, 60]
    link.schedule = schedule_create(
        workspace=link.workspace,
        owner=link.owner,
        name="Split",
        timezone="UTC",
        weekly={"0": [["09:00", "12:00"]]},
    )
    link.ctas = [{"label": "Pricing", "url": "https://acme.example/pricing"}]
    link.create_deal = True
    link.deal_stage = stage
    link.deal_value = Decimal("250.00")
    link.redirect_url = "https://acme.example/thanks?e={{invitee_email}}"
    link.save()
    fields = [
        "title", "slug", "duration", "schedule_id", "ctas", "create_deal", "deal_stage_id",
        "deal_value", "redirect_url", "timezone", "is_active", "max_days_ahead",
    ]  # fmt: skip
    before = BookingLink.objects.values(*fields).get(pk=link.pk)

    form = owner_client.get(edit_url(link)).context["form"]
    response = owner_client.post(edit_url(link), resubmission(form))

    assert response.status_code == 302
    assert BookingLink.objects.values(*fields).get(pk=link.pk) == before
    link.refresh_from_db()
    assert link.duration_choices == [30, 45, 60]


def test_edit_keeps_the_links_own_slug(owner_client, link):
    response = owner_client.post(edit_url(link), form_data(title="Renamed", slug="intro"))

    assert response.status_code == 302
    link.refresh_from_db()
    assert (link.title, link.slug) == ("Renamed", "intro")


def test_edit_with_blank_slug_derives_it_from_the_title(owner_client, link):
    owner_client.post(edit_url(link), form_data(title="Quick chat", slug=""))

    link.refresh_from_db()
    assert link.slug == "quick-chat"


def test_edit_to_another_links_slug_is_rejected(owner_client, link, owner, workspace):
    LinkFactory(workspace=workspace, owner=owner, slug="demo")
    before = links_snapshot()

    response = owner_client.post(edit_url(link), form_data(slug="demo"))

    assert_shows_error(response, "slug", "Another link already uses this slug.")
    assert links_snapshot() == before


def test_rejected_edit_keeps_the_saved_title_and_public_url_in_the_heading(owner_client, link):
    response = owner_client.post(
        edit_url(link), form_data(title="Half-typed new name", slug="new-slug", duration="0")
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "<h1>Intro call</h1>" in page
    assert '<a href="/book/intro"' in page
    assert "/book/new-slug" not in page
    assert 'value="Half-typed new name"' in page
    link.refresh_from_db()
    assert (link.title, link.slug) == ("Intro call", "intro")


def test_another_workspaces_link_is_not_found_for_viewing(owner_client, outsider_link):
    response = owner_client.get(edit_url(outsider_link))

    assert response.status_code == 404


def test_another_workspaces_link_is_not_found_for_saving(owner_client, outsider_link):
    before = links_snapshot()

    response = owner_client.post(edit_url(outsider_link), form_data(title="Hijacked"))

    assert response.status_code == 404
    assert links_snapshot() == before


def test_unknown_link_id_is_not_found(owner_client, link):
    assert owner_client.get("/settings/booking-links/999999").status_code == 404


def test_deleted_link_cannot_be_edited(owner_client, link):
    link.deleted_at = NOW
    link.save()

    assert owner_client.get(edit_url(link)).status_code == 404
    assert owner_client.post(edit_url(link), form_data(slug="intro")).status_code == 404


def test_teammate_can_view_the_owners_link(teammate_client, link):
    response = teammate_client.get(edit_url(link))

    assert response.status_code == 200
    assert 'value="Intro call"' in response.content.decode()


def test_teammate_cannot_change_the_owners_link(teammate_client, link):
    before = links_snapshot()

    response = teammate_client.post(edit_url(link), form_data(title="Mine now", slug="intro"))

    assert response.status_code == 403
    assert links_snapshot() == before


def test_teammate_can_change_their_own_link(teammate_client, teammate, workspace):
    own = LinkFactory(workspace=workspace, owner=teammate, slug="tim")

    response = teammate_client.post(edit_url(own), form_data(title="Tim's call", slug="tim"))

    assert response.status_code == 302
    own.refresh_from_db()
    assert own.title == "Tim's call"


def test_workspace_admin_can_change_the_owners_link(workspace_admin_client, link, owner):
    response = workspace_admin_client.post(
        edit_url(link), form_data(title="Fixed by admin", slug="intro")
    )

    assert response.status_code == 302
    link.refresh_from_db()
    assert link.title == "Fixed by admin"
    assert link.owner == owner


def test_workspace_owner_can_change_a_teammates_link(owner_client, teammate, workspace):
    theirs = LinkFactory(workspace=workspace, owner=teammate, slug="tim")

    response = owner_client.post(edit_url(theirs), form_data(title="Renamed", slug="tim"))

    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.title == "Renamed"
    assert theirs.owner == teammate


# --- Active toggle --------------------------------------------------------------------------


def test_toggle_pauses_and_reactivates_the_link(owner_client, link):
    response = owner_client.post(toggle_url(link))

    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    link.refresh_from_db()
    assert link.is_active is False

    owner_client.post(toggle_url(link))

    link.refresh_from_db()
    assert link.is_active is True


def test_toggle_announces_the_new_state(owner_client, link):
    response = owner_client.post(toggle_url(link), follow=True)

    assert "“Intro call” is now paused." in response.content.decode()


def test_htmx_toggle_returns_only_the_links_row(owner_client, link):
    response = owner_client.post(toggle_url(link), headers=HTMX)

    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith(f'<tr id="link-{link.pk}">')
    assert "<html" not in page
    assert ">Paused</button>" in page
    assert 'aria-pressed="false"' in page
    link.refresh_from_db()
    assert link.is_active is False


def test_htmx_toggle_back_shows_the_row_as_active(owner_client, link):
    link.is_active = False
    link.save()

    page = owner_client.post(toggle_url(link), headers=HTMX).content.decode()

    assert f'id="link-{link.pk}"' in page
    assert ">Active</button>" in page


def test_toggle_by_get_is_not_allowed(owner_client, link):
    response = owner_client.get(toggle_url(link))

    assert response.status_code == 405
    link.refresh_from_db()
    assert link.is_active is True


def test_toggle_of_another_workspaces_link_is_not_found(outsider_client, link):
    response = outsider_client.post(toggle_url(link))

    assert response.status_code == 404
    link.refresh_from_db()
    assert link.is_active is True


def test_teammate_cannot_toggle_the_owners_link(teammate_client, link):
    response = teammate_client.post(toggle_url(link))

    assert response.status_code == 403
    link.refresh_from_db()
    assert link.is_active is True


def test_deleted_link_cannot_be_toggled(owner_client, link):
    link.deleted_at = NOW
    link.is_active = False
    link.save()

    assert owner_client.post(toggle_url(link)).status_code == 404
    link.refresh_from_db()
    assert link.is_active is False


def test_paused_links_public_page_says_it_is_not_taking_bookings(
    owner_client, link, frozen, client
):
    assert client.get("/book/intro").status_code == 200

    owner_client.post(toggle_url(link))
    paused = client.get("/book/intro")

    assert paused.status_code == 410
    assert "This link is not taking bookings right now." in paused.content.decode()

    owner_client.post(toggle_url(link))
    restored = client.get("/book/intro")

    assert restored.status_code == 200
    assert "This link is no longer active" not in restored.content.decode()
    assert "Intro call" in restored.content.decode()


def test_pausing_leaves_existing_bookings_alone(owner_client, link, frozen):
    booking = BookingFactory(link=link, start=NOW + timedelta(days=2))

    owner_client.post(toggle_url(link))

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.link_id == link.pk


# --- Delete ---------------------------------------------------------------------------------


def test_delete_asks_for_confirmation_and_changes_nothing(owner_client, link):
    before = links_snapshot()

    response = owner_client.get(delete_url(link))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Delete “Intro call”?" in page
    assert '<form method="post">' in page
    assert links_snapshot() == before


def test_delete_marks_the_link_deleted_and_keeps_its_bookings(owner_client, link, frozen):
    booking = BookingFactory(link=link, start=NOW + timedelta(days=2))

    response = owner_client.post(delete_url(link))

    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    link.refresh_from_db()
    assert link.deleted_at is not None
    assert link.is_active is False
    booking.refresh_from_db()
    assert booking.link_id == link.pk
    assert booking.status == Booking.Status.CONFIRMED


def test_deleted_links_public_page_is_not_found(owner_client, link, client, frozen):
    owner_client.post(delete_url(link))

    assert client.get("/book/intro").status_code == 404


def test_deleted_links_slug_is_free_for_a_new_link(owner_client, link):
    owner_client.post(delete_url(link))

    response = owner_client.post(NEW_URL, form_data(title="New intro", slug="intro"))

    assert response.status_code == 302
    assert BookingLink.objects.live().get().title == "New intro"
    assert BookingLink.objects.filter(slug="intro").count() == 2


def test_deleted_link_disappears_from_the_list(owner_client, link):
    owner_client.post(delete_url(link))

    page = owner_client.get(LIST_URL).content.decode()
    assert f'id="link-{link.pk}"' not in page
    assert "No booking links yet." in page


def test_htmx_delete_returns_an_empty_row(owner_client, link):
    response = owner_client.post(delete_url(link), headers=HTMX)

    assert response.status_code == 200
    assert response.content == b""
    link.refresh_from_db()
    assert link.deleted_at is not None


def test_delete_of_another_workspaces_link_is_not_found(outsider_client, link):
    before = links_snapshot()

    assert outsider_client.get(delete_url(link)).status_code == 404
    assert outsider_client.post(delete_url(link)).status_code == 404
    assert links_snapshot() == before


def test_teammate_cannot_delete_the_owners_link(teammate_client, link):
    before = links_snapshot()

    assert teammate_client.post(delete_url(link)).status_code == 403
    assert links_snapshot() == before


def test_deleting_twice_is_not_found(owner_client, link):
    owner_client.post(delete_url(link))

    assert owner_client.post(delete_url(link)).status_code == 404


def test_the_link_picks_its_calendar_and_asks_for_a_meeting_link(owner_client, link):
    response = owner_client.post(
        edit_url(link),
        form_data(slug="intro", calendar_provider="microsoft", auto_meeting_link="on"),
    )

    assert response.status_code == 302
    link.refresh_from_db()
    assert (link.calendar_provider, link.auto_meeting_link) == ("microsoft", True)


def test_the_link_offers_the_locations_ticked_with_their_details(owner_client, link):
    response = owner_client.post(
        edit_url(link),
        form_data(
            slug="intro",
            loc_in_person="on",
            loc_in_person_detail="  Acme HQ,   Berlin ",
            loc_phone_attendee="on",
            loc_phone_attendee_detail="+49 30 123456",
            loc_zoom="on",
        ),
    )

    assert response.status_code == 302
    link.refresh_from_db()
    assert link.locations == [
        {"kind": "in_person", "detail": "Acme HQ, Berlin"},
        {"kind": "phone_attendee", "detail": "+4930123456"},
        {"kind": "zoom", "detail": ""},
    ]
    page = owner_client.get(edit_url(link)).content.decode()
    assert "will have no video link until they connect Zoom" in page
