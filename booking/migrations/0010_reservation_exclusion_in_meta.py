"""Declare the no-double-booking exclusion constraint on the model; the database is untouched.

Migrations 0004 and 0006 created ``reservation_no_host_overlap`` in SQL on PostgreSQL (and
nothing on SQLite). This only records the same constraint in the migration state, so the model's
``Meta.constraints`` says what the table enforces and ``makemigrations`` sees no change.
"""

import django.contrib.postgres.fields.ranges
import django.db.models.functions.comparison
import django.db.models.functions.text
from django.db import migrations, models

import booking.constraints


class Migration(migrations.Migration):
    dependencies = [("booking", "0009_workflows")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(
                    model_name="reservation",
                    constraint=booking.constraints.PostgresExclusionConstraint(
                        condition=models.Q(("active", True)),
                        expressions=[
                            ("host", "="),
                            (
                                booking.constraints.TsTzRange(
                                    "blocked_start",
                                    "blocked_end",
                                    django.contrib.postgres.fields.ranges.RangeBoundary(),
                                ),
                                "&&",
                            ),
                            (
                                django.db.models.functions.comparison.Coalesce(
                                    "share_key",
                                    django.db.models.functions.text.Concat(
                                        models.Value("reservation:"),
                                        django.db.models.functions.comparison.Cast(
                                            "id", models.TextField()
                                        ),
                                    ),
                                ),
                                "<>",
                            ),
                        ],
                        name="reservation_no_host_overlap",
                        violation_error_message="This host already has a meeting at that time.",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
