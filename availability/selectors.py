"""Busy time from this app's sources, read for many hosts in one query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from availability.models import ExternalBusy, TimeOff
from availability.sql import EpochSeconds

Busy = dict[int, list[tuple[int, int]]]


def hosts_away(host_ids: Iterable[int], *, start: datetime, end: datetime) -> Busy:
    """Each host's time off and cached calendar busy time overlapping ``[start, end)``.

    One query whatever the number of hosts: both sources are read as one UNION.
    """
    ids = list(host_ids)
    off = TimeOff.objects.filter(user_id__in=ids, end__gt=start, start__lt=end)
    ext = ExternalBusy.objects.filter(user_id__in=ids, end__gt=start, start__lt=end)
    rows = _epochs(off).union(_epochs(ext), all=True)
    busy: Busy = defaultdict(list)
    for host_id, b0, b1 in rows:
        busy[host_id].append((b0, b1))
    return busy


def _epochs(rows: QuerySet[Any]) -> QuerySet[Any]:
    # No ORDER BY: SQLite refuses one inside a UNION, and the engine does not need it.
    return (
        rows.order_by()
        .annotate(b0=EpochSeconds("start"), b1=EpochSeconds("end"))
        .values_list("user_id", "b0", "b1")
    )
