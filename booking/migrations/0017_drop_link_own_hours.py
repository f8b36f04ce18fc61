"""Links offer the hours of their schedule; the hours each link kept before schedules (moved
into schedules by 0014) go."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('booking', '0016_merge_schedules_new_time_asked'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='bookinglink',
            name='date_overrides',
        ),
        migrations.RemoveField(
            model_name='bookinglink',
            name='weekly_hours',
        ),
    ]
