"""The demo register reproduces every published figure of DESIGN.md, read through progress.json."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from products.demo import seed_demo
from products.models import Product, Rating

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("public_dashboard")]


@pytest.fixture
def demo():
    seed_demo()


def progress(client, slug, day):
    return client.get(f"/tinh/{slug}/progress.json", {"as_of": day}).json()


def stars(totals):
    return (totals["products"], totals["by_stars"]["3"], totals["by_stars"]["4"], totals["by_stars"]["5"])


@pytest.mark.parametrize(
    "slug, day, expected",
    [
        ("bac-kan", "2018-12-31", (37, 32, 5, 0)),
        ("bac-kan", "2020-09-05", (107, 99, 8, 0)),
        ("bac-kan", "2020-12-31", (131, 118, 13, 0)),
        ("bac-kan", "2023-07-31", (182, 163, 18, 1)),
        ("bac-ninh-cu", "2022-05-10", (75, 23, 52, 0)),
    ],
)
def test_demo_reproduces_the_published_totals(demo, client, slug, day, expected):
    assert stars(progress(client, slug, day)["totals"]) == expected


def test_bac_kan_reached_267_5_percent_of_its_2018_2020_plan(demo, client):
    targets = progress(client, "bac-kan", "2020-09-05")["targets"]
    [plan_target] = [t for t in targets if "851/QĐ-UBND" in t["plan"] and t["indicator"] == "products"]
    assert (plan_target["target"], plan_target["actual"], plan_target["percent"]) == (40, 107, 267.5)


def test_bac_kan_had_76_producers_by_type_at_the_end_of_2020(demo, client):
    totals = progress(client, "bac-kan", "2020-12-31")["totals"]
    by_type = totals["producers_by_type"]
    assert (totals["producers"], by_type["enterprise"], by_type["cooperative"], by_type["coop_group"],
            by_type["household"]) == (76, 4, 57, 3, 12)


def test_thai_nguyen_after_the_merger_includes_bac_kan(demo, client):
    bac_kan = progress(client, "bac-kan", "2025-06-30")["totals"]["products"]
    assert progress(client, "thai-nguyen", "2025-07-01")["totals"]["products"] == bac_kan > 180


def test_seeding_twice_changes_nothing(demo):
    before = (Product.objects.count(), Rating.objects.count())
    seed_demo()
    assert (Product.objects.count(), Rating.objects.count()) == before


def test_generated_products_are_marked_as_demo_and_named_ones_are_not(demo):
    assert not Product.objects.filter(is_demo=True).exclude(name__startswith="[DEMO]").exists()
    assert Product.objects.filter(is_demo=False, name="Miến dong Tài Hoan").get().source_url


def test_named_product_keeps_its_rating_history(demo):
    history = Rating.objects.filter(product__name="Miến dong Tài Hoan").order_by("decision__date")
    assert list(history.values_list("stars", flat=True)) == [4, 5]


def test_seed_demo_refuses_to_run_with_debug_off():
    with pytest.raises(CommandError, match="allow-production"):
        call_command("seed_demo")
