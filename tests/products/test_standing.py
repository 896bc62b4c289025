"""One definition of the rating standing on a day (products.models.standing_on, on the stored
periods): the product export and the ratings' statuses agree with the counts on every day."""

import datetime

import pytest

from products.exports import rating_sheet, standing_ratings
from products.models import Product, Rating

D = datetime.date.fromisoformat
DAYS = [D(d) for d in ("2019-12-31", "2020-03-01", "2020-06-01", "2021-12-31", "2022-06-02")]
STANDING = (Rating.Status.IN_FORCE, Rating.Status.EXPIRED)


@pytest.fixture
def register(make):
    """Upgraded (A), revoked then rated again (B), lapsed (C), two ratings the same day (D),
    rated below 3★ later (E), re-recognised after its certificate lapsed (F)."""
    histories = {
        "A": [("2019-06-01", 3), ("2021-06-01", 4)],
        "B": [("2019-06-01", 4, "2020-03-01"), ("2021-06-01", 3)],
        "C": [("2018-12-31", 3)],
        "D": [("2020-06-01", 2, "1/QĐ"), ("2020-06-01", 3, "2/QĐ")],
        "E": [("2019-06-01", 3), ("2021-06-01", 2)],
        "F": [("2019-03-01", 3), ("2022-06-02", 3)],
    }
    for name, ratings in histories.items():
        product = make.product(name)
        for day, stars, *extra in ratings:
            revoked = D(extra[0]) if extra and "-" in extra[0] else None
            number = extra[0] if extra and "/" in extra[0] else ""
            decision = make.decision(day, number=number) if number else day
            make.rate(product, decision, stars, revoked_on=revoked)
    return Product.objects.in_unit(make.province)


def counted(products, day, **options) -> dict[str, int]:
    """{product: stars} of the products with a standing rating on `day`, as the counts find them."""
    return {p.name: p.stars_on for p in products.with_stars_on(day, **options) if p.stars_on is not None}


def test_the_product_export_has_the_stars_the_counts_find_on_every_day(register):
    exported = [{row[5]: row[7] for row in rating_sheet(standing_ratings(register, day))} for day in DAYS]
    assert exported == [counted(register, day) for day in DAYS]


def test_the_ratings_in_force_or_expired_are_those_the_counts_find_on_every_day(register):
    statuses = [Rating.objects.with_status(day).filter(product__in=register) for day in DAYS]
    standing = [dict(ratings.filter(status__in=STANDING).values_list("product__name", "stars")) for ratings in statuses]
    in_force = [dict(ratings.filter(status=Rating.Status.IN_FORCE).values_list("product__name", "stars"))
                for ratings in statuses]
    assert standing == [counted(register, day) for day in DAYS]
    assert in_force == [counted(register, day, in_force=True) for day in DAYS]


def test_of_two_ratings_decided_the_same_day_the_one_entered_first_is_superseded(register):
    day = D("2020-06-01")
    statuses = Rating.objects.with_status(day).filter(product__name="D").order_by("pk").values_list("status", flat=True)
    assert list(statuses) == [Rating.Status.SUPERSEDED, Rating.Status.IN_FORCE]


def test_a_revoked_rating_is_revoked_and_the_product_stands_on_nothing_until_rated_again(register):
    day = D("2020-06-01")
    assert Rating.objects.with_status(day).get(product__name="B", stars=4).status == Rating.Status.REVOKED
    assert not standing_ratings(register.filter(name="B"), day).exists()


def test_the_standing_ratings_and_their_statuses_take_one_query_each(register, django_assert_num_queries):
    day = D("2021-12-31")
    with django_assert_num_queries(2):
        standing = list(Rating.objects.standing(day).filter(product__in=register))
        statuses = list(Rating.objects.with_status(day).values_list("status", flat=True))
    assert (len(standing), len(statuses)) == (6, Rating.objects.count())
