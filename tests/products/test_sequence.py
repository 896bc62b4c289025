"""Where each rating sits among its product's ratings (Rating.superseded_on, is_upgrade,
is_first_recognition), which the counts read, follows every kind of write."""

import datetime
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from imports.services import import_products
from products.models import STANDS_FOREVER, Product, Rating
from tests.conftest import upgraded_between

D = datetime.date.fromisoformat


def superseded(product) -> list:
    return list(product.ratings.order_by("decision__date", "pk").values_list("superseded_on", flat=True))


def flags(product) -> list[tuple[bool, bool]]:
    """(is_first_recognition, is_upgrade) of the product's ratings in order."""
    return list(product.ratings.order_by("decision__date", "pk").values_list("is_first_recognition", "is_upgrade"))


def test_a_later_rating_supersedes_the_one_before_on_its_decision_date(make):
    product = make.product()
    make.rate(product, "2019-06-01", 3)
    make.rate(product, "2021-06-01", 4)
    assert superseded(product) == [D("2021-06-01"), None]


def test_a_rating_stands_until_it_is_superseded_or_revoked_whichever_comes_first(make):
    product = make.product()
    make.rate(product, "2019-06-01", 3, revoked_on=D("2020-01-01"))
    make.rate(product, "2020-06-01", 4, revoked_on=D("2022-01-01"))
    make.rate(product, "2021-06-01", 4)
    make.rate(product, "2023-06-01", 3)
    Rating.objects.filter(decided_on=D("2023-06-01")).update(revoked_on=D("2024-01-01"))  # the database keeps it
    until = list(product.ratings.order_by("decided_on").values_list("stands_until", flat=True))
    assert until == [D("2020-01-01"), D("2021-06-01"), D("2023-06-01"), D("2024-01-01")]


def test_a_rating_neither_superseded_nor_revoked_stands_for_ever(make):
    make.rate(make.product(), "2019-06-01", 3)
    assert Rating.objects.get().stands_until == STANDS_FOREVER


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


def test_a_ratings_decision_date_follows_its_decision(make):
    rating = make.rate(make.product(), "2019-06-01", 3)
    rating.decision.date = D("2019-07-15")
    rating.decision.save()
    assert Rating.objects.get(pk=rating.pk).decided_on == D("2019-07-15")


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


def test_a_higher_rating_after_a_recognised_one_is_an_upgrade(make):
    product = make.product()
    make.rate(product, "2019-06-01", 3)
    make.rate(product, "2021-06-01", 4)
    assert flags(product) == [(True, False), (False, True)]


def test_a_first_rating_below_three_stars_neither_recognises_nor_is_upgraded_from(make):
    product = make.product()
    for day, stars in (("2019-06-01", 2), ("2020-06-01", 3), ("2021-06-01", 4)):
        make.rate(product, day, stars)
    assert flags(product) == [(False, False), (True, False), (False, True)]


def test_revoking_a_rating_makes_the_next_one_upgrade_from_the_rating_before(make):
    product = make.product()
    make.rate(product, "2019-06-01", 3)
    middle = make.rate(product, "2020-06-01", 3)
    make.rate(product, "2021-06-01", 4)
    assert flags(product)[2] == (False, True)
    middle.stars, middle.revoked_on = 4, D("2020-10-01")
    middle.save()
    assert flags(product) == [(True, False), (False, True), (False, True)]


def test_an_import_that_raises_a_ratings_stars_stores_the_upgrade(make):
    product = make.product("Miến dong Tài Hoan", producer=make.producer("Hợp tác xã Tài Hoan"))
    make.rate(product, "2019-06-01", 3)
    header = "Tỉnh,Chủ thể,Tên sản phẩm,Nhóm sản phẩm,Số sao,Số quyết định,Ngày quyết định"
    for stars in (3, 4):
        row = f"Bắc Kạn,Hợp tác xã Tài Hoan,Miến dong Tài Hoan,1,{stars},12/QĐ-UBND,29/12/2021"
        import_products(content=f"{header}\n{row}".encode(), filename="ds.csv")
    assert flags(product) == [(True, False), (False, True)]


def test_the_sequence_migration_stores_what_the_writes_store(make):
    histories = {"A": ((2, "2019-06-01"), (3, "2020-06-01"), (4, "2021-06-01")),
                 "B": ((4, "2019-06-01"), (3, "2020-06-01"))}
    for name, history in histories.items():
        product = make.product(name)
        for stars, day in history:
            make.rate(product, make.decision(day, number=f"{name}{day}/QĐ"), stars)
    fields = ("decided_on", "is_first_recognition", "is_upgrade")
    stored = list(Rating.objects.order_by("pk").values_list(*fields))
    Rating.objects.update(decided_on=D("2000-01-01"), is_first_recognition=False, is_upgrade=False)
    migration = importlib.import_module("products.migrations.0009_rating_sequence")
    migration.store_sequence(apps, SimpleNamespace(connection=connection))
    assert list(Rating.objects.order_by("pk").values_list(*fields)) == stored
    assert [flags for _day, *flags in stored].count([False, True]) == 1 and stored[0][0] == D("2019-06-01")


@pytest.fixture
def histories(make):
    """Products whose flows are known. 2020: new G, D upgraded to 4★. 2021: new B and C; upgraded
    to 4★ A, D (from its 3★: the 4★ of 2020 was revoked) and F (twice); to 5★ G."""
    national = make.decision("2021-09-01", level="national")
    histories = {
        "A": [("2019-06-01", 3), ("2021-03-01", 4)],
        "B": [("2021-05-01", 3)],
        "C": [("2020-06-01", 2), ("2021-06-01", 3)],
        "D": [("2019-06-01", 3), ("2020-06-01", 4, "2020-10-01"), ("2021-07-01", 4)],
        "E": [("2018-12-31", 4), ("2021-04-01", 3)],
        "F": [("2019-06-01", 3), ("2021-02-01", 4), ("2021-04-01", 3), ("2021-08-01", 4)],
        "G": [("2020-06-01", 4), ("2021-09-01", 5)],
    }
    for name, ratings in histories.items():
        product = make.product(name)
        for day, stars, *revoked in ratings:
            decision = national if day == "2021-09-01" else day
            make.rate(product, decision, stars, revoked_on=D(revoked[0]) if revoked else None)


def test_flows_count_first_recognitions_and_each_upgraded_product_once(bac_kan, histories):
    windows = {"2020": (D("2020-01-01"), D("2020-12-31")), "2021": (D("2021-01-01"), D("2021-12-31"))}
    assert Product.objects.in_unit(bac_kan).flow_series(windows) == {
        "2020": {"new_products": 1, "upgrades_to_4": 1, "upgrades_to_5": 0},
        "2021": {"new_products": 2, "upgrades_to_4": 3, "upgrades_to_5": 1},
    }


def test_the_period_filters_agree_with_the_flows(bac_kan, histories):
    products, start, end = Product.objects.in_unit(bac_kan), D("2021-01-01"), D("2021-12-31")
    assert sorted(products.first_recognised_between(start, end).values_list("name", flat=True)) == ["B", "C"]
    assert sorted(upgraded_between(products, start, end, to_stars=4).values_list("name", flat=True)) == ["A", "D", "F"]
