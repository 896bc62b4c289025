"""Producers and targets download from their lists as .xlsx or .csv, like products and ratings."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.utils import translation

from products.models import Producer
from targets.exports import target_sheet
from targets.models import Indicator, Plan, Target

pytestmark = pytest.mark.django_db

D = datetime.date.fromisoformat
# Several indicators on several deadlines: still one count of the register for them all.
STAR_TARGETS = [("products", "2025-12-31"), ("products_3star", "2021-12-31"), ("products_4star", "2022-12-31"),
                ("products_4plus", "2023-12-31"), ("products_5star", "2024-12-31"), ("products", "2023-06-30")]


def download(client, model: str, action: str, ids, query: str = "", **fields):
    """The sheet an export action returns, as rows; `query` carries the list's filters."""
    data = {"action": action, "_selected_action": ids, **fields}
    response = client.post(f"/admin/{model}/{query}", data)
    if action == "export_xlsx":
        return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def plan(bac_kan):
    return Plan.objects.create(unit=bac_kan, name="Đề án thử", kind=Plan.Kind.PROGRAMME, decision_number="1/QĐ-UBND",
                               starts_on=D("2021-01-01"), ends_on=D("2025-12-31"))


def target(plan, code="products", value=1, deadline="2025-12-31"):
    return Target.objects.create(plan=plan, indicator=Indicator.objects.get(code=code), unit=plan.unit,
                                 deadline=D(deadline), value=value)


def test_producers_download_with_their_ocop_products(admin_client, make):
    producer = make.producer(tax_code="4700123456")
    make.rate(make.product("Miến dong", producer=producer), "2021-12-29", 3)
    make.rate(make.product("Bún", producer=producer), "2021-12-29", 2)
    rows = download(admin_client, "products/producer", "export_csv", [producer.pk])
    assert rows[1] == ["Tỉnh Bắc Kạn", "", "", "HTX Tài Hoan", "Hợp tác xã", "4700123456", "", "", "1"]


def test_the_producer_download_honours_the_list_filter(admin_client, make):
    make.producer("Hộ Nông Văn A", type=Producer.Type.HOUSEHOLD)
    other = make.producer("HTX B")
    rows = download(admin_client, "products/producer", "export_csv", [other.pk], "?type__exact=household",
                    select_across="1")
    assert [row[3] for row in rows[1:]] == ["Hộ Nông Văn A"]


def test_a_formula_like_producer_name_comes_out_neutralised(admin_client, make):
    producer = make.producer('=HYPERLINK("http://x")')
    rows = download(admin_client, "products/producer", "export_xlsx", [producer.pk])
    assert rows[1][3] == '\'=HYPERLINK("http://x")'


@pytest.mark.parametrize("rows", [1, 6])
def test_the_producer_download_costs_the_same_queries_for_1_row_as_for_6(admin_client, django_assert_max_num_queries,
                                                                         make, rows):
    producers = [make.producer(f"HTX {i}") for i in range(rows)]
    for producer in producers:
        make.rate(make.product(f"Sản phẩm {producer.name}", producer=producer), "2021-12-29", 3)
    # Session, user, the list's filters and counts (built twice for an action), then the sheet: 2.
    with django_assert_max_num_queries(8):
        download(admin_client, "products/producer", "export_xlsx", [p.pk for p in producers])


def test_targets_download_with_their_progress_today(admin_client, make, plan):
    make.rate(make.product(), "2021-12-29", 3)
    rows = download(admin_client, "targets/target", "export_csv", [target(plan, value=2).pk])
    assert rows[0][-4:] == ["Mục tiêu", "Thực hiện", "%", "Trạng thái"]
    assert rows[1][:7] == ["Đề án thử (1/QĐ-UBND)", "Sản phẩm OCOP đạt 3 sao trở lên", "Tỉnh Bắc Kạn", "31/12/2025",
                           "2", "1", "50.0"]


def test_the_target_download_honours_the_list_filter(admin_client, plan):
    kept, other = target(plan, "products_5star"), target(plan, "products")
    query = f"?indicator__id__exact={kept.indicator_id}"
    rows = download(admin_client, "targets/target", "export_csv", [other.pk], query, select_across="1")
    assert [row[1] for row in rows[1:]] == ["Sản phẩm 5 sao"]


@pytest.mark.parametrize("rows", [1, 6])
def test_the_target_download_costs_the_same_queries_for_1_row_as_for_6(admin_client, django_assert_max_num_queries,
                                                                       make, plan, rows):
    make.rate(make.product(), "2021-12-29", 4)
    targets = [target(plan, code, deadline=deadline) for code, deadline in STAR_TARGETS[:rows]]
    # As for producers, then the sheet: targets, the province's lineage, one count of the register.
    with django_assert_max_num_queries(13):
        download(admin_client, "targets/target", "export_xlsx", [t.pk for t in targets])


def test_the_target_sheet_is_vietnamese_whatever_the_language(plan):
    with translation.override("en"):
        sheet = target_sheet(Target.objects.filter(pk=target(plan).pk), D("2026-01-01"))
    assert sheet[0][-1] == "Không đạt"
