"""ImportRecord moved from products to imports with its table: a database that had it under products
keeps its uploads, its rights to import and who holds them."""

import importlib

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from imports.models import ImportRecord

moved = importlib.import_module("imports.migrations.0001_importrecord_from_products")


def as_before_the_move() -> Permission:
    """The content type and the import right as a database made before the move held them."""
    ContentType.objects.filter(app_label="imports", model="importrecord").update(app_label="products")
    ContentType.objects.clear_cache()
    return Permission.objects.get(content_type__app_label="products", codename="add_importrecord")


def test_the_table_keeps_its_name():
    assert ImportRecord._meta.db_table == "products_importrecord"


def test_the_right_to_import_moves_with_its_holders(db):
    right = as_before_the_move()
    Group.objects.get(name="staff").permissions.add(right)
    moved.move_content_type(apps, None)
    staff = Group.objects.get(name="staff").permissions
    assert staff.filter(pk=right.pk, content_type__app_label="imports").exists()


def test_moving_back_restores_the_old_label(db):
    as_before_the_move()
    moved.move_content_type(apps, None)
    moved.move_content_type_back(apps, None)
    assert ContentType.objects.filter(app_label="products", model="importrecord").exists()


def test_staff_may_import_after_the_migrations(staff_a):
    assert staff_a.has_perm("imports.add_importrecord")
