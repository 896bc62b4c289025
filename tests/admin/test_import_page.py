import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from imports.kinds import KINDS
from imports.models import ImportRecord
from products.models import Product, Rating

pytestmark = pytest.mark.django_db

GOOD = "Tỉnh,Chủ thể,Tên sản phẩm,Số sao,Ngày quyết định\nBắc Kạn,HTX Tài Hoan,Miến dong,4,29/12/2021\n"
BAD = GOOD + "Bắc Kạn,HTX X,Sản phẩm Y,7,29/12/2021\n"


def upload(client, text, name="ds.csv", **fields):
    file = SimpleUploadedFile(name, text.encode("utf-8") if isinstance(text, str) else text)
    return client.post("/admin/imports/importrecord/upload/", {"file": file, **fields}, follow=True)


def test_upload_previews_without_writing(admin_client):
    response = upload(admin_client, GOOD)
    assert (ImportRecord.objects.get().created, Product.objects.count()) == (1, 0)
    assert 'id="confirm-import"' in response.content.decode()


def test_confirm_imports_and_links_the_ratings_to_the_record(admin_client):
    upload(admin_client, GOOD)
    record = ImportRecord.objects.get()
    admin_client.post(f"/admin/imports/importrecord/{record.pk}/confirm/")
    assert Rating.objects.get().import_record == record
    assert ImportRecord.objects.get().status == ImportRecord.Status.IMPORTED


def test_preview_lists_every_error_with_its_row(admin_client):
    page = upload(admin_client, BAD).content.decode()
    assert 'id="import-errors"' in page and "<td>3</td>" in page


def test_preview_names_the_column_as_the_sheets_header_does(admin_client):
    page = upload(admin_client, BAD).content.decode()
    assert "<td>3</td><td>Số sao</td>" in page


def test_a_sheet_with_errors_cannot_be_confirmed_unless_asked(admin_client):
    upload(admin_client, BAD)
    record = ImportRecord.objects.get()
    admin_client.post(f"/admin/imports/importrecord/{record.pk}/confirm/")
    assert Product.objects.count() == 0


def test_only_the_valid_rows_when_asked(admin_client):
    upload(admin_client, BAD, skip_invalid="on")
    record = ImportRecord.objects.get()
    admin_client.post(f"/admin/imports/importrecord/{record.pk}/confirm/")
    assert Product.objects.count() == 1


def test_other_file_types_are_refused(admin_client):
    upload(admin_client, "x", name="ds.pdf")
    assert ImportRecord.objects.count() == 0


def test_a_workbook_that_unzips_to_an_absurd_size_is_refused(admin_client):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("xl/huge.xml", b"0" * (101 * 1024 * 1024))
    upload(admin_client, buffer.getvalue(), name="bomb.xlsx")
    assert ImportRecord.objects.count() == 0


def test_the_record_keeps_who_uploaded_which_file(admin_client, admin_user):
    upload(admin_client, GOOD)
    record = ImportRecord.objects.get()
    assert (record.user, record.filename, len(record.sha256)) == (admin_user, "ds.csv", 64)


def test_the_upload_page_links_to_a_template_for_each_kind_of_sheet(admin_client):
    page = admin_client.get("/admin/imports/importrecord/upload/").content.decode()
    assert all(f'href="/admin/imports/importrecord/template/{kind}/"' in page for kind in list(KINDS))


def test_an_unknown_kind_of_template_is_not_found(admin_client):
    assert admin_client.get("/admin/imports/importrecord/template/people/").status_code == 404


def test_the_template_downloads_as_a_workbook(admin_client):
    response = admin_client.get("/admin/imports/importrecord/template/")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"


def test_the_template_needs_the_upload_permission(client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_importrecord"))
    client.force_login(viewer)
    assert client.get("/admin/imports/importrecord/template/").status_code == 403


NATIONAL = ("Tỉnh,Chủ thể,Tên sản phẩm,Số sao,Điểm,Số quyết định,Ngày quyết định,Cấp công nhận\n"
            "Bắc Kạn,HTX Tài Hoan,Miến dong,5,95,1/QĐ-BNN,20/03/2025,Trung ương\n")


def confirmed_by_staff(admin_client, client, staff_a):
    """An administrator's preview of a national decision (staff may not record one), confirmed by staff."""
    upload(admin_client, NATIONAL)
    record = ImportRecord.objects.get()
    client.force_login(staff_a)
    response = client.post(f"/admin/imports/importrecord/{record.pk}/confirm/", follow=True)
    return record, response


def test_a_confirm_by_another_user_that_writes_nothing_leaves_the_preview_as_it_was(admin_client, client, staff_a):
    record, _response = confirmed_by_staff(admin_client, client, staff_a)
    after = ImportRecord.objects.get()
    assert (after.errors, after.failed_rows, after.status, Rating.objects.count()) == ([], 0, record.status, 0)


def test_a_confirm_by_another_user_that_writes_nothing_says_why(admin_client, client, staff_a):
    _record, response = confirmed_by_staff(admin_client, client, staff_a)
    messages = [str(m) for m in response.context["messages"]]
    assert any("Nothing was written" in m or "Chưa ghi" in m or "Không" in m for m in messages)
    assert any("Row 2" in m or "Dòng 2" in m for m in messages)


def test_the_uploaders_own_failed_confirm_keeps_its_errors_on_the_record(client, staff_a, bac_kan):
    client.force_login(staff_a)
    upload(client, GOOD)
    record = ImportRecord.objects.get()
    record.content = NATIONAL.encode()  # as if the sheet had become one staff may not write
    record.save()
    client.post(f"/admin/imports/importrecord/{record.pk}/confirm/")
    assert ImportRecord.objects.get().failed_rows == 1


def test_an_empty_file_is_refused_in_both_languages(admin_client):
    page = upload(admin_client, b"").content.decode()
    assert "Tập tin được gửi là rỗng." in page and "The submitted file is empty." in page


@pytest.mark.parametrize("old, new", [
    ("/admin/products/importrecord/", "/admin/imports/importrecord/"),
    ("/admin/products/importrecord/upload/", "/admin/imports/importrecord/upload/"),
    ("/admin/products/importrecord/7/change/?_changelist_filters=kind",
     "/admin/imports/importrecord/7/change/?_changelist_filters=kind"),
])
def test_the_old_import_addresses_lead_to_the_new_ones(client, old, new):
    response = client.get(old)
    assert (response.status_code, response["Location"]) == (308, new)


def resend(client, response, data=None):
    """What a browser does with a 308: the same method and body, to the new address."""
    assert response.status_code == 308
    return client.post(response["Location"], data or {}, follow=True)


def test_an_upload_and_a_confirm_sent_to_the_old_address_still_happen(admin_client):
    def data():  # an uploaded file reads once
        return {"file": SimpleUploadedFile("ds.csv", GOOD.encode())}
    resend(admin_client, admin_client.post("/admin/products/importrecord/upload/", data()), data())
    record = ImportRecord.objects.get()
    resend(admin_client, admin_client.post(f"/admin/products/importrecord/{record.pk}/confirm/"))
    assert Rating.objects.get().import_record == record


@pytest.mark.parametrize("old", ["/admin/products/importrecord/../../auth/user/",
                                 "/admin/products/importrecord/./x/"])
def test_the_old_addresses_lead_nowhere_else(client, old):
    assert client.get(old).status_code == 404


@pytest.mark.parametrize("kind", ["targets", "no-such-kind"])
def test_a_kind_the_user_may_not_import_is_refused_in_words(client, staff_a, kind):
    client.force_login(staff_a)
    page = upload(client, GOOD, kind=kind).content.decode()
    assert "Bạn không được nhập loại bảng tính này." in page and ImportRecord.objects.count() == 0
