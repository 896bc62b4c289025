from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("products", "0009_rating_sequence"),
    ]

    operations = [
        migrations.AlterField(
            model_name="rating",
            name="decided_on",
            field=models.DateField(editable=False, verbose_name="decision date"),
        ),
    ]
