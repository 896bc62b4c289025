"""One decision per number, date, level and issuing unit (per issuing unit, level and year when only
the year is known), whoever writes it: the database, the forms and the import agree on the key."""

import datetime
import importlib
import types

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from imports.services import import_products
from products.models import Rating, RatingDecision

pytestmark = pytest.mark.django_db

YEAR_END = datetime.date(2024, 12, 31)


def year_only(issuer, **fields) -> RatingDecision:
    return RatingDecision(number="", date=YEAR_END, year_only=True, level="province", issuer=issuer, **fields)


def test_a_second_year_only_decision_of_the_same_unit_level_and_year_is_refused_on_its_date(bac_kan):
    year_only(bac_kan, issuing_body="UBND tỉnh Bắc Kạn").save()
    with pytest.raises(ValidationError) as refused:
        year_only(bac_kan, issuing_body="UBND Bắc Kạn").full_clean()
    assert list(refused.value.message_dict) == ["date"]


def test_a_year_only_decision_of_a_district_of_the_province_is_another_decision(bac_kan, na_ri):
    year_only(bac_kan, issuing_body="UBND tỉnh Bắc Kạn").save()
    RatingDecision(number="", date=YEAR_END, year_only=True, level="district", issuer=na_ri,
                   issuing_body="UBND huyện Na Rì").full_clean()


def test_a_numbered_decision_is_one_whatever_the_issuing_body_is_called(make, bac_kan):
    make.decision("2021-12-29", number="2616/QĐ-UBND", issuing_body="UBND tỉnh Bắc Kạn")
    with pytest.raises(IntegrityError), transaction.atomic():
        make.decision("2021-12-29", number="2616/QĐ-UBND", issuing_body="Ủy ban nhân dân tỉnh Bắc Kạn")


def test_two_national_decisions_with_one_number_and_date_are_refused_by_the_database(make):
    make.decision("2022-06-30", number="2890/QĐ-BNN", level="national", issuing_body="Bộ NN&PTNT")
    with pytest.raises(IntegrityError), transaction.atomic():
        make.decision("2022-06-30", number="2890/QĐ-BNN", level="national", issuing_body="Bộ Nông nghiệp và PTNT")


def test_the_admin_shows_a_duplicate_decision_on_its_number(admin_client, make, bac_kan):
    make.decision("2021-12-29", number="2616/QĐ-UBND")
    response = admin_client.post(reverse("admin:products_ratingdecision_add"), {
        "number": "2616/QĐ-UBND", "date": "29/12/2021", "level": "province", "issuer": bac_kan.pk,
        "issuing_body": "UBND Bắc Kạn", "source_url": "", "note": "",
        "ratings-TOTAL_FORMS": 0, "ratings-INITIAL_FORMS": 0,
    })
    assert "number" in response.context["adminform"].form.errors
    assert RatingDecision.objects.count() == 1


def test_an_import_binds_to_the_decision_the_admin_recorded_for_that_year(make, bac_kan):
    product = make.product("Miến dong", producer=make.producer("HTX Tài Hoan"))
    year_only(bac_kan, issuing_body="UBND tỉnh Bắc Kạn").save()
    sheet = "Tỉnh,Chủ thể,Tên sản phẩm,Nhóm sản phẩm,Số sao,Năm công nhận\nBắc Kạn,HTX Tài Hoan,Miến dong,1,4,2024\n"
    result = import_products(content=sheet.encode(), filename="ds.csv")
    assert (result.created, result.errors) == (1, [])
    assert (RatingDecision.objects.count(), Rating.objects.get(product=product).decision.year_only) == (1, True)


@pytest.fixture
def without_the_constraint():
    """The register as it was before decisions were unique: duplicates can be written."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {connection.ops.quote_name('decision_unique')}")


def merge_duplicates() -> None:
    migration = importlib.import_module("products.migrations.0015_concurrency_decision_unique")
    from django.apps import apps

    schema_editor = types.SimpleNamespace(connection=connection, execute=connection.cursor().execute)
    migration.merge_duplicate_decisions(apps, schema_editor)


def test_the_migration_merges_duplicates_into_the_first_keeping_one_rating_per_product(make, bac_kan,
                                                                                       without_the_constraint):
    first, second = year_only(bac_kan, issuing_body="a"), year_only(bac_kan, issuing_body="b")
    first.save(), second.save()
    both, only_second = make.product("Miến dong"), make.product("Bánh trời")
    make.rate(both, first, 3), make.rate(both, second, 4), make.rate(only_second, second, 4)
    merge_duplicates()
    assert list(RatingDecision.objects.values_list("pk", flat=True)) == [first.pk]
    assert sorted(Rating.objects.values_list("product__name", "decision", "stars")) == [
        ("Bánh trời", first.pk, 4), ("Miến dong", first.pk, 3)]


def test_the_migration_recomputes_the_periods_of_the_products_it_touched(make, bac_kan, without_the_constraint):
    product = make.product()
    earlier = make.rate(product, make.decision("2020-06-01"), 3)
    first, second = year_only(bac_kan, issuing_body="a"), year_only(bac_kan, issuing_body="b")
    first.save(), second.save()
    make.rate(product, first, 4), make.rate(product, second, 4)
    merge_duplicates()
    earlier.refresh_from_db()
    assert (earlier.superseded_on, product.ratings.filter(superseded_on__isnull=True).count()) == (YEAR_END, 1)


@pytest.mark.parametrize("variant", ["2616/qđ-ubnd", "2616/QD-UBND", "2616 / QĐ-UBND"])
def test_the_admin_refuses_a_decision_number_differing_only_in_case_d_or_spaces(admin_client, make, bac_kan, variant):
    make.decision("2021-12-29", number="2616/QĐ-UBND")
    response = admin_client.post(reverse("admin:products_ratingdecision_add"), {
        "number": variant, "date": "29/12/2021", "level": "province", "issuer": bac_kan.pk,
        "issuing_body": "UBND Bắc Kạn", "source_url": "", "note": "",
        "ratings-TOTAL_FORMS": 0, "ratings-INITIAL_FORMS": 0,
    })
    assert response.context["adminform"].form.errors["number"] == ["Quyết định số 2616/QĐ-UBND ngày 29/12/2021 đã có."]
    assert RatingDecision.objects.count() == 1


def test_the_database_refuses_a_decision_number_differing_only_in_case_or_d(make):
    make.decision("2021-12-29", number="2616/QĐ-UBND")
    with pytest.raises(IntegrityError), transaction.atomic():
        make.decision("2021-12-29", number="2616/qd-ubnd")


def test_an_import_row_naming_a_variant_of_the_number_binds_to_the_recorded_decision(make, bac_kan):
    decision = make.decision("2021-12-29", number="2616/QĐ-UBND")
    sheet = ("Tỉnh,Chủ thể,Tên sản phẩm,Nhóm sản phẩm,Số sao,Số quyết định,Ngày quyết định\n"
             "Bắc Kạn,HTX Tài Hoan,Miến dong,1,4,2616/qd-ubnd,29/12/2021\n")
    result = import_products(content=sheet.encode(), filename="ds.csv")
    assert (result.created, result.errors) == (1, [])
    assert list(Rating.objects.values_list("decision", flat=True)) == [decision.pk]


def test_the_migration_merges_decisions_entered_under_variants_of_one_number(make, bac_kan, without_the_constraint):
    first = make.decision("2021-12-29", number="2616/QĐ-UBND")
    second = make.decision("2021-12-29", number="2616/qd-ubnd")
    make.rate(make.product("Bánh trời"), second, 4)
    RatingDecision.objects.update(number_key="")  # as before 0019
    migration = importlib.import_module("products.migrations.0019_decision_number_key")
    from django.apps import apps

    migration.fill_number_keys(apps, types.SimpleNamespace(connection=connection, execute=connection.cursor().execute))
    assert list(RatingDecision.objects.values_list("pk", "number_key")) == [(first.pk, "2616/qd-ubnd")]
    assert list(Rating.objects.values_list("decision", flat=True)) == [first.pk]

