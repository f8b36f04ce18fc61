"""The busy cache behind the slot pages: the same answer as the database, and never stale after
a write through any path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.core.cache import cache

from availability import busy_cache, services
from availability.models import ExternalBusy
from availability.selectors import hosts_away
from tests.factories import MembershipFactory

DAY = datetime(2027, 1, 30, 9, tzinfo=UTC)


def _busy(user, start, hours=1, **fields):
    return ExternalBusy.objects.create(
        user=user,
        source="google:1",
        calendar_id="1",
        start=start,
        end=start + timedelta(hours=hours),
        **fields,
    )


def test_it_answers_what_the_database_answers_across_a_month_boundary(db):
    users = [MembershipFactory().user for _ in range(3)]
    _busy(users[0], DAY)
    _busy(users[0], datetime(2027, 1, 31, 23, tzinfo=UTC), hours=3)  # into February
    _busy(users[1], datetime(2027, 2, 10, 12, tzinfo=UTC))
    start, end = datetime(2027, 1, 25, tzinfo=UTC), datetime(2027, 2, 20, tzinfo=UTC)
    ids = [u.pk for u in users]

    first = busy_cache.hosts_away_cached(ids, start=start, end=end)
    again = busy_cache.hosts_away_cached(ids, start=start, end=end)  # from the cache now

    expected = hosts_away(ids, start=start, end=end)
    for answer in (first, again):
        assert {h: sorted(s) for h, s in answer.items() if s} == {
            h: sorted(s) for h, s in expected.items()
        }
    # The range across the boundary is one range, not one per month.
    assert len(again[users[0].pk]) == 2


def test_a_sync_write_time_off_and_its_removal_reach_the_next_page_read(db):
    user = MembershipFactory().user
    window = {"start": DAY - timedelta(days=1), "end": DAY + timedelta(days=1)}
    assert not busy_cache.hosts_away_cached([user.pk], **window)[user.pk]

    entry = services.time_off_create(
        workspace=user.memberships.first().workspace,
        user=user,
        start=DAY,
        end=DAY + timedelta(hours=2),
        created_by=None,
    )
    assert busy_cache.hosts_away_cached([user.pk], **window)[user.pk]

    services.time_off_delete(entry=entry)
    assert not busy_cache.hosts_away_cached([user.pk], **window)[user.pk]

    ExternalBusy.objects.bulk_create(
        [ExternalBusy(user=user, source="x", start=DAY, end=DAY + timedelta(hours=1))]
    )
    busy_cache.forget([user.pk])  # what every bulk writer does
    assert busy_cache.hosts_away_cached([user.pk], **window)[user.pk]


def test_a_lost_generation_never_brings_back_old_entries(db):
    user = MembershipFactory().user
    window = {"start": DAY - timedelta(days=1), "end": DAY + timedelta(days=1)}
    busy_cache.hosts_away_cached([user.pk], **window)  # cached: nothing busy
    ExternalBusy.objects.bulk_create(  # a write that (wrongly) forgot to forget
        [ExternalBusy(user=user, source="x", start=DAY, end=DAY + timedelta(hours=1))]
    )
    assert not busy_cache.hosts_away_cached([user.pk], **window)[user.pk]  # stale, as expected

    cache.delete(f"busy:gen:{user.pk}")  # the generation is evicted

    assert busy_cache.hosts_away_cached([user.pk], **window)[user.pk]
