from django.db import migrations

from accounts.roles import sync_role_groups


def column_mappings(apps, schema_editor):
    # Staff save and reuse their province's column mappings.
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_imports_app"),
        ("imports", "0005_column_mappings"),
    ]

    operations = [migrations.RunPython(column_mappings, migrations.RunPython.noop)]
