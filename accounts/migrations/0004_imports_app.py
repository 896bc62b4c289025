from django.db import migrations

from accounts.roles import sync_role_groups


def import_in_new_app(apps, schema_editor):
    # The roles' right to import names ImportRecord in its own app now.
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_change_logs"),
        ("imports", "0001_importrecord_from_products"),
        ("products", "0016_importrecord_moved"),
        ("targets", "0005_importrecord_moved"),
    ]

    operations = [migrations.RunPython(import_in_new_app, migrations.RunPython.noop)]
