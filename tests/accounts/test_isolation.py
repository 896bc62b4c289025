"""A record of province B is out of reach of staff of province A by every path, and staff write
only inside their provinces. Staff A: Bắc Kạn; province B: Cao Bằng."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.admin import ProvinceFilter
from imports.models import ImportRecord
from products.models import Producer, Product, RatingDecision
from tests.conftest import Register, member, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_b(cao_bang, food):
    return Register(cao_bang, food)


@pytest.fixture
def theirs(in_b):
    """A product of Cao Bằng with its producer and a rating."""
    product = in_b.product("Trà hoa vàng", producer=in_b.producer("HTX Phja Oắc"))
    in_b.rate(product, "2026-01-15", 4)
    return product


@pytest.fixture
def client_a(login, staff_a):
    return login(staff_a)


def autocomplete(client, model, field, term) -> list[str]:
    params = {"app_label": "products", "model_name": model, "field_name": field, "term": term}
    return [row["text"] for row in client.get(reverse("admin:autocomplete"), params).json()["results"]]


def listed(client, model, app="products", **params) -> list[str]:
    changelist = client.get(reverse(f"admin:{app}_{model}_changelist"), params).context["cl"]
    return [str(obj) for obj in changelist.result_list]


def test_the_product_list_leaves_out_another_provinces_products(client_a, make, theirs):
    make.product("Miến dong")
    assert listed(client_a, "product") == ["Miến dong"]


def test_searching_does_not_find_another_provinces_product(client_a, theirs):
    assert listed(client_a, "product", q="tra hoa vang") == []


def test_its_change_address_typed_in_is_not_found(client_a, theirs):
    assert client_a.get(reverse("admin:products_product_change", args=[theirs.pk])).status_code == 404


def test_its_history_is_not_found(client_a, theirs):
    # The audit trail's page would find the record in its history, then refuse it: found, so it exists.
    assert client_a.get(reverse("admin:products_product_history", args=[theirs.pk])).status_code == 404


def test_its_delete_page_is_not_found(client_a, theirs):
    assert client_a.get(reverse("admin:products_product_delete", args=[theirs.pk])).status_code == 404


def test_a_post_to_its_change_form_changes_nothing(client_a, theirs, bac_kan, food):
    data = {"name": "Đổi tên", "producer": theirs.producer_id, "group": food.pk, "province": bac_kan.pk,
            "ratings-TOTAL_FORMS": 0, "ratings-INITIAL_FORMS": 0}
    client_a.post(reverse("admin:products_product_change", args=[theirs.pk]), data)
    assert Product.objects.get(pk=theirs.pk).name == "Trà hoa vàng"


def test_the_product_autocomplete_does_not_offer_it(client_a, make, theirs):
    make.product("Trà shan tuyết")
    assert autocomplete(client_a, "rating", "product", "tra") == ["Trà shan tuyết — Chủ thể Trà shan tuyết"]


def test_the_producer_autocomplete_does_not_offer_its_producer(client_a, theirs):
    assert autocomplete(client_a, "product", "producer", "phja") == []


def test_the_province_autocomplete_offers_only_staffs_own(client_a):
    assert autocomplete(client_a, "producer", "province", "cao bang") == []


def test_the_district_autocomplete_offers_districts_of_staffs_province_only(client_a, na_ri):
    assert autocomplete(client_a, "producer", "district", "na ri") == ["Huyện Na Rì — tỉnh Bắc Kạn (đến 30/06/2025)"]
    assert autocomplete(client_a, "producer", "district", "ha quang") == []  # a district of Cao Bằng


def test_exporting_a_list_filtered_to_province_b_gives_no_rows(client_a, theirs, cao_bang):
    url = reverse("admin:products_product_changelist") + f"?province={cao_bang.pk}"
    response = client_a.post(url, {"action": "export_csv", "select_across": 1, "index": 0, "_selected_action": [0]})
    assert response.content.decode("utf-8-sig").splitlines()[1:] == []


def test_exporting_with_its_id_selected_leaves_it_out(client_a, theirs):
    response = client_a.post(reverse("admin:products_rating_changelist"),
                             {"action": "export_csv", "index": 0,
                              "_selected_action": [r.pk for r in theirs.ratings.all()]})
    assert "Trà hoa vàng" not in response.content.decode("utf-8-sig")


def test_the_province_filter_offers_only_staffs_provinces(client_a, make, theirs, bac_kan):
    make.product()
    response = client_a.get(reverse("admin:products_product_changelist"))
    spec = next(s for s in response.context["cl"].filter_specs if isinstance(s, ProvinceFilter))
    assert [int(pk) for pk, _label in spec.lookup_choices] == [bac_kan.pk]


def producer_form(province) -> dict:
    return {"name": "HTX Mới", "type": Producer.Type.COOPERATIVE, "province": province.pk,
            "products-TOTAL_FORMS": 0, "products-INITIAL_FORMS": 0}


def test_staff_record_a_producer_of_their_province(client_a, bac_kan):
    client_a.post(reverse("admin:products_producer_add"), producer_form(bac_kan))
    assert Producer.objects.get().province == bac_kan


def test_a_producer_in_another_province_is_refused_on_its_field(client_a, cao_bang):
    response = client_a.post(reverse("admin:products_producer_add"), producer_form(cao_bang))
    assert "province" in response.context["adminform"].form.errors
    assert not Producer.objects.exists()


def test_moving_own_producer_to_another_province_is_refused(client_a, make, cao_bang):
    producer = make.producer()
    client_a.post(reverse("admin:products_producer_change", args=[producer.pk]), producer_form(cao_bang))
    assert Producer.objects.get().province == make.province


def decision_form(issuer, level="province", ratings=()) -> dict:
    data = {"number": "1/QĐ", "date": "15/01/2026" if issuer is None or not issuer.is_legacy else "29/12/2021",
            "level": level, "issuer": issuer.pk if issuer else "", "issuing_body": "UBND",
            "ratings-TOTAL_FORMS": len(ratings), "ratings-INITIAL_FORMS": 0}
    for i, (product, stars) in enumerate(ratings):
        data |= {f"ratings-{i}-product": product.pk, f"ratings-{i}-stars": stars}
    return data


def test_staff_record_a_decision_of_a_district_of_their_province(client_a, make, na_ri):
    client_a.post(reverse("admin:products_ratingdecision_add"), decision_form(na_ri, "district", [(make.product(), 3)]))
    assert RatingDecision.objects.get().ratings.count() == 1


def test_a_rating_of_another_provinces_product_is_refused_in_a_decision(client_a, bac_kan, theirs):
    response = client_a.post(reverse("admin:products_ratingdecision_add"),
                             decision_form(bac_kan, ratings=[(theirs, 3)]))
    assert "product" in response.context["inline_admin_formsets"][0].formset.errors[0]
    assert not RatingDecision.objects.filter(number="1/QĐ").exists()


def test_a_national_decision_is_recorded_only_by_an_administrator(client_a):
    response = client_a.post(reverse("admin:products_ratingdecision_add"), decision_form(None, "national"))
    assert response.context["adminform"].form.non_field_errors()
    assert not RatingDecision.objects.exists()


def test_staff_read_a_national_decision_without_changing_it(client_a, make):
    decision = make.decision("2023-12-29", level=RatingDecision.Level.NATIONAL)
    response = client_a.get(reverse("admin:products_ratingdecision_change", args=[decision.pk]))
    assert response.status_code == 200 and not response.context["has_change_permission"]


def test_leadership_cannot_change_a_record(login, leader, make):
    producer = make.producer()
    response = login(leader).post(reverse("admin:products_producer_change", args=[producer.pk]),
                                  producer_form(make.province))
    assert response.status_code == 403


def test_staff_of_a_current_province_work_on_its_legacy_predecessors_records(login, staff_b, food):
    old = Register(unit("cao-bang-cu"), food).product("Miến dong Nguyên Bình")
    response = login(staff_b).get(reverse("admin:products_product_change", args=[old.pk]))
    assert response.context["has_change_permission"]


SHEET = "Tỉnh,Chủ thể,Tên sản phẩm,Số sao,Ngày quyết định\nBắc Kạn,HTX Tài Hoan,Miến dong,4,29/12/2021\n"


def upload(client, text):
    file = SimpleUploadedFile("ds.csv", text.encode())
    return client.post(reverse("admin:imports_importrecord_upload"), {"file": file}, follow=True)


def test_an_import_row_in_another_province_is_an_error_on_that_row(client_a):
    upload(client_a, SHEET + "Cao Bằng,HTX Phja Oắc,Trà hoa vàng,4,29/12/2021\n")
    [error] = ImportRecord.objects.get().errors
    assert (error["row"], error["column"]) == (3, "province")


def test_an_import_of_own_province_previews_cleanly(client_a):
    upload(client_a, SHEET)
    assert ImportRecord.objects.get().errors == []


def test_another_provinces_upload_is_neither_listed_nor_confirmable(client_a, staff_b):
    theirs = ImportRecord.objects.create(user=staff_b, filename="cb.csv", sha256="0" * 64, content=b"")
    assert listed(client_a, "importrecord", app="imports") == []
    assert client_a.post(reverse("admin:imports_importrecord_confirm", args=[theirs.pk])).status_code == 404


def test_staff_see_uploads_of_colleagues_touching_only_their_province(login, staff_a, bac_kan):
    colleague = member("dong-nghiep", "staff", "bac-kan")
    record = ImportRecord.objects.create(user=colleague, filename="bk.csv", sha256="0" * 64, content=b"")
    record.provinces.set([bac_kan])
    assert len(listed(login(staff_a), "importrecord", app="imports")) == 1


def test_the_uploader_filter_names_only_users_whose_uploads_staff_see(client_a, staff_a, staff_b):
    ImportRecord.objects.create(user=staff_b, filename="cb.csv", sha256="0" * 64, content=b"")
    ImportRecord.objects.create(user=staff_a, filename="bk.csv", sha256="0" * 64, content=b"")
    page = client_a.get(reverse("admin:imports_importrecord_changelist")).content.decode()
    assert staff_b.username not in page



def add_rows(make, user, n: int, tag: str) -> None:
    for i in range(n):
        make.rate(make.product(f"{tag} {i}"), make.decision("2021-12-29", number=f"{tag}{i}/QĐ"), 3)
        ImportRecord.objects.create(user=user, filename=f"{tag}{i}.csv", sha256="0" * 64, content=b"")


def list_queries(client, model) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse(f"admin:{'imports' if model == 'importrecord' else 'products'}_{model}_changelist"))
    return len(queries)


@pytest.mark.parametrize("model", ["producer", "product", "ratingdecision", "rating", "importrecord"])
def test_a_staff_list_costs_as_many_queries_for_six_rows_as_for_one(client_a, make, staff_a, model):
    add_rows(make, staff_a, 1, "a")
    one = list_queries(client_a, model)
    add_rows(make, staff_a, 5, "b")
    assert list_queries(client_a, model) == one
