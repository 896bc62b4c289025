"""Producers download from their lists as .xlsx or .csv, like products and ratings."""

import csv
import io

import openpyxl
import pytest

from products.models import Producer

pytestmark = pytest.mark.django_db


def download(client, model: str, action: str, ids, query: str = "", **fields):
    """The sheet an export action returns, as rows; `query` carries the list's filters."""
    data = {"action": action, "_selected_action": ids, **fields}
    response = client.post(f"/admin/{model}/{query}", data)
    if action == "export_xlsx":
        return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_producers_download_with_their_ocop_products(admin_client, make):
    producer = make.producer(tax_code="4700123456")
    make.rate(make.product("Miến dong", producer=producer), "2021-12-29", 3)
    make.rate(make.product("Bún", producer=producer), "2021-12-29", 2)
    rows = download(admin_client, "products/producer", "export_csv", [producer.pk])
    assert rows[1] == ["Tỉnh Bắc Kạn", "", "", "HTX Tài Hoan", "Hợp tác xã", "4700123456", "", "", "1"]


def test_the_producer_download_honours_the_list_filter(admin_client, make):
    make.producer("Hộ Nông Văn A", type=Producer.Type.HOUSEHOLD)
    other = make.producer("HTX B")
    rows = download(admin_client, "products/producer", "export_csv", [other.pk], "?type__exact=household", select_across="1")
    assert [row[3] for row in rows[1:]] == ["Hộ Nông Văn A"]


def test_a_formula_like_producer_name_comes_out_neutralised(admin_client, make):
    producer = make.producer('=HYPERLINK("http://x")')
    rows = download(admin_client, "products/producer", "export_xlsx", [producer.pk])
    assert rows[1][3] == '\'=HYPERLINK("http://x")'


@pytest.mark.parametrize("rows", [1, 6])
def test_the_producer_download_costs_the_same_queries_for_1_row_as_for_6(admin_client, django_assert_max_num_queries, make, rows):
    producers = [make.producer(f"HTX {i}") for i in range(rows)]
    for producer in producers:
        make.rate(make.product(f"Sản phẩm {producer.name}", producer=producer), "2021-12-29", 3)
    # Session, user, the list's filters and counts (built twice for an action), then the sheet: 2.
    with django_assert_max_num_queries(8):
        download(admin_client, "products/producer", "export_xlsx", [p.pk for p in producers])
