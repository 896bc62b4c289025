from django.db import migrations

from core.register import watch


class Migration(migrations.Migration):
    """A write to the register's tables changes its version (core.register): pages know they are stale."""

    dependencies = [('products', '0020_year_end_in_plain_sql'), ('core', '0001_register_version')]

    operations = [watch('products_producer', 'products_product', 'products_productgroup', 'products_ratingdecision', 'products_rating')]
