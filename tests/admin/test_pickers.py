"""Pickers that tell units apart: labels with the units above and the validity, today's units first,
a chosen province (or district) narrowing the pickers below it, a product with its producer; a new
record's form preset to the user's one province, whose province follows from its commune."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from products.models import Product
from provinces.models import AdminUnit
from tests.conftest import member, unit


@pytest.fixture
def staff_tn(db):
    """Office staff of Thái Nguyên (since 01/07/2025, so also of Bắc Kạn and Thái Nguyên before it)."""
    return member("can-bo-thai-nguyen", Membership.Role.STAFF, "thai-nguyen")


def autocomplete(client, field, model="product", **params) -> list[dict]:
    response = client.get(reverse("admin:autocomplete"),
                          {"app_label": "products", "model_name": model, "field_name": field, **params})
    assert response.status_code == 200
    return response.json()["results"]


def unit_by_id(pk) -> AdminUnit:
    return AdminUnit.objects.get(pk=pk)


def labels(results) -> list[str]:
    return [row["text"] for row in results]


def test_a_commune_is_shown_with_its_district_province_and_validity(login, staff_tn):
    offered = labels(autocomplete(login(staff_tn), "commune", term="xuan duong"))
    assert "Xã Xuân Dương — huyện Na Rì, tỉnh Bắc Kạn (đến 30/06/2025)" in offered
    assert "Xã Xuân Dương — tỉnh Thái Nguyên" in offered


def test_todays_units_come_first_then_legacy_each_by_name(login, staff_tn):
    units = [unit_by_id(row["id"]) for row in autocomplete(login(staff_tn), "commune", term="xa")]
    legacy = [u.valid_to is not None for u in units]
    assert legacy == sorted(legacy) and True in legacy and False in legacy
    for group in (False, True):
        names = [u.search_name for u in units if (u.valid_to is not None) == group]
        assert names == sorted(names)


def test_a_district_is_shown_with_its_province(login, staff_a):
    [row] = autocomplete(login(staff_a), "district", term="na ri")
    assert row["text"] == "Huyện Na Rì — tỉnh Bắc Kạn (đến 30/06/2025)"


def test_a_chosen_province_narrows_the_district_picker(login, staff_tn, bac_kan):
    districts = [unit_by_id(row["id"]) for row in autocomplete(login(staff_tn), "district", within=bac_kan.pk)]
    assert {d.parent_id for d in districts} == {bac_kan.pk}
    assert len(districts) == bac_kan.children.filter(level="district").count()


def test_a_chosen_province_narrows_the_commune_picker(login, staff_tn):
    offered = labels(autocomplete(login(staff_tn), "commune", term="xuan duong", within=unit("thai-nguyen").pk))
    assert offered == ["Xã Xuân Dương — tỉnh Thái Nguyên"]


def test_a_chosen_district_narrows_the_commune_picker(login, staff_tn, na_ri):
    offered = labels(autocomplete(login(staff_tn), "commune", model="producer", term="xuan", within=na_ri.pk))
    assert offered and all(" — huyện Na Rì, tỉnh Bắc Kạn " in label for label in offered)


def test_narrowing_to_another_province_offers_nothing_of_it(login, staff_a, cao_bang):
    assert autocomplete(login(staff_a), "district", within=unit("cao-bang-cu").pk) == []


def test_a_commune_search_offers_nothing_of_another_province(login, staff_a):
    offered = labels(autocomplete(login(staff_a), "commune", term="xuan duong"))
    assert offered == ["Xã Xuân Dương — huyện Na Rì, tỉnh Bắc Kạn (đến 30/06/2025)"]


@pytest.mark.parametrize("junk", ["abc", "9" * 30, "-1", "\x00", "１２"])
def test_a_junk_narrowing_is_ignored(login, staff_a, junk):
    assert autocomplete(login(staff_a), "district", term="na ri", within=junk)


def test_the_commune_picker_reads_its_page_in_a_fixed_number_of_queries(login, staff_tn, django_assert_num_queries):
    client, within = login(staff_tn), unit("thai-nguyen").pk
    # The session, the user, their permissions (2), their scope (2), the count, and one page of 20
    # communes with the units above them (not one query per label).
    with django_assert_num_queries(9):
        assert len(autocomplete(client, "commune", within=within)) == 20


def test_a_product_is_offered_with_its_producer(login, staff_a, make):
    make.product("Miến dong", producer=make.producer("HTX Tài Hoan"))
    make.product("Miến dong", producer=make.producer("HTX Côi Sơn"))
    offered = labels(autocomplete(login(staff_a), "product", model="rating", term="mien dong"))
    assert sorted(offered) == ["Miến dong — HTX Côi Sơn", "Miến dong — HTX Tài Hoan"]


def test_a_chosen_product_shows_its_producer_on_the_rating_form(login, staff_a, make):
    product = make.product("Miến dong", producer=make.producer("HTX Tài Hoan"))
    response = login(staff_a).get(reverse("admin:products_rating_add"), {"product": product.pk})
    assert "Miến dong — HTX Tài Hoan" in response.content.decode()


def test_a_user_with_one_province_has_it_preset_on_a_new_product(login, staff_a, bac_kan):
    response = login(staff_a).get(reverse("admin:products_product_add"))
    assert response.context["adminform"].form.initial["province"] == bac_kan.pk


def test_a_user_with_two_provinces_has_none_preset(login, db):
    user = member("can-bo-hai-tinh", Membership.Role.STAFF, "bac-kan", "cao-bang")
    response = login(user).get(reverse("admin:products_producer_add"))
    assert "province" not in response.context["adminform"].form.initial


def product_form(make, **location) -> dict:
    return {"name": "Miến dong", "producer": make.producer().pk, "group": make.group.pk,
            "ecommerce_channels": "", "source_url": "", "note": "",
            "ratings-TOTAL_FORMS": 0, "ratings-INITIAL_FORMS": 0,
            **{field: unit.pk for field, unit in location.items()}}


def test_the_province_follows_from_the_commune(login, staff_a, make, bac_kan, na_ri):
    login(staff_a).post(reverse("admin:products_product_add"), product_form(make, commune=unit("xuan-duong-02191-cu")))
    product = Product.objects.get()
    assert (product.province, product.district) == (bac_kan, na_ri)


def test_a_province_the_commune_is_not_in_is_refused_on_the_commune(admin_client, make):
    response = admin_client.post(reverse("admin:products_product_add"),
                                 product_form(make, province=unit("cao-bang-cu"), commune=unit("xuan-duong-02191-cu")))
    assert "commune" in response.context["adminform"].form.errors
    assert not Product.objects.exists()


def test_no_place_at_all_is_refused_on_the_province(login, staff_a, make):
    response = login(staff_a).post(reverse("admin:products_product_add"), product_form(make))
    assert "province" in response.context["adminform"].form.errors
    assert not Product.objects.exists()

