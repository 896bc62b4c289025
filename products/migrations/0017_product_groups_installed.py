"""The product groups are reference data every database needs (no import may fail for want of
them): installed here from fixtures/product_groups.json, as `loaddata product_groups` would, and
kept in step with it (a group already there is updated, none is removed)."""

import json
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "product_groups.json"


def install_groups(apps, schema_editor):
    ProductGroup = apps.get_model("products", "ProductGroup")
    entries = [entry["fields"] for entry in json.loads(FIXTURE.read_text(encoding="utf-8"))]
    # The current groups first: the 2018 ones map onto them.
    for fields in sorted(entries, key=lambda fields: fields["maps_to"] is not None):
        fields = dict(fields)
        maps_to = fields.pop("maps_to")
        if maps_to:
            fields["maps_to"] = ProductGroup.objects.get(scheme=maps_to[0], code=maps_to[1])
        ProductGroup.objects.update_or_create(scheme=fields.pop("scheme"), code=fields.pop("code"), defaults=fields)


class Migration(migrations.Migration):
    dependencies = [("products", "0016_importrecord_moved")]

    operations = [migrations.RunPython(install_groups, migrations.RunPython.noop)]
