"""Rating.superseded_on, which the counts of standing ratings read, follows every kind of write."""

import datetime
import importlib
from types import SimpleNamespace

from django.apps import apps
from django.db import connection

from products.models import Product, Rating
from products.services import import_products

D = datetime.date.fromisoformat


def superseded(product) -> list:
    return list(product.ratings.order_by("decision__date", "pk").values_list("superseded_on", flat=True))


def test_a_later_rating_supersedes_the_one_before_on_its_decision_date(make):
    product = make.product()
    make.rate(product, "2019-06-01", 3)
    make.rate(product, "2021-06-01", 4)
    assert superseded(product) == [D("2021-06-01"), None]


def test_a_rating_entered_for_an_earlier_decision_is_superseded_by_the_later_one(make):
    product = make.product()
    make.rate(product, "2021-06-01", 4)
    make.rate(product, "2019-06-01", 3)
    assert superseded(product) == [D("2021-06-01"), None]


def test_of_two_ratings_on_one_day_the_one_entered_first_is_superseded_that_day(make):
    product = make.product()
    make.rate(product, make.decision("2020-06-01", number="1/QĐ"), 3)
    make.rate(product, make.decision("2020-06-01", number="2/QĐ"), 4)
    assert superseded(product) == [D("2020-06-01"), None]


def test_deleting_the_latest_rating_lets_the_one_before_stand_again(make):
    product = make.product()
    make.rate(product, "2019-06-01", 3)
    make.rate(product, "2021-06-01", 4).delete()
    assert superseded(product) == [None]


def test_moving_a_decision_to_another_date_reorders_its_products_ratings(make):
    product = make.product()
    first = make.rate(product, "2019-06-01", 3)
    make.rate(product, "2021-06-01", 4)
    first.decision.date = D("2022-01-10")
    first.decision.save()
    assert superseded(product) == [D("2022-01-10"), None]


def test_moving_a_rating_to_another_product_mends_both(make):
    old, new = make.product("A"), make.product("B")
    make.rate(old, "2019-06-01", 3)
    moved = make.rate(old, "2021-06-01", 4)
    make.rate(new, "2020-06-01", 3)
    moved = Rating.objects.get(pk=moved.pk)
    moved.product = new
    moved.save()
    assert (superseded(old), superseded(new)) == ([None], [D("2021-06-01"), None])


def test_a_rating_moved_twice_mends_every_product_it_left(make):
    first, second, third = make.product("A"), make.product("B"), make.product("C")
    moved = make.rate(first, "2021-06-01", 4)
    make.rate(second, "2019-06-01", 3)
    moved = Rating.objects.get(pk=moved.pk)
    moved.product = second
    moved.save()
    moved.product = third
    moved.save()
    assert (superseded(first), superseded(second), superseded(third)) == ([], [None], [None])


def test_an_import_stores_when_its_ratings_supersede_earlier_ones(make):
    product = make.product("Miến dong Tài Hoan", producer=make.producer("Hợp tác xã Tài Hoan"))
    make.rate(product, "2019-06-01", 3)
    header = "Tỉnh,Chủ thể,Tên sản phẩm,Nhóm sản phẩm,Số sao,Ngày quyết định"
    rows = ["Bắc Kạn,Hợp tác xã Tài Hoan,Miến dong Tài Hoan,1,4,29/12/2021",
            "Bắc Kạn,Hợp tác xã Tài Hoan,Miến dong Tài Hoan,1,5,30/06/2022"]
    result = import_products(content="\n".join([header, *rows]).encode(), filename="ds.csv")
    assert result.created == 2
    assert superseded(product) == [D("2021-12-29"), D("2022-06-30"), None]


def test_the_migration_stores_what_the_writes_store(make):
    products = [make.product("A"), make.product("B")]
    for i, product in enumerate(products):
        make.rate(product, "2021-06-01", 4)
        make.rate(product, make.decision("2019-06-01", number=f"{i}/QĐ"), 3)
    stored = [superseded(p) for p in products]
    Rating.objects.update(superseded_on=None)
    migration = importlib.import_module("products.migrations.0008_rating_superseded_on")
    migration.store_superseded(apps, SimpleNamespace(connection=connection))
    assert [superseded(p) for p in products] == stored == [[D("2021-06-01"), None]] * 2


def test_counts_follow_a_decision_that_moves(make, bac_kan):
    product = make.product()
    early = make.rate(product, "2019-06-01", 4)
    make.rate(product, "2021-06-01", 3)
    early.decision.date = D("2022-01-10")
    early.decision.save()
    days = {"2021": D("2021-12-31"), "2022": D("2022-12-31")}
    assert Product.objects.in_unit(bac_kan).stars_series(days) == {"2021": {3: 1}, "2022": {4: 1}}
