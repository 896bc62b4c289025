"""import_ocop's own messages (not the rows' errors) say it in Vietnamese and in English, as the
rows' errors do."""

import pytest
from django.core.management import CommandError, call_command

from tests.products.test_import import sheet

pytestmark = pytest.mark.django_db


def refusal(*args) -> str:
    with pytest.raises(CommandError) as refused:
        call_command("import_ocop", *args)
    return str(refused.value)


def test_a_missing_file_is_named_in_both_languages(tmp_path):
    message = refusal(str(tmp_path / "none.csv"))
    assert "Không có tệp" in message and "No such file" in message


def test_an_unknown_user_is_named_in_both_languages(tmp_path):
    path = tmp_path / "ds.csv"
    path.write_bytes(sheet("Bắc Kạn,,,HTX X,,Sản phẩm Y,1,3,,,29/12/2021,"))
    message = refusal(str(path), "--user", "nobody")
    assert "Không có người dùng" in message and "No active user named nobody" in message


def test_a_user_who_may_not_import_is_told_in_both_languages(tmp_path, leader):
    path = tmp_path / "ds.csv"
    path.write_bytes(sheet("Bắc Kạn,,,HTX X,,Sản phẩm Y,1,3,,,29/12/2021,"))
    message = refusal(str(path), "--user", leader.username)
    assert "Bạn không được nhập" in message and "You may not import" in message


def test_unrecognised_columns_are_named_in_both_languages(tmp_path, capsys):
    path = tmp_path / "ds.csv"
    path.write_bytes("Tỉnh,Chủ thể,Tên sản phẩm,Số sao,Ngày quyết định,Ghi chú lạ\r\n"
                     "Bắc Kạn,HTX X,Sản phẩm Y,3,29/12/2021,x\r\n".encode())
    call_command("import_ocop", str(path), "--dry-run")
    err = capsys.readouterr().err
    assert "Cột không nhận ra" in err and "Columns not recognised" in err
