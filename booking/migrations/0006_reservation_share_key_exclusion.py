"""Let a group session's seats share a host's time, and nothing else.

The exclusion constraint now also compares each reservation's share key (its own id when it has
none): two active reservations of one host may overlap only when they carry the same key, which
the booking service gives to the seats of one group session.
"""

from django.db import migrations

CREATE = """
ALTER TABLE booking_reservation ADD CONSTRAINT reservation_no_host_overlap
EXCLUDE USING gist (
    host_id WITH =,
    tstzrange(blocked_start, blocked_end, '[)') WITH &&,
    (COALESCE(share_key, 'reservation:' || id::text)) WITH <>
) WHERE (active)
"""
PREVIOUS = """
ALTER TABLE booking_reservation ADD CONSTRAINT reservation_no_host_overlap
EXCLUDE USING gist (
    host_id WITH =,
    tstzrange(blocked_start, blocked_end, '[)') WITH &&
) WHERE (active)
"""
DROP = "ALTER TABLE booking_reservation DROP CONSTRAINT IF EXISTS reservation_no_host_overlap"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)
        schema_editor.execute(PREVIOUS)


class Migration(migrations.Migration):
    dependencies = [("booking", "0005_link_hosts_capacity_overrides")]

    operations = [migrations.RunPython(forwards, backwards)]
