import itertools

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def store_sequence(apps, schema_editor):
    # As products.sequence.store_sequence, for every rating at once (superseded_on is 0008's): each
    # rating takes its decision's date; it is an upgrade when it rates its product above a 3★+
    # previous rating (the latest decided before it and not revoked by then); the product's first
    # 3★+ rating, by date then id, is its first recognition.
    Rating = apps.get_model("products", "Rating")
    RatingDecision = apps.get_model("products", "RatingDecision")
    ratings = Rating.objects.using(schema_editor.connection.alias)
    ratings.update(decided_on=Subquery(RatingDecision.objects.filter(pk=OuterRef("decision")).values("date")[:1]))
    rows = ratings.order_by("product", "decided_on", "pk").values_list("pk", "product", "decided_on", "stars", "revoked_on")
    upgrades, firsts = [], []
    for _product, product_rows in itertools.groupby(rows.iterator(), key=lambda row: row[1]):
        earlier = []
        for pk, _product_id, day, stars, revoked_on in product_rows:
            previous = next((r for r in reversed(earlier) if r[0] < day and not (r[2] and r[2] <= day)), None)
            if previous is not None and 3 <= previous[1] < stars:
                upgrades.append(pk)
            if stars >= 3 and all(r[1] < 3 for r in earlier):
                firsts.append(pk)
            earlier.append((day, stars, revoked_on))
    for field, pks in (("is_upgrade", upgrades), ("is_first_recognition", firsts)):
        for chunk in itertools.batched(pks, 500):
            ratings.filter(pk__in=chunk).update(**{field: True})


class Migration(migrations.Migration):

    dependencies = [
        ("products", "0008_rating_superseded_on"),
    ]

    operations = [
        migrations.AddField(
            model_name="rating",
            name="decided_on",
            field=models.DateField(editable=False, null=True, verbose_name="decision date"),
        ),
        migrations.AddField(
            model_name="rating",
            name="is_first_recognition",
            field=models.BooleanField(default=False, editable=False, verbose_name="first recognition"),
        ),
        migrations.AddField(
            model_name="rating",
            name="is_upgrade",
            field=models.BooleanField(default=False, editable=False, verbose_name="upgrade"),
        ),
        migrations.RunPython(store_sequence, migrations.RunPython.noop),
        # decided_on becomes required in 0010: PostgreSQL alters no table with updates pending in
        # the same transaction.
    ]
