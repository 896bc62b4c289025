"""One decision per RatingDecision.unique_key (number, date, year known alone or not, level, issuing
unit), whoever writes it; then duplicates that concurrent imports made are merged first."""

import itertools

import django.db.models.functions.comparison
from django.db import migrations, models

RATING_FIELDS = ("decided_on", "superseded_on", "is_upgrade", "is_first_recognition")


def merge_duplicate_decisions(apps, schema_editor, number="number"):
    """Decisions with the same key (`number`: the column compared, number_key from 0019 on) become the first of them (by id): it takes the others' ratings,
    and where a product was rated in both, keeps its own rating and the duplicate's is deleted (two
    imports of one sheet wrote the same stars). The products' periods are then recomputed."""
    from products.sequence import sequence  # a pure function of a product's ratings

    RatingDecision = apps.get_model("products", "RatingDecision")
    Rating = apps.get_model("products", "Rating")
    db = schema_editor.connection.alias
    first, merged_into = {}, {}
    decisions = RatingDecision.objects.using(db).order_by("pk").values_list("pk", number, "date", "year_only", "level", "issuer")
    for pk, *key in decisions:
        if tuple(key) in first:
            merged_into[pk] = first[tuple(key)]
        else:
            first[tuple(key)] = pk
    touched = set()
    for duplicate, kept in merged_into.items():
        rated = set(Rating.objects.using(db).filter(decision_id=kept).values_list("product_id", flat=True))
        for pk, product in Rating.objects.using(db).filter(decision_id=duplicate).order_by("pk").values_list("pk", "product_id"):
            touched.add(product)
            if product in rated:
                Rating.objects.using(db).filter(pk=pk).delete()
            else:
                Rating.objects.using(db).filter(pk=pk).update(decision_id=kept)
                rated.add(product)
        RatingDecision.objects.using(db).filter(pk=duplicate).delete()
    for chunk in itertools.batched(sorted(touched), 500):
        rows = (Rating.objects.using(db).filter(product_id__in=chunk).order_by("product_id", "decision__date", "pk")
                .values_list("pk", "product_id", "decision__date", "stars", "revoked_on"))
        for _product, ratings in itertools.groupby(rows, key=lambda row: row[1]):
            ratings = list(ratings)
            for row, wanted in zip(ratings, sequence([row[2:5] for row in ratings]), strict=True):
                Rating.objects.using(db).filter(pk=row[0]).update(**dict(zip(RATING_FIELDS, wanted, strict=True)))
    if schema_editor.connection.vendor == "postgresql":
        # Check the deferred foreign keys now: PostgreSQL builds no index on a table with checks pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ('products', '0014_gate_bounded_imports_clean_names'),
        ('provinces', '0002_unit_level_name'),
    ]

    operations = [
        migrations.RunPython(merge_duplicate_decisions, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='ratingdecision',
            name='decision_unique_number',
        ),
        migrations.AddConstraint(
            model_name='ratingdecision',
            constraint=models.UniqueConstraint(models.F('number'), models.F('date'), models.F('year_only'), models.F('level'), django.db.models.functions.comparison.Coalesce('issuer', models.Value(0), output_field=models.BigIntegerField()), name='decision_unique', violation_error_code='decision_unique', violation_error_message='This decision is already recorded.'),
        ),
    ]
