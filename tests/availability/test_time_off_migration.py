"""Time off saved before dates were bounded: the migration removes what cannot be read back."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from availability.models import TimeOff
from tests.booking.helpers import utc

BEFORE = [("availability", "0001_initial")]
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


def insert_time_off(owner, start, end) -> None:
    """Write a row the way the old form could, past the checks made since."""
    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO availability_timeoff (workspace_id, user_id, start, "end", reason,'
            " created_at) VALUES (%s, %s, %s, %s, 'old', %s)",
            [owner.memberships.get().workspace_id, owner.pk, start, end, utc(2026, 11, 1)],
        )


def insert_unreadable_time_off(owner) -> None:
    if connection.vendor == "postgresql":
        # Year 1 in Berlin is year 0 in UTC; 9999 in New York runs into year 10000 in UTC.
        insert_time_off(owner, datetime(1, 1, 1, tzinfo=BERLIN), datetime(1, 1, 2, tzinfo=BERLIN))
        insert_time_off(
            owner,
            datetime(9999, 12, 31, 20, tzinfo=NEW_YORK),
            datetime(9999, 12, 31, 22, tzinfo=NEW_YORK),
        )
    else:
        # SQLite keeps UTC as text: the same year-1 entry, converted the way SQL would.
        insert_time_off(owner, "0000-12-31 23:06:32", "0001-01-01 23:06:32")


@pytest.mark.django_db(transaction=True)
def test_the_migration_removes_time_off_the_page_could_not_show(owner, frozen):
    migrate(BEFORE)
    try:
        insert_unreadable_time_off(owner)
        kept = TimeOff.objects.create(
            workspace=owner.memberships.get().workspace,
            user=owner,
            start=utc(2026, 11, 24, 8),
            end=utc(2026, 11, 24, 11),
        )
        client = Client(raise_request_exception=False)
        client.force_login(owner)
        assert client.get("/settings/time-off").status_code == 500
    finally:
        migrate(None)

    assert list(TimeOff.objects.values_list("pk", flat=True)) == [kept.pk]
    assert client.get("/settings/time-off").status_code == 200
