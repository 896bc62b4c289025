"""The one scope rule where it was missing: inlines, a decision's ratings, imports, import records,
audit pages and the import command. Staff A: Bắc Kạn; province B: Cao Bằng."""

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.scope import province_ids, refusal
from core.admin import ScopedAdminMixin
from imports.models import ImportRecord
from products.models import Product, Rating, RatingDecision
from tests.conftest import Register, member, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_b(cao_bang, food):
    return Register(cao_bang, food)


@pytest.fixture
def shared(make, in_b):
    """A producer of Bắc Kạn with a product in Bắc Kạn and one in Cao Bằng."""
    producer = make.producer("HTX Hai Tỉnh")
    return (make.product("Miến dong", producer=producer),
            in_b.product("Trà hoa vàng", producer=producer, province=in_b.province))


@pytest.fixture
def client_a(login, staff_a):
    return login(staff_a)


def producer_page(client, producer):
    return client.get(reverse("admin:products_producer_change", args=[producer.pk]))


def test_the_producer_page_lists_only_its_products_in_staffs_provinces(client_a, shared):
    formset = producer_page(client_a, shared[0].producer).context["inline_admin_formsets"][0].formset
    assert [form.instance.name for form in formset.initial_forms] == ["Miến dong"]


def producer_post(producer, product_ids) -> dict:
    data = {"name": producer.name, "type": producer.type, "province": producer.province_id,
            "products-TOTAL_FORMS": len(product_ids), "products-INITIAL_FORMS": len(product_ids)}
    for i, pk in enumerate(product_ids):
        data |= {f"products-{i}-id": pk, f"products-{i}-producer": producer.pk, f"products-{i}-name": f"Đổi {i}",
                 f"products-{i}-group": Product.objects.get(pk=pk).group_id}
    return data


def test_a_producer_form_posted_with_another_provinces_product_is_refused(client_a, shared):
    ours, theirs = shared
    response = client_a.post(reverse("admin:products_producer_change", args=[ours.producer_id]),
                             producer_post(ours.producer, [ours.pk, theirs.pk]))
    assert response.status_code == 200  # the form again, with the error
    assert sorted(Product.objects.values_list("name", flat=True)) == ["Miến dong", "Trà hoa vàng"]


@pytest.fixture
def national(make, in_b, shared):
    decision = make.decision("2023-12-29", level=RatingDecision.Level.NATIONAL)
    make.rate(shared[0], decision, 5)
    in_b.rate(shared[1], decision, 5)
    return decision


def test_a_national_decision_lists_only_the_ratings_in_staffs_provinces(client_a, national):
    response = client_a.get(reverse("admin:products_ratingdecision_change", args=[national.pk]))
    formset = response.context["inline_admin_formsets"][0].formset
    assert [form.instance.product.name for form in formset.initial_forms] == ["Miến dong"]


def test_a_decisions_rating_count_counts_only_staffs_provinces(client_a, national):
    [decision] = client_a.get(reverse("admin:products_ratingdecision_changelist")).context["cl"].result_list
    assert decision.rating_count == 1


def test_a_decision_posted_back_with_another_provinces_rating_changes_nothing(client_a, make, in_b):
    decision = make.decision("2021-12-29")
    theirs = in_b.rate(in_b.product("Trà hoa vàng"), decision, 3)
    data = {"number": decision.number, "date": "29/12/2021", "level": "province", "issuer": make.province.pk,
            "issuing_body": decision.issuing_body, "ratings-TOTAL_FORMS": 1, "ratings-INITIAL_FORMS": 1,
            "ratings-0-id": theirs.pk, "ratings-0-decision": decision.pk, "ratings-0-product": theirs.product_id,
            "ratings-0-stars": 4}
    client_a.post(reverse("admin:products_ratingdecision_change", args=[decision.pk]), data)
    assert Rating.objects.get(pk=theirs.pk).stars == 3


HEADER = "Tỉnh,Chủ thể,Tên sản phẩm,Số sao,Ngày quyết định,Cấp công nhận\n"


def upload(client, text, name="ds.csv"):
    client.post(reverse("admin:imports_importrecord_upload"), {"file": SimpleUploadedFile(name, text.encode())})
    return ImportRecord.objects.latest("pk")


def test_an_import_row_of_province_a_never_rates_the_producers_product_in_b(client_a, shared):
    record = upload(client_a, HEADER + "Bắc Kạn,HTX Hai Tỉnh,Trà hoa vàng,4,29/12/2021,tỉnh\n")
    client_a.post(reverse("admin:imports_importrecord_confirm", args=[record.pk]))
    assert not Rating.objects.filter(product=shared[1]).exists()


def test_such_a_row_is_an_error_on_the_product(client_a, shared):
    record = upload(client_a, HEADER + "Bắc Kạn,HTX Hai Tỉnh,Trà hoa vàng,4,29/12/2021,tỉnh\n")
    assert [(e["row"], e["column"]) for e in record.errors] == [(2, "product")]


def test_staff_cannot_create_a_national_decision_by_import(client_a, make):
    make.product("Miến dong", producer=make.producer("HTX Tài Hoan"))
    record = upload(client_a, HEADER + "Bắc Kạn,HTX Tài Hoan,Miến dong,5,29/12/2023,quốc gia\n")
    client_a.post(reverse("admin:imports_importrecord_confirm", args=[record.pk]))
    assert (not RatingDecision.objects.exists(), [e["column"] for e in record.errors]) == (True, ["level"])


def test_the_import_refuses_it_in_the_admin_forms_words_in_both_languages(client_a, make):
    record = upload(client_a, HEADER + "Bắc Kạn,HTX Tài Hoan,Miến dong,5,29/12/2023,quốc gia\n")
    [error] = record.errors
    assert error["en"] == "Only an administrator can record this for the whole country." and error["vi"] != error["en"]


def test_the_forms_and_the_import_ask_the_same_rule(staff_a, bac_kan, cao_bang):
    ids = province_ids(staff_a)
    assert [refusal(ids, unit) is None for unit in (bac_kan, cao_bang, None)] == [True, False, False]


def test_an_admin_may_import_a_national_decision(admin_client):
    record = upload(admin_client, HEADER + "Bắc Kạn,HTX Tài Hoan,Miến dong,5,29/12/2023,quốc gia\n")
    assert record.errors == []


def test_the_touched_provinces_are_stored_on_the_import_record(client_a, bac_kan):
    record = upload(client_a, HEADER + "Bắc Kạn,HTX A,SP A,4,29/12/2021,tỉnh\nCao Bằng,HTX B,SP B,4,29/12/2021,tỉnh\n")
    assert set(record.provinces.all()) == {bac_kan, unit("cao-bang-cu")}  # the units of the decision's date


def test_staff_sharing_one_of_two_provinces_of_a_file_do_not_see_it(login, staff_b, bac_kan, cao_bang):
    both = member("hai-tinh", "staff", "bac-kan", "cao-bang")
    record = upload(login(both),
                    HEADER + "Bắc Kạn,HTX A,SP A,4,29/12/2021,tỉnh\nCao Bằng,HTX B,SP B,4,29/12/2021,tỉnh\n")
    client = login(staff_b)
    assert client.get(reverse("admin:imports_importrecord_change", args=[record.pk])).status_code == 404
    assert client.get(reverse("admin:imports_importrecord_rejected", args=[record.pk])).status_code == 404


def test_staff_covering_every_province_of_the_file_see_it(login, staff_a):
    record = upload(login(staff_a), HEADER + "Bắc Kạn,HTX A,SP A,4,29/12/2021,tỉnh\n")
    colleague = member("dong-nghiep", "staff", "bac-kan", "cao-bang")
    assert login(colleague).get(reverse("admin:imports_importrecord_change", args=[record.pk])).status_code == 200


def test_a_file_touching_no_province_is_seen_only_by_its_uploader_and_admins(login, staff_a):
    record = upload(login(staff_a), HEADER + "Tỉnh Không Có,HTX A,SP A,4,29/12/2021,tỉnh\n")
    colleague = member("dong-nghiep", "staff", "bac-kan")
    assert login(colleague).get(reverse("admin:imports_importrecord_change", args=[record.pk])).status_code == 404


def test_leadership_covering_the_file_read_the_record_but_not_its_rejected_rows(login, staff_a):
    record = upload(login(staff_a), HEADER + "Bắc Kạn,HTX A,SP A,9,29/12/2021,tỉnh\n")
    client = login(member("lanh-dao-bk", "leadership", "bac-kan"))
    assert client.get(reverse("admin:imports_importrecord_change", args=[record.pk])).status_code == 200
    assert client.get(reverse("admin:imports_importrecord_rejected", args=[record.pk])).status_code == 403


def test_leadership_of_another_province_do_not_see_it(login, staff_a):
    record = upload(login(staff_a), HEADER + "Bắc Kạn,HTX A,SP A,4,29/12/2021,tỉnh\n")
    client = login(member("lanh-dao-cb", "leadership", "cao-bang"))
    assert client.get(reverse("admin:imports_importrecord_change", args=[record.pk])).status_code == 404


PRODUCERS = "Tỉnh,Chủ thể,Loại hình chủ thể,Điện thoại\nBắc Kạn,HTX A,HTX,{phone}\n"


def test_leadership_read_no_personal_value_in_an_import_records_errors(login, staff_a):
    client = login(staff_a)
    client.post(reverse("admin:imports_importrecord_upload"),
                {"kind": "producers",
                 "file": SimpleUploadedFile("cs.csv", PRODUCERS.format(phone="0912 345 678").encode())})
    record = ImportRecord.objects.latest("pk")
    record.errors = [{"row": 2, "column": "phone", "vi": "0912 345 678 sai", "en": "0912 345 678 wrong"}]
    record.save()
    page = login(member("lanh-dao-bk", "leadership", "bac-kan")).get(
        reverse("admin:imports_importrecord_change", args=[record.pk])).content.decode()
    assert "0912 345 678" not in page


def test_history_of_another_provinces_record_is_not_found_as_a_missing_one_is(client_a, in_b):
    theirs = in_b.product("Trà hoa vàng")
    answers = [client_a.get(reverse("admin:products_product_history", args=[pk])).status_code
               for pk in (theirs.pk, 99999)]
    assert answers == [404, 404]


def test_a_past_version_of_another_provinces_record_is_not_found(client_a, in_b):
    theirs = in_b.product("Trà hoa vàng")
    url = reverse("admin:products_product_simple_history", args=[theirs.pk, theirs.history.latest().pk])
    assert client_a.get(url).status_code == 404


def test_a_record_moved_out_of_scope_hides_its_old_versions(client_a, make, cao_bang):
    product = make.product("Miến dong")
    old = product.history.latest()
    product.province = cao_bang
    product.save()
    url = reverse("admin:products_product_simple_history", args=[product.pk, old.pk])
    assert client_a.get(url).status_code == 404


def test_the_history_of_a_deleted_record_of_staffs_province_stays_readable(client_a, make):
    producer = make.producer()
    pk = producer.pk
    producer.delete()
    assert client_a.get(reverse("admin:products_producer_history", args=[pk])).status_code == 200


def test_another_provinces_change_page_is_not_found(client_a, in_b):
    theirs = in_b.product("Trà hoa vàng")
    assert client_a.get(reverse("admin:products_product_change", args=[theirs.pk])).status_code == 404


def test_another_provinces_delete_page_is_not_found(client_a, in_b):
    theirs = in_b.product("Trà hoa vàng")
    assert client_a.get(reverse("admin:products_product_delete", args=[theirs.pk])).status_code == 404


def test_deleting_a_record_staff_may_see_stays_forbidden(client_a, make):
    assert client_a.get(reverse("admin:products_product_delete", args=[make.product().pk])).status_code == 403


def test_view_on_site_of_another_province_is_not_found(client_a, cao_bang):
    url = reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(cao_bang).pk, cao_bang.pk])
    assert client_a.get(url).status_code == 404


def test_save_model_refuses_what_the_form_would(rf, staff_a, in_b):
    model_admin = admin.site._registry[Product]
    request = rf.post("/")
    request.user = staff_a
    with pytest.raises(PermissionDenied):
        model_admin.save_model(request, in_b.product("Trà hoa vàng"), None, True)
    assert isinstance(model_admin, ScopedAdminMixin)


def sheet_file(tmp_path, text):
    path = tmp_path / "ds.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_command_runs_with_full_scope_by_default(tmp_path, capsys, bac_kan):
    call_command("import_ocop", sheet_file(tmp_path, HEADER + "Bắc Kạn,HTX A,SP A,5,29/12/2023,quốc gia\n"))
    assert RatingDecision.objects.get().level == "national"


def test_the_command_applies_a_named_users_scope(tmp_path, capsys, staff_a):
    path = sheet_file(tmp_path, HEADER + "Cao Bằng,HTX B,SP B,4,29/12/2021,tỉnh\n")
    with pytest.raises(SystemExit):
        call_command("import_ocop", path, "--user", staff_a.username)
    assert "province" in capsys.readouterr().out and not Product.objects.exists()


def test_the_command_applies_a_named_users_permissions(tmp_path, leader):
    path = sheet_file(tmp_path, HEADER + "Bắc Kạn,HTX A,SP A,4,29/12/2021,tỉnh\n")
    with pytest.raises(CommandError):
        call_command("import_ocop", path, "--user", leader.username)


def test_the_command_names_an_unknown_user(tmp_path):
    with pytest.raises(CommandError) as refused:
        call_command("import_ocop", sheet_file(tmp_path, HEADER), "--user", "khong-co")
    # the user named, not a usage error
    assert "khong-co" in str(refused.value) and "arguments" not in str(refused.value)
