from django.db import migrations

from core.register import watch


class Migration(migrations.Migration):
    """A write to the register's tables changes its version (core.register): pages know they are stale."""

    dependencies = [('targets', '0007_constraint_messages'), ('core', '0001_register_version')]

    operations = [watch('targets_plan', 'targets_target', 'targets_indicator', 'targets_reportedfigure')]
