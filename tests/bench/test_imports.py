import pytest
import tablib

from bench.imports import HEADERS, create_producers, default_resource, sheet_rows, xlsx
from imports.services import import_products
from products.models import Product

pytestmark = pytest.mark.django_db


def test_the_generated_sheet_imports_without_an_error(db):
    rows, _bad = sheet_rows(200)
    result = import_products(content=xlsx(rows), filename="bench.xlsx")
    assert (result.created, result.errors) == (200, [])


def test_every_planted_mistake_is_reported_where_it_was_planted(db):
    rows, bad = sheet_rows(200, seed=2, bad_share=0.05)
    result = import_products(content=xlsx(rows), filename="bench.xlsx")
    assert sorted((e.row, e.column) for e in result.errors) == sorted(bad)


def test_the_default_resource_imports_the_sheets_products(db):
    rows, _bad = sheet_rows(20)
    dataset = tablib.Dataset(*rows, headers=HEADERS)
    create_producers(dataset)
    result = default_resource()().import_data(dataset)
    assert (result.has_errors(), Product.objects.count()) == (False, len({(r[3], r[5]) for r in rows}))
