"""The preview says what the rows will write, page by page with every problem of a row, and lets the
admin say what the columns it did not recognise hold; saved, those choices are a province's column
mapping that later uploads and `import_ocop --mapping` reuse."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from imports.models import ColumnMapping, ImportRecord
from imports.rows import map_headers, mapped_keys, with_mapping
from imports.services import import_products
from imports.tasks import preview_import
from products.models import Rating, RatingDecision
from tests.conftest import unit

pytestmark = pytest.mark.django_db

HEADER = "Tỉnh,Chủ thể,Tên sản phẩm,Số sao,Ngày quyết định\n"
# A district's own list: its own words for the product and the stars, and a note column.
OWN_WORDS = "Tỉnh,Chủ thể,Tên SP,Đạt hạng,Ngày quyết định,Ghi chú\nBắc Kạn,HTX Tài Hoan,Miến dong,4,29/12/2021,mới\n"


def previewed(user, text: str, **options) -> ImportRecord:
    return preview_import(user=user, filename="ds.csv", content=text.encode(), skip_invalid=False, **options)


def page_of(client, record, query="") -> str:
    return client.get(f"/admin/imports/importrecord/{record.pk}/change/{query}").content.decode()


def test_the_preview_says_what_each_row_will_write(admin_user, tmp_path):
    call_command("import_ocop", _csv(HEADER + "Bắc Kạn,HTX A,Mật ong,3,29/12/2021\n", tmp_path), stdout=io.StringIO())
    record = previewed(admin_user, HEADER + "Bắc Kạn,HTX A,Mật ong,3,29/12/2021\nBắc Kạn,HTX A,Mật ong,4,1/2/2022\n")
    assert [(number, outcome) for number, outcome, _cells in record.preview["rows"]] == [
        (2, "unchanged"), (3, "created")]
    assert record.preview["rows"][1][2][:5] == ["Tỉnh Bắc Kạn", "", "", "HTX A", "Mật ong"]


def test_a_row_shows_every_error_it_has(admin_user, admin_client):
    record = previewed(admin_user, HEADER + "Bắc Kạn,HTX A,Mật ong,9,32/13/2021\n")
    page = page_of(admin_client, record)
    assert "“9” không phải số sao" in page.split('id="import-rows"')[1]
    assert "“32/13/2021” không phải ngày" in page.split('id="import-rows"')[1]


def test_rows_with_no_error_in_a_sheet_with_errors_are_valid_not_written(admin_user):
    record = previewed(admin_user, HEADER + "Bắc Kạn,HTX A,Mật ong,3,29/12/2021\nBắc Kạn,HTX B,Chè,9,29/12/2021\n")
    assert [outcome for _number, outcome, _cells in record.preview["rows"]] == ["", "error"]


def test_the_rows_come_fifty_a_page(admin_user, admin_client):
    record = previewed(admin_user, HEADER + "".join(f"Bắc Kạn,HTX {i},SP {i},3,29/12/2021\n" for i in range(120)))
    last = page_of(admin_client, record, "?p=3")
    assert last.split('id="import-rows"')[1].count('class="outcome-created"') == 20
    assert "Trang 3 / 3 (120 dòng)" in last


def test_only_the_rows_with_errors_can_be_shown(admin_user, admin_client):
    rows = "".join(f"Bắc Kạn,HTX {i},SP {i},{9 if i % 10 == 0 else 3},29/12/2021\n" for i in range(60))
    page = page_of(admin_client, previewed(admin_user, HEADER + rows), "?rows=errors")
    assert page.split('id="import-rows"')[1].count('class="outcome-error"') == 6
    assert 'class="outcome-valid"' not in page


def test_a_leader_is_shown_no_rows_of_an_import(admin_user, leader, login):
    """The rows as typed, the rejected ones too, are never shown to leadership (as their download)."""
    record = previewed(admin_user, HEADER + "Bắc Kạn,HTX A,Mật ong,9,29/12/2021\n")
    assert record.preview["rows"]
    page = page_of(login(leader), record)
    assert 'id="import-rows"' not in page and "Mật ong" not in page


def test_staff_who_may_not_read_personal_data_see_it_masked_in_the_rows(admin_user, admin_client, monkeypatch):
    from imports.admin import ImportRecordAdmin

    sheet = "Tỉnh,Chủ thể,Điện thoại\nBắc Kạn,HTX A,0912345678\n"
    record = preview_import(user=admin_user, filename="cs.csv", content=sheet.encode(), skip_invalid=False,
                            kind="producers")
    monkeypatch.setattr(ImportRecordAdmin, "hides_personal_data", lambda self, request: True)
    monkeypatch.setattr(ImportRecordAdmin, "may_download_rows", lambda self, request, record: True)
    assert "0912345678" in str(record.preview)
    assert "0912345678" not in page_of(admin_client, record)


def test_the_unknown_columns_are_offered_a_field_each(admin_user, admin_client):
    page = page_of(admin_client, previewed(admin_user, OWN_WORDS))
    assert 'id="unknown-columns"' in page and 'form="import-columns"' in page
    assert ">Tên SP</label>" in page and ">Đạt hạng</label>" in page


def test_choosing_the_fields_checks_the_sheet_again_and_it_imports(admin_user, admin_client):
    record = previewed(admin_user, OWN_WORDS)
    assert record.failed_rows == 1  # the header lacks the product and the stars
    admin_client.post(f"/admin/imports/importrecord/{record.pk}/columns/",
                      {"column_0": "product", "column_1": "stars", "column_2": ""})
    record.refresh_from_db()
    assert (record.failed_rows, record.unknown_columns, record.mapping) == (
        0, [], {"Tên SP": "product", "Đạt hạng": "stars", "Ghi chú": ""})
    admin_client.post(f"/admin/imports/importrecord/{record.pk}/confirm/")
    assert Rating.objects.get().stars == 4


def test_the_choices_saved_under_a_name_are_the_provinces_mapping(staff_a, login):
    record = previewed(staff_a, OWN_WORDS)
    login(staff_a).post(f"/admin/imports/importrecord/{record.pk}/columns/", {
        "column_0": "product", "column_1": "stars", "column_2": "", "save_as": "Danh sách huyện",
        "province": unit("bac-kan").pk})
    mapping = ColumnMapping.objects.get()
    assert (mapping.name, mapping.province.slug, mapping.kind, mapping.updated_by) == (
        "Danh sách huyện", "bac-kan", "products", staff_a)
    assert mapping.columns == {"Tên SP": "product", "Đạt hạng": "stars", "Ghi chú": ""}


def test_two_columns_given_one_field_are_refused(admin_user, admin_client):
    record = previewed(admin_user, OWN_WORDS)
    admin_client.post(f"/admin/imports/importrecord/{record.pk}/columns/",
                      {"column_0": "product", "column_1": "product", "column_2": ""})
    record.refresh_from_db()
    assert record.mapping == {} and record.failed_rows == 1


def test_a_mapping_cannot_be_saved_for_another_province(staff_a, login):
    record = previewed(staff_a, OWN_WORDS)
    login(staff_a).post(f"/admin/imports/importrecord/{record.pk}/columns/", {
        "column_0": "product", "column_1": "stars", "save_as": "X", "province": unit("cao-bang").pk})
    assert not ColumnMapping.objects.exists()


def _saved(province="bac-kan", name="Danh sách huyện") -> ColumnMapping:
    return ColumnMapping.objects.create(province=unit(province), name=name,
                                        columns={"Tên SP": "product", "Đạt hạng": "stars", "Ghi chú": ""})


def test_an_upload_with_a_saved_mapping_reads_the_columns_by_it(staff_a, login):
    mapping = _saved()
    upload = SimpleUploadedFile("ds.csv", OWN_WORDS.encode())
    login(staff_a).post("/admin/imports/importrecord/upload/", {"file": upload, "kind": "products",
                                                                "mapping": mapping.pk})
    record = ImportRecord.objects.get()
    assert (record.failed_rows, record.unknown_columns, record.mapping) == (0, [], mapping.columns)


def test_another_provinces_mapping_is_not_offered_nor_taken(staff_b, login):
    mapping = _saved()
    client = login(staff_b)
    assert mapping.name not in client.get("/admin/imports/importrecord/upload/").content.decode()
    client.post("/admin/imports/importrecord/upload/", {"file": SimpleUploadedFile("ds.csv", OWN_WORDS.encode()),
                                                        "kind": "products", "mapping": mapping.pk})
    assert not ImportRecord.objects.exists()
    assert client.get(f"/admin/imports/columnmapping/{mapping.pk}/change/").status_code == 404


def test_a_saved_mapping_is_offered_for_the_same_headers_in_the_next_preview(staff_a, login):
    _saved()
    page = page_of(login(staff_a), previewed(staff_a, OWN_WORDS))
    assert '<option value="product" selected>' in page and '<option value="stars" selected>' in page


def test_the_command_reads_the_columns_by_a_mapping_named(tmp_path):
    _saved()
    out = io.StringIO()
    call_command("import_ocop", _csv(OWN_WORDS, tmp_path), "--mapping", "Danh sách huyện", stdout=out)
    assert out.getvalue().startswith("created: 1, updated: 0, unchanged: 0, errors: 0")
    assert RatingDecision.objects.count() == 1


def test_the_command_refuses_a_mapping_it_cannot_tell_apart(tmp_path):
    _saved(), _saved("cao-bang")
    with pytest.raises(CommandError, match="--province"):
        call_command("import_ocop", _csv(OWN_WORDS, tmp_path), "--mapping", "Danh sách huyện")
    call_command("import_ocop", _csv(OWN_WORDS, tmp_path), "--mapping", "Danh sách huyện", "--province", "Bắc Kạn",
                 stdout=io.StringIO())
    assert Rating.objects.count() == 1


def test_the_command_names_an_unknown_mapping(tmp_path):
    with pytest.raises(CommandError, match="Không có cách đọc cột"):
        call_command("import_ocop", _csv(OWN_WORDS, tmp_path), "--mapping", "Không có")


def test_a_mapped_header_wins_over_one_that_would_mean_the_same():
    columns = with_mapping({"product": ("san pham",)}, {"Tên SP": "product"})
    assert map_headers(["Sản phẩm", "Tên SP"], columns, mapped_keys({"Tên SP": "product"})) == (
        {1: "product"}, ["Sản phẩm"])


def test_a_mapping_reused_on_a_sheet_without_its_header_falls_back_on_the_usual_names():
    result = import_products(content=(HEADER + "Bắc Kạn,HTX A,Mật ong,3,29/12/2021\n").encode(), filename="ds.csv",
                             dry_run=True, mapping={"Tên SP": "product"})
    assert (result.created, result.failed_rows) == (1, 0)


def _csv(text: str, directory) -> str:
    path = directory / "ds.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_hand_made_mapping_giving_two_headers_one_field_is_refused(admin_client):
    response = admin_client.post("/admin/imports/columnmapping/add/", {
        "name": "X", "province": unit("bac-kan").pk, "kind": "products",
        "columns": '{"Tên SP": "product", "Đơn vị sản xuất": "product"}'})
    assert response.status_code == 200 and not ColumnMapping.objects.exists()
    assert "cùng một trường" in response.content.decode()


def test_a_sheet_with_no_header_in_its_first_rows_says_so(admin_user):
    record = previewed(admin_user, "Danh sách\nA,B,C\n1,2,3\n")
    assert any("Không dòng nào trong 30 dòng đầu" in warning["vi"] for warning in record.warnings)
