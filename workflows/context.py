"""What a workflow knows about the thing it runs for, without importing the app that owns it.

``booking`` registers a provider at start-up; workflows then ask it, by subject ("booking:42"),
for the variables, the JSON payload, whether the occurrence still holds, and to ask for a
reconfirmation. The dependency points one way: booking → workflows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol


class Provider(Protocol):
    #: Every variable name its values carry, for validating templates at save time.
    variable_names: tuple[str, ...]

    def is_known(self, name: str) -> bool: ...

    def values(self, object_id: int) -> dict[str, str] | None:
        """Every variable filled in; ``None`` when the object is gone."""

    def send_values(self, object_id: int, *, names: set[str], send_key: str) -> dict[str, str]:
        """Values made for one message among ``names`` (e.g. a fresh single-use link); a retry
        of the same outbox row (``send_key``) gets the same values again."""

    def payload(self, object_id: int) -> dict[str, Any]: ...

    def is_live(self, object_id: int) -> bool:
        """Whether timed steps should still run (e.g. the booking is still confirmed)."""

    def sample(self) -> tuple[dict[str, str], dict[str, Any]]:
        """Variables and payload of a realistic sample, for "Send test"."""

    def request_reconfirmation(self, object_id: int, *, deadline: datetime) -> None: ...


PROVIDERS: dict[str, Provider] = {}


def register(kind: str, provider: Provider) -> None:
    PROVIDERS[kind] = provider


def split(subject: str) -> tuple[Provider, int] | None:
    kind, _, raw_id = subject.partition(":")
    provider = PROVIDERS.get(kind)
    if provider is None or not raw_id.isdigit():
        return None
    return provider, int(raw_id)


def booking_provider() -> Provider:
    return PROVIDERS["booking"]
