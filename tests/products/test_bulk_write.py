"""The import's own bulk writer (create_with_history): INSERTs on SQLite, COPY on PostgreSQL."""

import pytest
from django.db import IntegrityError, connection, transaction

from imports.writers import create_with_history
from products.models import Producer, Product
from provinces.text import fold

# Every character COPY's formats give a meaning to: quote, backslash, tab, newline, carriage return, comma.
AWKWARD = 'Rượu "ngô" \\N men\tlá\nloại 1\r, ;'


def new_products(make, *names, **fields) -> list[dict]:
    producer = make.producer()
    return [{"name": name, "search_name": fold(name), "producer_id": producer.pk, "province_id": make.province.pk,
             "group_id": make.group.pk, **fields} for name in names]


def test_it_stores_every_character_and_tells_a_blank_from_a_null(make):
    rows = new_products(make, AWKWARD, "", note="")
    create_with_history(Product, rows)
    stored = Product.objects.filter(pk__in=[row["id"] for row in rows]).order_by("pk")
    assert list(stored.values_list("name", "note", "district_id")) == [(AWKWARD, "", None), ("", "", None)]


def test_it_gives_each_row_the_id_of_its_record(make):
    rows = new_products(make, "Miến dong", "Mật ong", "Chè")
    create_with_history(Product, rows)
    assert [Product.objects.get(pk=row["id"]).name for row in rows] == ["Miến dong", "Mật ong", "Chè"]


def test_fields_left_out_take_their_defaults_and_one_time(make):
    rows = new_products(make, "Miến dong", "Mật ong")
    create_with_history(Product, rows)
    stored = list(Product.objects.filter(pk__in=[row["id"] for row in rows]))
    assert {(p.traceable, p.ecommerce_channels, p.is_demo) for p in stored} == {(False, "", False)}
    assert {(p.created_at, p.updated_at) for p in stored} == {(rows[0]["created_at"], rows[0]["created_at"])}


def test_a_child_takes_the_id_of_a_parent_written_before_it(make):
    producer = {"name": "HTX Chè", "search_name": "htx che", "type": Producer.Type.COOPERATIVE,
                "province_id": make.province.pk}
    create_with_history(Producer, [producer])
    product = {"name": "Chè", "search_name": "che", "producer": producer, "province_id": make.province.pk,
               "group_id": make.group.pk}
    create_with_history(Product, [product])
    assert Product.objects.get(pk=product["id"]).producer.name == "HTX Chè"


def test_each_audit_entry_holds_its_record_as_written(make):
    rows = new_products(make, AWKWARD)
    create_with_history(Product, rows)
    entry = Product.history.get(id=rows[0]["id"])
    assert (entry.name, entry.note, entry.history_type) == (AWKWARD, "", "+")


def test_a_row_the_database_refuses_raises_djangos_error_and_writes_nothing(make):
    rows = new_products(make, "Miến dong", "Miến Dong")  # one folded name under one producer
    with pytest.raises(IntegrityError), transaction.atomic():
        create_with_history(Product, rows)
    assert not Product.objects.filter(name__iexact="miến dong").exists()


def test_every_write_passes_through_the_connections_execute_wrappers(make):
    seen = []

    def spy(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    rows = new_products(make, "Miến dong")
    with connection.execute_wrapper(spy):
        create_with_history(Product, rows)
    assert any(f'"{Product._meta.db_table}"' in sql for sql in seen)  # INSERT INTO "…" or COPY "…"
