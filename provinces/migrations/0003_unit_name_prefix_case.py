from django.db import migrations


def write_prefixes_alike(apps, schema_editor):
    """Units loaded before services.unit_name: "Thành Phố Bắc Kạn" becomes "Thành phố Bắc Kạn"."""
    from provinces.services import unit_name  # a pure function of the name

    AdminUnit = apps.get_model("provinces", "AdminUnit")
    db = schema_editor.connection.alias
    changed = []
    for unit in AdminUnit.objects.using(db).only("pk", "name").iterator(chunk_size=2000):
        if (name := unit_name(unit.name)) != unit.name:
            unit.name = name
            changed.append(unit)
    AdminUnit.objects.using(db).bulk_update(changed, ["name"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("provinces", "0002_unit_level_name"),
    ]

    operations = [
        migrations.RunPython(write_prefixes_alike, migrations.RunPython.noop),
    ]
