"""Settings read from the environment, checked in a fresh process as the server would read them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Variables that would leak this test run's own database and broker into the child.
OWN_ENV = ("DATABASE_URL", "REDIS_URL", "SQLITE_PATH", "DEBUG", "SECRET_KEY", "PUBLIC_BASE_URL")

PRINT_SQLITE_CONNECTION = """
import json, django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal = cursor.fetchone()[0]
    cursor.execute("PRAGMA busy_timeout")
    busy = cursor.fetchone()[0]
print(json.dumps({"journal": journal, "busy_ms": busy, "mode": connection.transaction_mode}))
"""


def run_with_env(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in OWN_ENV}
    clean["DJANGO_SETTINGS_MODULE"] = "workestra.settings"
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("chosen_by", ["DATABASE_URL", "SQLITE_PATH"])
def test_sqlite_gets_immediate_transactions_a_busy_timeout_and_wal_however_chosen(
    tmp_path, chosen_by
):
    db = tmp_path / "chosen.sqlite3"
    env = (
        {"DATABASE_URL": f"sqlite:///{db}"}
        if chosen_by == "DATABASE_URL"
        else {"SQLITE_PATH": str(db)}
    )

    result = run_with_env(PRINT_SQLITE_CONNECTION, **env)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"journal": "wal", "busy_ms": 30000, "mode": "IMMEDIATE"}
    assert db.exists()
