from django.db import migrations

from accounts.roles import sync_role_groups


def read_change_logs(apps, schema_editor):
    # Staff and leadership read the audit trails across records, in their scope.
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("products", "0005_audit_trail"),
        ("targets", "0002_audit_trail"),
    ]

    operations = [migrations.RunPython(read_change_logs, migrations.RunPython.noop)]
