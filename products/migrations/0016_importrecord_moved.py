"""ImportRecord has moved to the imports app: the register points at it there (no change in the database)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('imports', '0001_importrecord_from_products'),
        ('products', '0015_concurrency_decision_unique'),
        ('targets', '0005_importrecord_moved'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='historicalratingdecision',
                name='history_import',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='imports.importrecord', verbose_name='spreadsheet import'),
            ),
            migrations.AlterField(
                model_name='historicalrating',
                name='import_record',
                field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='imports.importrecord', verbose_name='last imported by'),
            ),
            migrations.AlterField(
                model_name='rating',
                name='import_record',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='ratings', to='imports.importrecord', verbose_name='last imported by'),
            ),
            migrations.AlterField(
                model_name='historicalproduct',
                name='history_import',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='imports.importrecord', verbose_name='spreadsheet import'),
            ),
            migrations.AlterField(
                model_name='historicalproducer',
                name='history_import',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='imports.importrecord', verbose_name='spreadsheet import'),
            ),
            migrations.AlterField(
                model_name='historicalrating',
                name='history_import',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='imports.importrecord', verbose_name='spreadsheet import'),
            ),
            migrations.DeleteModel(
                name='ImportRecord',
            ),
        ]),
    ]
