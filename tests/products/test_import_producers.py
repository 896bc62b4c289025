import datetime

import pytest
from django.core.management import call_command

from core.downloads import export
from imports.services import import_producers
from products.exports import producer_sheet
from products.models import Producer

pytestmark = pytest.mark.django_db

HEADER = "Tỉnh,Huyện,Xã,Chủ thể,Loại hình chủ thể,Mã số thuế,Điện thoại,Địa chỉ"
ROW = "Bắc Kạn,Na Rì,Côn Minh,Hợp tác xã Tài Hoan,Hợp tác xã,4700123456,0912 345 678,Thôn Nà Đon"


def run(*rows, header=HEADER, **options):
    content = ("\ufeff" + "\n".join([header, *rows]) + "\n").encode("utf-8")
    return import_producers(content=content, filename="chu-the.csv", **options)


def test_it_creates_a_producer_with_its_place_and_contacts(bac_kan):
    run(ROW)
    producer = Producer.objects.get()
    assert (producer.commune.short_name, producer.type, producer.phone) == ("Côn Minh", "cooperative", "0912 345 678")


def test_a_known_producer_is_updated_not_duplicated(make):
    make.producer(name="Hợp tác xã Tài Hoan")
    result = run(ROW)
    assert (result.created, result.updated, Producer.objects.count()) == (0, 1, 1)


def test_importing_the_same_sheet_twice_changes_nothing(bac_kan):
    run(ROW)
    assert run(ROW).unchanged == 1


def test_a_blank_optional_cell_keeps_what_is_stored(bac_kan):
    run(ROW)
    run("Bắc Kạn,Na Rì,Côn Minh,Hợp tác xã Tài Hoan,Hợp tác xã,,,")
    assert Producer.objects.get().tax_code == "4700123456"


def test_the_models_own_checks_name_the_row_and_column_and_nothing_is_written(bac_kan):
    result = run(ROW, "Bắc Kạn,,,HTX Dài,Hợp tác xã," + "1" * 25 + ",,")
    assert [(e.row, e.column) for e in result.errors] == [(3, "tax_code")]
    assert Producer.objects.count() == 0


def test_skip_invalid_writes_the_valid_rows(bac_kan):
    run(ROW, "Sao Hỏa,,,HTX Y,,,,", skip_invalid=True)
    assert list(Producer.objects.values_list("name", flat=True)) == ["Hợp tác xã Tài Hoan"]


def test_the_command_imports_producers_with_kind(bac_kan, tmp_path, capsys):
    path = tmp_path / "chu-the.csv"
    path.write_text(f"{HEADER}\n{ROW}\n", encoding="utf-8-sig")
    call_command("import_ocop", str(path), "--kind", "producers")
    assert capsys.readouterr().out.startswith("created: 1, updated: 0, unchanged: 0, errors: 0")


def test_a_producer_export_reimports_with_no_change(make):
    make.producer(name="=HTX Tài Hoan", phone="0912 345 678", address="Thôn Nà Đon")
    content = export(producer_sheet(Producer.objects.all(), datetime.date(2025, 1, 1)), "xlsx")
    result = import_producers(content=content, filename="chu-the.xlsx")
    assert (result.unchanged, result.created, result.errors, result.unknown_columns) == (1, 0, [], [])
