from django.db import migrations

from core.register import watch


class Migration(migrations.Migration):
    """A write to the register's tables changes its version (core.register): pages know they are stale."""

    dependencies = [('provinces', '0003_unit_name_prefix_case'), ('core', '0001_register_version')]

    operations = [watch('provinces_adminunit')]
