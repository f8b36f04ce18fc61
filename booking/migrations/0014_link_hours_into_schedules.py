"""Move each link's own weekly hours, date overrides and zone into a named schedule.

Every member gets a default schedule made from their working hours. A link whose hours are
exactly its owner's default keeps no schedule of its own (it uses the default); any other link
gets a schedule named after it, holding its windows, overrides and zone. Team links always point
at one, because their hosts without a schedule of their own follow the link's: before this
migration every host of a team link was offered on the link's hours.
"""

from django.db import migrations

TEAM_KINDS = ("round_robin", "collective")
NAME_LENGTH = 100


def _days(hours):
    return {str(day): windows for day, windows in (hours or {}).items() if windows}


def forward(apps, schema_editor):
    Schedule = apps.get_model("availability", "Schedule")
    BookingLink = apps.get_model("booking", "BookingLink")
    Membership = apps.get_model("workestra", "Membership")
    defaults = {}

    def default_for(workspace_id, user):
        key = (workspace_id, user.pk)
        if key not in defaults:
            found = Schedule.objects.filter(
                workspace_id=workspace_id, owner_id=user.pk, is_default=True
            ).first()
            defaults[key] = found or Schedule.objects.create(
                workspace_id=workspace_id,
                owner_id=user.pk,
                name="Working hours",
                timezone=user.timezone or "UTC",
                weekly=_days(user.working_hours),
                overrides={},
                is_default=True,
            )
        return defaults[key]

    for membership in Membership.objects.select_related("user").order_by("pk"):
        default_for(membership.workspace_id, membership.user)
    links = BookingLink.objects.filter(deleted_at__isnull=True, schedule__isnull=True)
    for link in links.select_related("owner").order_by("pk"):
        default = default_for(link.workspace_id, link.owner)
        same = (
            _days(link.weekly_hours) == _days(default.weekly)
            and not link.date_overrides
            and link.timezone == default.timezone
        )
        if same and link.kind not in TEAM_KINDS:
            continue
        if same:
            link.schedule = default
        else:
            link.schedule = Schedule.objects.create(
                workspace_id=link.workspace_id,
                owner_id=link.owner_id,
                name=link.title[:NAME_LENGTH] or "Link hours",
                timezone=link.timezone,
                weekly=_days(link.weekly_hours),
                overrides=dict(link.date_overrides or {}),
                is_default=False,
            )
        link.save(update_fields=["schedule"])


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0013_link_and_host_schedule"),
        ("availability", "0005_schedule"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]
