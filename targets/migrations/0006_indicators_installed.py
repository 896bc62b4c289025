"""The indicators are reference data every database needs (plans, targets and figures name them):
installed here from fixtures/indicators.json, as `loaddata indicators` would, and kept in step with
it (an indicator already there is updated, none is removed)."""

import json
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "indicators.json"


def install_indicators(apps, schema_editor):
    Indicator = apps.get_model("targets", "Indicator")
    for entry in json.loads(FIXTURE.read_text(encoding="utf-8")):
        fields = dict(entry["fields"])
        Indicator.objects.update_or_create(code=fields.pop("code"), defaults=fields)


class Migration(migrations.Migration):
    dependencies = [("targets", "0005_importrecord_moved")]

    operations = [migrations.RunPython(install_indicators, migrations.RunPython.noop)]
