"""Database helpers for reading busy time fast: instants come back as epoch seconds, not datetimes.

Slot pages read thousands of busy ranges; letting the database hand over integers saves building
a timezone-aware datetime per value and converting it back.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class EpochSeconds(models.Func):
    """Whole seconds since 1970-01-01 UTC of a datetime column."""

    output_field = models.BigIntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(FLOOR(EXTRACT(EPOCH FROM %(expressions)s)) AS bigint)",
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Aware datetimes are stored as UTC text, which strftime reads directly. The "%" is
        # doubled twice: once for this template, once for the driver's parameter style.
        return self.as_sql(
            compiler, connection, template="CAST(strftime('%%%%s', %(expressions)s) AS integer)"
        )
