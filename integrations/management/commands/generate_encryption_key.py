"""Print a new key for WORKESTRA_ENCRYPTION_KEY (it is not stored anywhere)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from workestra.lib import crypto


class Command(BaseCommand):
    help = "Print a new encryption key for WORKESTRA_ENCRYPTION_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(crypto.new_key())
