"""Users from before sign-up existed (the demo host, staff) get their address as verified, so
allauth's mandatory verification and email management treat them like verified sign-ups."""

from django.db import migrations


def forwards(apps, schema_editor):
    User = apps.get_model("workestra", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    known = set(EmailAddress.objects.values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        EmailAddress(user_id=user_id, email=email, verified=True, primary=True)
        for user_id, email in User.objects.values_list("pk", "email")
        if user_id not in known
    )


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0003_outcomes_as_columns"),
        ("workestra", "0004_user_working_hours"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
