import pytest

from bench.generate import generate
from products.models import Product, Rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated():
    return generate(scale=0.01)


def test_it_generates_products_in_legacy_and_current_provinces(generated):
    assert Product.objects.filter(province__valid_to__isnull=False).exists()
    assert Product.objects.filter(province__valid_to__isnull=True).exists()


def test_everything_generated_is_marked_demo(generated):
    assert not Product.objects.filter(is_demo=False).exists()
    assert not Product.objects.exclude(name__startswith="[BENCH]").exists()


def test_generated_ratings_keep_the_model_rules(generated):
    for rating in Rating.objects.select_related("decision")[:200]:
        rating.full_clean()


def test_it_reports_what_it_created(generated):
    assert generated["products"] == Product.objects.count()
