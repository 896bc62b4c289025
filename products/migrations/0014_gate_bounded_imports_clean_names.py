"""Import records count their failed and warned rows and keep at most sheets.MAX_ERRORS (1,000) of
each list; names of producers and products lose their invisible and direction-control characters.

A cleaned name that would now equal another's in the same province (producers) or of the same
producer (products) is not merged: merging would move products and ratings between records, which
only a person can judge. It keeps "(#id)" after the name, so both stay, the pair is visible in the
lists and searches, and is listed by this migration for someone to merge by hand.
"""

from django.db import migrations, models

from provinces.text import clean_name, fold

MAX_ERRORS = 1000  # products.sheets.MAX_ERRORS when this was written


def bound_import_records(apps, schema_editor):
    ImportRecord = apps.get_model("products", "ImportRecord")
    for record in ImportRecord.objects.only("pk", "errors", "warnings").iterator(chunk_size=1):
        ImportRecord.objects.filter(pk=record.pk).update(
            failed_rows=len({e.get("row") for e in record.errors}), warned_rows=len({e.get("row") for e in record.warnings}),
            errors=record.errors[:MAX_ERRORS], warnings=record.warnings[:MAX_ERRORS])


def clean_names(apps, schema_editor):
    for model_name, within in (("Producer", "province_id"), ("Product", "producer_id")):
        model = apps.get_model("products", model_name)
        rows = list(model.objects.order_by("pk").only("pk", "name", "search_name", within))
        taken = {(getattr(row, within), row.search_name) for row in rows}
        changed = []
        for row in rows:
            name = clean_name(row.name)
            if name == row.name and fold(name) == row.search_name:
                continue
            key = (getattr(row, within), fold(name))
            if key != (getattr(row, within), row.search_name) and key in taken:
                name = f"{name} (#{row.pk})"
                print(f"\n  {model_name} {row.pk}: “{row.name}” looks like another's name once cleaned; kept as “{name}”.")
                key = (getattr(row, within), fold(name))
            taken.add(key)
            row.name, row.search_name = name, key[1]
            changed.append(row)
        model.objects.bulk_update(changed, ["name", "search_name"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("products", "0013_scope_importrecord_provinces")]

    operations = [
        migrations.AddField(model_name="importrecord", name="failed_rows",
                            field=models.PositiveIntegerField(default=0, verbose_name="rows with errors")),
        migrations.AddField(model_name="importrecord", name="warned_rows",
                            field=models.PositiveIntegerField(default=0, verbose_name="rows with warnings")),
        migrations.RunPython(bound_import_records, migrations.RunPython.noop),
        migrations.RunPython(clean_names, migrations.RunPython.noop),
    ]
