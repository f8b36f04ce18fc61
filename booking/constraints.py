"""An exclusion constraint that exists on PostgreSQL and is left out everywhere else.

SQLite has no exclusion constraints (there IMMEDIATE transactions serialise the re-check and the
insert instead), so on any other database this neither writes SQL nor validates.
"""

from __future__ import annotations

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Func


class TsTzRange(Func):
    """``tstzrange(start, end, bounds)``: the time a reservation blocks, as one range."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


def _postgresql(connection) -> bool:
    return connection.vendor == "postgresql"


class PostgresExclusionConstraint(ExclusionConstraint):
    def constraint_sql(self, model, schema_editor):
        return (
            super().constraint_sql(model, schema_editor)
            if _postgresql(schema_editor.connection)
            else None
        )

    def create_sql(self, model, schema_editor):
        return (
            super().create_sql(model, schema_editor)
            if _postgresql(schema_editor.connection)
            else None
        )

    def remove_sql(self, model, schema_editor):
        return (
            super().remove_sql(model, schema_editor)
            if _postgresql(schema_editor.connection)
            else None
        )

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        if _postgresql(connections[using]):
            super().validate(model, instance, exclude=exclude, using=using)
