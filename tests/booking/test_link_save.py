"""link_save: a link's settings and its hosts are stored together or not at all."""

from __future__ import annotations

import pytest
from django.db import DatabaseError

from booking import services
from booking.models import BookingLink, LinkHost


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
