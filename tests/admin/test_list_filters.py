"""The admin's list filters offer only what the user may see: years of their own provinces' products,
no filter on a field hidden from them; and units are named as the office writes them."""

from django.urls import reverse

from provinces.admin import unit_label
from provinces.models import AdminUnit


def filter_specs(client, url) -> list:
    return client.get(url).context["cl"].filter_specs


def first_recognised_years(client) -> list:
    """The years the filter offers (none: the list shows no such filter)."""
    return [str(year) for spec in filter_specs(client, reverse("admin:products_product_changelist"))
            if getattr(spec, "parameter_name", None) == "first_recognised" for year, _label in spec.lookup_choices]


def test_the_first_recognised_filter_offers_no_year_of_another_province(login, make, staff_b):
    make.rate(make.product(), make.decision("2021-12-29"), 4)  # in Bắc Kạn
    assert first_recognised_years(login(staff_b)) == []


def test_the_first_recognised_filter_offers_the_years_of_ones_own_province(login, make, staff_a):
    make.rate(make.product(), make.decision("2021-12-29"), 4)
    assert first_recognised_years(login(staff_a)) == ["2021"]


def filtered_fields(client, url) -> set:
    return {getattr(spec, "field_path", None) for spec in filter_specs(client, url)}


def test_staff_are_offered_no_demo_data_filter(login, staff_a):
    client = login(staff_a)
    for model in ("product", "producer", "ratingdecision"):
        assert "is_demo" not in filtered_fields(client, reverse(f"admin:products_{model}_changelist"))


def test_administrators_keep_the_demo_data_filter(admin_client):
    assert "is_demo" in filtered_fields(admin_client, reverse("admin:products_product_changelist"))


def test_a_city_is_named_with_a_lower_case_pho_as_every_other_unit(db):
    city = AdminUnit.objects.get(level=AdminUnit.Level.DISTRICT, code=58, valid_to__isnull=False)
    assert unit_label(city).startswith("Thành phố Bắc Kạn — ")


def test_the_migration_rewrites_a_loaded_unit_s_prefix(db):
    import importlib
    import types

    from django.apps import apps
    from django.db import connection

    AdminUnit.objects.filter(level=AdminUnit.Level.DISTRICT, code=58).update(name="Thành Phố Bắc Kạn")
    migration = importlib.import_module("provinces.migrations.0003_unit_name_prefix_case")
    migration.write_prefixes_alike(apps, types.SimpleNamespace(connection=connection))
    assert list(AdminUnit.objects.filter(level=AdminUnit.Level.DISTRICT, code=58).values_list("name", flat=True)) == [
        "Thành phố Bắc Kạn"]
