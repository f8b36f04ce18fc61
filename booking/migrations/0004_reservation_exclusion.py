"""No host double-booking, enforced by PostgreSQL itself.

An exclusion constraint over (host, buffered time range) for active reservations makes a second
overlapping reservation impossible to commit, whatever the application does. SQLite has no such
constraint; there IMMEDIATE transactions serialise the re-check and the insert instead.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

CREATE = """
ALTER TABLE booking_reservation ADD CONSTRAINT reservation_no_host_overlap
EXCLUDE USING gist (
    host_id WITH =,
    tstzrange(blocked_start, blocked_end, '[)') WITH &&
) WHERE (active)
"""
DROP = "ALTER TABLE booking_reservation DROP CONSTRAINT IF EXISTS reservation_no_host_overlap"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("booking", "0003_initial")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(forwards, backwards),
    ]
