"""Busy time from this app's sources, read for many hosts in one query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from availability import engine
from availability.models import ExternalBusy, TimeOff

Busy = dict[int, list[tuple[int, int]]]


def hosts_away(host_ids: Iterable[int], *, start: datetime, end: datetime) -> Busy:
    """Each host's time off and cached calendar busy time overlapping ``[start, end)``.

    One query whatever the number of hosts: both sources are read as one UNION.
    """
    ids = list(host_ids)
    off = TimeOff.objects.filter(user_id__in=ids, end__gt=start, start__lt=end)
    ext = ExternalBusy.objects.filter(user_id__in=ids, end__gt=start, start__lt=end)
    rows = off.values_list("user_id", "start", "end").union(
        ext.values_list("user_id", "start", "end"), all=True
    )
    busy: Busy = defaultdict(list)
    for host_id, b0, b1 in rows:
        busy[host_id].append((engine.to_epoch(b0), engine.to_epoch(b1)))
    return busy


def host_on_time_off(host_id: int, *, start: datetime, end: datetime) -> bool:
    return TimeOff.objects.filter(user_id=host_id, end__gt=start, start__lt=end).exists()
