import io

import openpyxl
import pytest
from django.utils import translation

from core.downloads import export
from imports.services import import_products
from products.demo import seed_demo
from products.exports import rating_sheet
from products.models import Producer, Product, Rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    seed_demo()


def test_an_exported_register_reimports_with_no_change(demo):
    content = export(rating_sheet(Rating.objects.all()), "xlsx")
    result = import_products(content=content, filename="export.xlsx")
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, Rating.objects.count())


def test_a_csv_export_reimports_with_no_change_too(demo):
    ratings = Rating.objects.filter(product__province__slug="bac-kan")
    result = import_products(content=export(rating_sheet(ratings), "csv"), filename="export.csv")
    assert (result.created, result.updated, len(result.errors)) == (0, 0, 0)


def test_formula_like_text_is_neutralised_and_reads_back_unchanged(make):
    product = make.product("=HYPERLINK(\"http://x\")")
    make.rate(product, "2021-12-29", 3)
    content = export(rating_sheet(Rating.objects.all()), "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet["F2"].data_type == "s" and sheet["F2"].value.startswith("'=")
    assert import_products(content=content, filename="x.xlsx").unchanged == 1


def test_admin_exports_the_filtered_products_with_their_current_stars(demo, admin_client):
    ids = list(Product.objects.filter(province__slug="bac-ninh-cu").values_list("pk", flat=True))
    response = admin_client.post("/admin/products/product/", {"action": "export_csv", "_selected_action": ids})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert len(lines) - 1 == len(ids)


def test_an_export_made_in_english_reimports_too(make):
    make.rate(make.product(producer=make.producer(type=Producer.Type.HOUSEHOLD)), "2021-12-29", 3)
    with translation.override("en"):
        content = export(rating_sheet(Rating.objects.all()), "csv")
    assert import_products(content=content, filename="x.csv").errors == []
