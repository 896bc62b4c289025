"""Every admin page staff use opens, and its list costs the same queries for 1 row as for many."""

import pytest
from django.urls import reverse

from products.models import RatingDecision

MODELS = [
    "provinces_adminunit",
    "products_producer",
    "products_product",
    "products_productgroup",
    "products_ratingdecision",
    "products_rating",
    "targets_plan",
    "targets_indicator",
    "targets_reportedfigure",
    "targets_target",
]


@pytest.mark.parametrize("model", MODELS)
def test_changelist_opens(admin_client, model):
    assert admin_client.get(reverse(f"admin:{model}_changelist")).status_code == 200


@pytest.mark.parametrize("model", [m for m in MODELS if m != "provinces_adminunit"])
def test_add_page_opens(admin_client, model):
    assert admin_client.get(reverse(f"admin:{model}_add")).status_code == 200


def test_administrative_units_cannot_be_added_by_hand(admin_client):
    assert admin_client.get(reverse("admin:provinces_adminunit_add")).status_code == 403


def test_unit_page_is_read_only(admin_client, bac_kan):
    response = admin_client.get(reverse("admin:provinces_adminunit_change", args=[bac_kan.pk]))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]


def test_product_page_shows_its_rating_history(admin_client, make):
    product = make.product()
    make.rate(product, make.decision("2021-12-29", number="2616/QĐ-UBND"), 3)
    response = admin_client.get(reverse("admin:products_product_change", args=[product.pk]))
    assert "2616/QĐ-UBND" in response.content.decode()


def test_decision_page_opens_with_its_ratings(admin_client, make):
    decision = make.decision("2021-12-29")
    make.rate(make.product(), decision, 3)
    response = admin_client.get(reverse("admin:products_ratingdecision_change", args=[decision.pk]))
    assert response.status_code == 200


def rated_products(make, n: int) -> None:
    decision = make.decision("2021-12-29")
    producer = make.producer()
    for i in range(n):
        make.rate(make.product(f"Sản phẩm {i}", producer=producer), decision, 3 + i % 2)
    make.decision("2022-12-29", level=RatingDecision.Level.DISTRICT, issuer=make.province.children.first())


# Session, user, filter choices, counts and the page itself: the same for 1 row as for 6.
QUERY_BOUNDS = {"producer": 6, "product": 8, "ratingdecision": 8, "rating": 9}


@pytest.mark.parametrize("rows", [1, 6])
@pytest.mark.parametrize("model", QUERY_BOUNDS)
def test_changelist_queries_do_not_grow_with_rows(admin_client, django_assert_max_num_queries, make, model, rows):
    rated_products(make, rows)
    with django_assert_max_num_queries(QUERY_BOUNDS[model]):
        admin_client.get(reverse(f"admin:products_{model}_changelist"))
