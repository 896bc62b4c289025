"""The audit trails point at ImportRecord in its new app (no change in the database)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('imports', '0001_importrecord_from_products'),
        ('targets', '0004_audit_foreign_keys_unindexed'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='historicalplan',
                name='history_import',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='imports.importrecord', verbose_name='spreadsheet import'),
            ),
            migrations.AlterField(
                model_name='historicalreportedfigure',
                name='history_import',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='imports.importrecord', verbose_name='spreadsheet import'),
            ),
            migrations.AlterField(
                model_name='historicaltarget',
                name='history_import',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='imports.importrecord', verbose_name='spreadsheet import'),
            ),
        ]),
    ]
