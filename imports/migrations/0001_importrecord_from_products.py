"""ImportRecord moves from products to the imports app. Its tables keep their names (nothing in the
database changes); its content type, and with it its permissions and admin log entries, moves too."""

import django.db.models.deletion
import imports.models
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor, old="products", new="imports"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if ContentType.objects.filter(app_label=old, model="importrecord").exists():
        ContentType.objects.filter(app_label=new, model="importrecord").delete()
        ContentType.objects.filter(app_label=old, model="importrecord").update(app_label=new)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, old="imports", new="products")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('products', '0015_concurrency_decision_unique'),
        ('provinces', '0002_unit_level_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='ImportRecord',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='uploaded at')),
                    ('kind', models.CharField(choices=imports.models.kind_choices, default='products', max_length=10, verbose_name='kind of sheet')),
                    ('filename', models.CharField(max_length=255, verbose_name='file name')),
                    ('sha256', models.CharField(max_length=64, verbose_name='SHA-256')),
                    ('content', models.BinaryField()),
                    ('skip_invalid', models.BooleanField(default=False, verbose_name='import only the valid rows')),
                    ('status', models.CharField(choices=[('previewed', 'Previewed, not imported'), ('imported', 'Imported')], default='previewed', max_length=10, verbose_name='status')),
                    ('created', models.PositiveIntegerField(default=0, verbose_name='created')),
                    ('updated', models.PositiveIntegerField(default=0, verbose_name='updated')),
                    ('unchanged', models.PositiveIntegerField(default=0, verbose_name='unchanged')),
                    ('failed_rows', models.PositiveIntegerField(default=0, verbose_name='rows with errors')),
                    ('warned_rows', models.PositiveIntegerField(default=0, verbose_name='rows with warnings')),
                    ('errors', models.JSONField(blank=True, default=list, verbose_name='errors')),
                    ('warnings', models.JSONField(blank=True, default=list, verbose_name='warnings')),
                    ('unknown_columns', models.JSONField(blank=True, default=list, verbose_name='columns not recognised')),
                    ('provinces', models.ManyToManyField(blank=True, editable=False, related_name='+', to='provinces.adminunit', verbose_name='provinces of the rows')),
                    ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                ],
                options={
                    'verbose_name': 'spreadsheet import',
                    'verbose_name_plural': 'spreadsheet imports',
                    'db_table': 'products_importrecord',
                    'ordering': ['-created_at'],
                },
            ),
        ]),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
