"""link_save: a link's settings and its hosts are stored together or not at all."""

from __future__ import annotations

import pytest
from django.db import DatabaseError

from booking import services
from booking.models import BookingLink, LinkHost
from tests.conftest import NOW


def hosts_of(link):
    return set(link.link_hosts.values_list("user_id", "weight"))


@pytest.fixture
def team_link(link, owner):
    link.kind = BookingLink.Kind.ROUND_ROBIN
    return services.link_save(link=link, hosts=[LinkHost(user=owner, weight=100)])


def test_it_stores_the_link_and_makes_its_hosts_match(team_link, owner, teammate):
    team_link.title = "Team intro"
    services.link_save(
        link=team_link, hosts=[LinkHost(user=teammate, weight=40, always_attending=False)]
    )
    team_link.refresh_from_db()
    assert team_link.title == "Team intro"
    assert hosts_of(team_link) == {(teammate.pk, 40)}


def test_a_failure_saving_the_hosts_leaves_the_link_unchanged(
    team_link, owner, teammate, monkeypatch
):
    title = team_link.title

    def refuse(**kwargs):
        raise DatabaseError("the host rows could not be written")

    monkeypatch.setattr(LinkHost.objects, "update_or_create", refuse)
    team_link.title = "Renamed"
    team_link.kind = BookingLink.Kind.COLLECTIVE
    with pytest.raises(DatabaseError):
        services.link_save(link=team_link, hosts=[LinkHost(user=teammate, weight=40)])
    stored = BookingLink.objects.get(pk=team_link.pk)
    assert (stored.title, stored.kind) == (title, BookingLink.Kind.ROUND_ROBIN)
    assert hosts_of(stored) == {(owner.pk, 100)}


def test_pausing_takes_the_link_off_the_public_page_and_publishing_brings_it_back(
    link, client, frozen
):
    services.link_set_active(link=link, active=False)
    assert client.get("/book/intro").status_code == 410
    assert not BookingLink.objects.get(pk=link.pk).is_active

    services.link_set_active(link=link, active=True)
    assert client.get("/book/intro").status_code == 200


def test_deleting_marks_the_link_deleted_frees_its_slug_and_keeps_the_row(link, frozen):
    services.link_delete(link=link)

    stored = BookingLink.objects.get(pk=link.pk)
    assert stored.deleted_at == NOW and not stored.is_active
    assert not BookingLink.objects.live().filter(slug="intro").exists()
