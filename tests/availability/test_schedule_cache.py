"""The schedule cache behind the slots listing: an edit to the hours reaches the very next
response."""

from __future__ import annotations

from availability import services
from availability.models import Schedule

URL = "/api/v1/public/links/intro/slots?start=2026-11-24&end=2026-11-24&timezone=Europe/Berlin"


def _starts(client) -> list[str]:
    response = client.get(URL)
    assert response.status_code == 200
    return [s["start"] for s in response.json()["slots"].get("2026-11-24", [])]


def test_editing_the_links_hours_changes_the_next_listing(client, link, frozen):
    before = _starts(client)
    assert before[0] == "2026-11-24T09:00:00+01:00" and len(before) == 16

    schedule = Schedule.objects.get(owner=link.owner, is_default=True)  # the link's hours
    services.schedule_update(
        schedule=schedule,
        name=schedule.name,
        timezone=schedule.timezone,
        weekly={str(d): [["09:00", "10:00"]] for d in range(5)},
        overrides={},
    )

    assert _starts(client) == ["2026-11-24T09:00:00+01:00", "2026-11-24T09:30:00+01:00"]


def test_a_users_own_working_hours_reach_the_next_listing(client, link, frozen):
    _starts(client)
    Schedule.objects.filter(owner=link.owner).delete()  # now the hours saved on the user
    owner = link.owner
    owner.timezone = "Europe/Berlin"
    owner.working_hours = {str(d): [["14:00", "15:00"]] for d in range(5)}
    owner.save()

    assert _starts(client) == ["2026-11-24T14:00:00+01:00", "2026-11-24T14:30:00+01:00"]
