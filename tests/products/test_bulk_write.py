"""The import's own bulk writer (create_with_history): INSERTs on SQLite, COPY on PostgreSQL."""

import pytest
from django.db import IntegrityError, transaction

from products.models import Product
from products.services import create_with_history

# Every character COPY's formats give a meaning to: quote, backslash, tab, newline, carriage return, comma.
AWKWARD = 'Rượu "ngô" \\N men\tlá\nloại 1\r, ;'


def new_products(make, *names, **fields) -> list[Product]:
    producer = make.producer()
    products = [Product(name=name, producer=producer, province=make.province, group=make.group, **fields) for name in names]
    for product in products:
        product.fill_derived_fields()
    return products


def test_it_stores_every_character_and_tells_a_blank_from_a_null(make):
    products = new_products(make, AWKWARD, "", note="")
    create_with_history(products)
    stored = Product.objects.filter(pk__in=[p.pk for p in products]).order_by("pk")
    assert list(stored.values_list("name", "note", "district_id")) == [(AWKWARD, "", None), ("", "", None)]


def test_it_gives_each_instance_the_id_of_its_row(make):
    products = new_products(make, "Miến dong", "Mật ong", "Chè")
    create_with_history(products)
    assert [Product.objects.get(pk=p.pk).name for p in products] == ["Miến dong", "Mật ong", "Chè"]


def test_each_audit_entry_holds_its_record_as_written(make):
    products = new_products(make, AWKWARD)
    create_with_history(products)
    entry = Product.history.get(id=products[0].pk)
    assert (entry.name, entry.note, entry.history_type) == (AWKWARD, "", "+")


def test_a_row_the_database_refuses_raises_djangos_error_and_writes_nothing(make):
    products = new_products(make, "Miến dong", "Miến Dong")  # one folded name under one producer
    with pytest.raises(IntegrityError), transaction.atomic():
        create_with_history(products)
    assert not Product.objects.filter(name__iexact="miến dong").exists()
