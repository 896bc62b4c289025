import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports.models import ImportRecord
from imports.services import import_figures, import_targets
from targets.models import Plan, ReportedFigure, Target

pytestmark = pytest.mark.django_db

TARGETS = "Tỉnh,Kế hoạch,Loại kế hoạch,Số văn bản,Ngày văn bản,Từ ngày,Đến ngày,Chỉ tiêu,Huyện,Hạn,Mục tiêu"
PLAN = "Bắc Kạn,Kế hoạch OCOP 2024,Kế hoạch,12/KH-UBND,05/01/2024,01/01/2024,31/12/2024"
FIGURES = "Tỉnh,Huyện,Chỉ tiêu,Ngày số liệu,Giá trị,Nguồn,Địa chỉ nguồn"


def sheet(header, *rows) -> bytes:
    return ("\ufeff" + "\n".join([header, *rows]) + "\n").encode("utf-8")


def targets(*rows, **options):
    return import_targets(content=sheet(TARGETS, *rows), filename="chi-tieu.csv", **options)


def figures(*rows, **options):
    return import_figures(content=sheet(FIGURES, *rows), filename="so-lieu.csv", **options)


def test_a_plan_is_created_with_its_province_and_per_district_targets(bac_kan):
    targets(f"{PLAN},products,,,220", f"{PLAN},Sản phẩm OCOP đạt 3 sao trở lên,Na Rì,,25")
    units = sorted(Target.objects.values_list("unit__short_name", "value"))
    assert Plan.objects.get().decision_number == "12/KH-UBND" and units == [("Bắc Kạn", 220), ("Na Rì", 25)]


def test_a_target_without_deadline_is_due_when_the_plan_ends(bac_kan):
    targets(f"{PLAN},products,,,220")
    assert Target.objects.get().deadline == datetime.date(2024, 12, 31)


def test_reimporting_targets_changes_nothing_and_a_new_value_updates(bac_kan):
    targets(f"{PLAN},products,,,220")
    assert targets(f"{PLAN},products,,,220").unchanged == 1
    assert (targets(f"{PLAN},products,,,230").updated, Target.objects.get().value) == (1, 230)


def test_rows_of_one_plan_must_agree_on_its_details(bac_kan):
    other = PLAN.replace("12/KH-UBND", "13/KH-UBND")
    result = targets(f"{PLAN},products,,,220", f"{other},producers,,,50")
    assert [(e.row, e.column) for e in result.errors] == [(3, "plan")] and Plan.objects.count() == 0


def test_bad_target_cells_are_named(bac_kan):
    result = targets(f"{PLAN},xyz,,,abc", f"{PLAN},products,,,-5")
    assert [(e.row, e.column) for e in result.errors] == [(2, "indicator"), (2, "target"), (3, "target")]


def test_a_plan_ending_before_it_starts_is_an_error_on_the_row(bac_kan):
    result = targets("Bắc Kạn,KH,Kế hoạch,,,01/01/2024,01/01/2023,products,,,10")
    assert [(e.row, e.column) for e in result.errors] == [(2, "ends_on")]


def test_a_published_figure_is_kept_with_its_source_and_not_duplicated(bac_kan):
    row = "Bắc Kạn,,tourism_models,31/12/2022,12,Báo Bắc Kạn,https://baobackan.vn/a"
    figures(row)
    assert figures(row).unchanged == 1 and ReportedFigure.objects.get().source_url == "https://baobackan.vn/a"


def test_a_figure_for_a_district_goes_on_the_district(bac_kan):
    figures("Bắc Kạn,Na Rì,products,31/12/2022,30,Báo Bắc Kạn,")
    assert ReportedFigure.objects.get().unit.short_name == "Na Rì"


def test_a_bad_figure_row_names_its_column(bac_kan):
    result = figures("Bắc Kạn,,products,31/12/2022,4,Báo Bắc Kạn,not a url")
    assert [(e.row, e.column) for e in result.errors] == [(2, "source_url")]


def test_the_admin_upload_previews_a_target_sheet(admin_client, bac_kan):
    file = SimpleUploadedFile("chi-tieu.csv", sheet(TARGETS, f"{PLAN},products,,,220"))
    admin_client.post("/admin/imports/importrecord/upload/", {"file": file, "kind": "targets"})
    assert (ImportRecord.objects.get().created, Target.objects.count()) == (1, 0)


def test_office_staff_may_not_import_plans_and_targets(client, staff_a):
    client.force_login(staff_a)
    file = SimpleUploadedFile("chi-tieu.csv", sheet(TARGETS, f"{PLAN},products,,,220"))
    client.post("/admin/imports/importrecord/upload/", {"file": file, "kind": "targets"})
    assert ImportRecord.objects.count() == 0


def test_office_staff_cannot_confirm_a_target_sheet_previewed_by_an_administrator(client, staff_a, administrator,
                                                                                  bac_kan):
    record = ImportRecord.objects.create(user=staff_a, kind="targets", filename="x.csv", sha256="0" * 64,
                                         content=sheet(TARGETS, f"{PLAN},products,,,220"))
    client.force_login(staff_a)
    client.post(f"/admin/imports/importrecord/{record.pk}/confirm/")
    assert Target.objects.count() == 0


def test_a_producer_row_outside_the_importers_provinces_is_an_error_on_that_row(bac_kan):
    from imports.services import import_producers

    content = sheet("Tỉnh,Chủ thể", "Bắc Kạn,HTX A", "Cao Bằng,HTX B")
    result = import_producers(content=content, filename="x.csv", scope={bac_kan.pk})
    assert [(e.row, e.column) for e in result.errors] == [(3, "province")]
