"""The link editor at /settings/booking-links: sections, settings per event type, "Update form"
without script, and the warning before saving a link that offers no time at all."""

from __future__ import annotations

import re

import pytest

from booking.models import BookingLink, LinkHost
from tests.booking.test_link_settings import NEW_URL, edit_url, form_data


def part(page: str, part_id: str) -> str:
    """The opening tag of the section (or table cell group) with ``part_id``."""
    match = re.search(rf'<fieldset id="{part_id}"[^>]*>', page)
    assert match, f"no section {part_id}"
    return match.group(0)


def shown(page: str, part_id: str) -> bool:
    return " hidden" not in part(page, part_id)


@pytest.mark.parametrize(
    ("kind", "visible", "hidden"),
    [
        ("one_on_one", {"link-availability", "link-limits"}, {"link-hosts"}),
        ("round_robin", {"link-availability", "link-limits", "link-hosts"}, set()),
        ("collective", {"link-availability", "link-hosts"}, set()),
        ("group", {"link-availability", "link-limits"}, {"link-hosts"}),
        ("instant", set(), {"link-availability", "link-limits", "link-hosts"}),
    ],
)
def test_editor_shows_only_the_sections_of_the_links_type(
    owner_client, link, kind, visible, hidden
):
    link.kind = kind
    link.capacity = 3
    link.save()

    page = owner_client.get(edit_url(link)).content.decode()

    for always in ("details", "notifications", "confirmation", "advanced"):
        assert shown(page, f"link-{always}")
        assert f'href="#link-{always}"' in page
    assert {p for p in visible | hidden if shown(page, p)} == visible


def test_round_robin_options_show_only_on_a_round_robin_link(owner_client, link):
    page = owner_client.get(edit_url(link)).content.decode()
    rotation = re.search(
        r'<div data-kinds="round_robin"([^>]*)>\s*<div class="field[^"]*">\s*'
        r'<label for="id_rotation"',
        page,
    )
    assert rotation and "hidden" in rotation.group(1)
    assert re.search(r'<th data-kinds="round_robin" hidden>Weight</th>', page)

    link.kind = BookingLink.Kind.ROUND_ROBIN
    link.save()
    page = owner_client.get(edit_url(link)).content.decode()
    assert '<th data-kinds="round_robin">Weight</th>' in page


def test_seats_show_only_on_a_group_link(owner_client, link):
    page = owner_client.get(edit_url(link)).content.decode()
    assert re.search(r'<div data-kinds="group" hidden>\s*<p class="muted">Group links', page)

    response = owner_client.post(NEW_URL, form_data(kind="group", refresh="1"))
    assert re.search(
        r'<div data-kinds="group">\s*<p class="muted">Group links', response.content.decode()
    )


def test_update_form_redraws_for_the_new_type_without_saving(owner_client, link):
    before = BookingLink.objects.get().updated_at

    response = owner_client.post(
        edit_url(link), form_data(title="Typed, not saved", kind="round_robin", refresh="1")
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing is saved yet" in page
    assert 'value="Typed, not saved"' in page
    assert shown(page, "link-hosts")
    assert "Please fix" not in page  # no errors on a redraw, though round-robin needs a host
    stored = BookingLink.objects.get()
    assert (stored.title, stored.kind, stored.updated_at) == ("Intro call", "one_on_one", before)


def test_update_form_on_a_new_link_creates_nothing(owner_client):
    response = owner_client.post(NEW_URL, form_data(kind="instant", refresh="1"))

    assert response.status_code == 200
    assert not shown(response.content.decode(), "link-availability")
    assert not BookingLink.objects.exists()


def test_saving_a_one_on_one_link_keeps_its_hidden_round_robin_settings(
    owner_client, link, teammate
):
    link.rotation_max_lead = 4
    link.save()
    LinkHost.objects.create(link=link, user=teammate, weight=250)
    data = form_data(title="Renamed", rotation_max_lead="4", max_days_ahead="30")
    data |= {
        f"host_{teammate.pk}": "on",
        f"weight_{teammate.pk}": "250",
        f"priority_{teammate.pk}": "2",
    }

    response = owner_client.post(edit_url(link), data)

    assert response.status_code == 302
    link.refresh_from_db()
    assert (link.title, link.rotation_max_lead) == ("Renamed", 4)
    assert LinkHost.objects.get(link=link, user=teammate).weight == 250


def test_the_rendered_editor_resubmits_the_hidden_settings_it_holds(owner_client, link):
    link.rotation_max_lead = 4
    link.save()

    page = owner_client.get(edit_url(link)).content.decode()

    assert re.search(r'name="rotation_max_lead" value="4"', page)


def test_a_link_offering_no_time_is_not_saved_without_confirming(owner_client, link):
    # 2,000 hours of notice reach past the 30 days the link books ahead: no time is left.
    response = owner_client.post(edit_url(link), form_data(min_notice_hours="2000"))

    assert response.status_code == 400
    page = response.content.decode()
    assert "This link would offer no times in the next 60 days" in page
    assert 'name="save_anyway"' in page
    assert BookingLink.objects.get().min_notice_hours == 0


def test_save_anyway_stores_a_link_offering_no_time(owner_client, link):
    response = owner_client.post(
        edit_url(link), form_data(min_notice_hours="2000", save_anyway="1")
    )

    assert response.status_code == 302
    assert BookingLink.objects.get().min_notice_hours == 2000


def test_a_new_link_offering_no_time_is_not_created_without_confirming(owner_client):
    response = owner_client.post(NEW_URL, form_data(min_notice_hours="2000"))

    assert response.status_code == 400
    assert "offer no times" in response.content.decode()
    assert not BookingLink.objects.exists()
    assert not LinkHost.objects.exists()

    response = owner_client.post(NEW_URL, form_data(min_notice_hours="2000", save_anyway="1"))
    assert response.status_code == 302
    assert BookingLink.objects.get().min_notice_hours == 2000


@pytest.mark.parametrize("overrides", [{"is_active": None}, {"kind": "instant"}])
def test_paused_and_instant_links_save_without_the_warning(owner_client, link, overrides):
    response = owner_client.post(edit_url(link), form_data(min_notice_hours="2000", **overrides))

    assert response.status_code == 302


def test_a_link_with_times_saves_without_a_warning(owner_client, link):
    response = owner_client.post(edit_url(link), form_data(title="Still bookable"))

    assert response.status_code == 302
    assert BookingLink.objects.get().title == "Still bookable"
