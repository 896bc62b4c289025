"""Staff find records the way they type them: without accents, in any case."""

import datetime

import pytest
from django.urls import reverse

from core.admin import ProvinceFilter
from products.models import RatingDecision
from tests.conftest import unit


def changelist(client, model, **params):
    return client.get(reverse(f"admin:{model}_changelist"), params)


def found(response) -> list[str]:
    return [str(obj) for obj in response.context["cl"].result_list]


@pytest.mark.parametrize("term", ["mien dong", "Mien Dong", "Miến dong"])
def test_product_search_ignores_accents_and_case(admin_client, make, term):
    make.product("Miến dong")
    make.product("Măng khô")
    assert found(changelist(admin_client, "products_product", q=term)) == ["Miến dong"]


def test_product_search_finds_products_by_their_producer(admin_client, make):
    make.product("Miến dong", producer=make.producer("HTX Tài Hoan"))
    assert found(changelist(admin_client, "products_product", q="tai hoan")) == ["Miến dong"]


def test_decision_search_still_matches_the_number(admin_client, make):
    make.decision("2021-12-29", number="2616/QĐ-UBND")
    make.decision("2020-12-29", number="1999/QĐ-UBND")
    assert len(found(changelist(admin_client, "products_ratingdecision", q="2616/QĐ"))) == 1


def test_decision_search_finds_the_issuing_unit_without_accents(admin_client, make):
    make.decision("2021-12-29", number="2616/QĐ-UBND")
    assert len(found(changelist(admin_client, "products_ratingdecision", q="bac kan"))) == 1


def province_choices(response) -> list[int]:
    spec = next(s for s in response.context["cl"].filter_specs if isinstance(s, ProvinceFilter))
    return [int(pk) for pk, _label in spec.lookup_choices]


def test_province_filter_offers_only_provinces_with_products(admin_client, make, bac_kan):
    make.product()
    assert province_choices(changelist(admin_client, "products_product")) == [bac_kan.pk]


def test_issuer_province_filter_counts_district_decisions_for_their_province(admin_client, make, bac_kan, na_ri):
    make.decision("2023-12-29", level=RatingDecision.Level.DISTRICT, issuer=na_ri)
    response = changelist(admin_client, "products_ratingdecision", issuer_province=bac_kan.pk)
    assert province_choices(response) == [bac_kan.pk]
    assert len(found(response)) == 1


def test_stars_filter_uses_the_stars_standing_today(admin_client, make):
    upgraded, kept = make.product("Miến dong"), make.product("Măng khô")
    make.rate(upgraded, "2019-12-29", 3)
    make.rate(kept, "2019-12-29", 3)
    make.rate(upgraded, make.decision("2022-12-29", number="2"), 4, expires=datetime.date(2099, 12, 31))
    assert found(changelist(admin_client, "products_product", stars=4)) == ["Miến dong"]


def test_first_recognition_year_filter_ignores_later_ratings(admin_client, make):
    old, new = make.product("Miến dong"), make.product("Măng khô")
    make.rate(old, "2019-12-29", 3)
    make.rate(old, make.decision("2022-12-29", number="2"), 4)
    make.rate(new, "2022-12-29", 3)
    assert found(changelist(admin_client, "products_product", first_recognised=2022)) == ["Măng khô"]


def autocomplete(client, **params) -> list[int]:
    response = client.get(reverse("admin:autocomplete"), params)
    return [int(row["id"]) for row in response.json()["results"]]


def test_issuer_autocomplete_offers_the_units_of_the_decision_date(admin_client):
    ids = autocomplete(
        admin_client, app_label="products", model_name="ratingdecision", field_name="issuer",
        term="thai nguyen", valid_on="2021-06-01",
    )
    assert unit("thai-nguyen-cu").pk in ids
    assert unit("thai-nguyen").pk not in ids  # the province formed on 1/7/2025


def test_issuer_autocomplete_without_a_date_offers_every_period(admin_client):
    ids = autocomplete(admin_client, app_label="products", model_name="ratingdecision", field_name="issuer",
                       term="thai nguyen")
    assert {unit("thai-nguyen-cu").pk, unit("thai-nguyen").pk} <= set(ids)


def test_issuer_autocomplete_offers_no_communes(admin_client):
    ids = autocomplete(admin_client, app_label="products", model_name="ratingdecision", field_name="issuer",
                       term="bac kan")
    assert unit("bac-kan-01843").pk not in ids  # Phường Bắc Kạn


def test_district_autocomplete_offers_only_districts(admin_client):
    ids = autocomplete(admin_client, app_label="products", model_name="product", field_name="district", term="bac kan")
    assert ids == [unit("bac-kan-058").pk]


def test_an_existing_decision_asks_for_the_units_of_its_date(admin_client, make):
    decision = make.decision("2021-12-29")
    response = admin_client.get(reverse("admin:products_ratingdecision_change", args=[decision.pk]))
    assert "/admin/autocomplete/?valid_on=2021-12-29" in response.content.decode()


def test_unit_search_ignores_the_kind_of_unit(admin_client, bac_kan):
    response = changelist(admin_client, "provinces_adminunit", q="tinh bac kan", level="province")
    assert [unit.pk for unit in response.context["cl"].result_list] == [bac_kan.pk]
