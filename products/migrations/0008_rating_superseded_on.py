from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery


def store_superseded(apps, schema_editor):
    # As products.sequence.store_sequence (superseded_on), for every rating at once: each rating is superseded on
    # the decision date of its product's next rating, by date then id.
    Rating = apps.get_model("products", "Rating")
    ratings = Rating.objects.using(schema_editor.connection.alias)
    following = ratings.filter(product=OuterRef("product")).filter(
        Q(decision__date__gt=OuterRef("decision__date"))
        | Q(decision__date=OuterRef("decision__date"), pk__gt=OuterRef("pk"))
    ).order_by("decision__date", "pk")
    superseded = ratings.annotate(superseded=Subquery(following.values("decision__date")[:1]))
    for pk, day in list(superseded.filter(superseded__isnull=False).values_list("pk", "superseded")):
        ratings.filter(pk=pk).update(superseded_on=day)


class Migration(migrations.Migration):

    dependencies = [
        ("products", "0007_fewer_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="rating",
            name="superseded_on",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="superseded on"),
        ),
        migrations.RunPython(store_superseded, migrations.RunPython.noop),
    ]
