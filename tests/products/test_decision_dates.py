"""Dates that cannot mislead: no decision dated after today (a year alone of this year counts from
its 31/12 and is allowed), in the admin form and the import alike; and moving a decision's date
moves its ratings' default certificate expiry with it, never one typed by hand."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from imports.services import import_products
from products.models import Rating, RatingDecision
from tests.conftest import unit

pytestmark = pytest.mark.django_db

HEADER = "Tỉnh,Chủ thể,Tên sản phẩm,Số sao,Ngày quyết định,Năm công nhận"
AS_OF = datetime.date(2024, 6, 1)


def sheet(*rows) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def decision_form(date: str, year_only: bool = False) -> dict:
    thai_nguyen = unit("thai-nguyen")
    return {
        "number": "12/QĐ-UBND", "date": date, "level": "province", "issuer": thai_nguyen.pk,
        "issuing_body": "UBND tỉnh Thái Nguyên", "source_url": "", "note": "",
        **({"year_only": "on"} if year_only else {}),
        "ratings-TOTAL_FORMS": 0, "ratings-INITIAL_FORMS": 0,
    }


def add_decision(client, data):
    return client.post(reverse("admin:products_ratingdecision_add"), data)


def test_the_admin_refuses_a_decision_dated_tomorrow_on_its_date(admin_client):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = add_decision(admin_client, decision_form(f"{tomorrow:%d/%m/%Y}"))
    assert "sau hôm nay" in " ".join(response.context["adminform"].form.errors["date"])
    assert not RatingDecision.objects.exists()


def test_the_admin_takes_a_year_only_decision_of_this_year(admin_client):
    add_decision(admin_client, decision_form(f"01/01/{timezone.localdate().year}", year_only=True))
    assert RatingDecision.objects.get().date == datetime.date(timezone.localdate().year, 12, 31)


def test_the_admin_refuses_a_year_only_decision_of_next_year(admin_client):
    response = add_decision(admin_client, decision_form(f"01/01/{timezone.localdate().year + 1}", year_only=True))
    assert "date" in response.context["adminform"].form.errors


def test_the_import_refuses_a_decision_dated_after_as_of_on_its_cell(db):
    result = import_products(content=sheet("Bắc Kạn,HTX X,Sản phẩm Y,3,02/06/2024,"), filename="x.csv", as_of=AS_OF)
    assert [(e.row, e.column) for e in result.errors] == [(2, "decision_date")]
    assert "02/06/2024" in result.errors[0].messages["vi"] and "after today" in result.errors[0].messages["en"]


def test_the_import_takes_a_decision_dated_on_as_of(db):
    result = import_products(content=sheet("Bắc Kạn,HTX X,Sản phẩm Y,3,01/06/2024,"), filename="x.csv", as_of=AS_OF)
    assert (result.created, result.errors) == (1, [])


def test_the_import_takes_a_year_alone_of_the_current_year(db):
    result = import_products(content=sheet("Bắc Kạn,HTX X,Sản phẩm Y,3,,2024"), filename="x.csv", as_of=AS_OF)
    assert (result.created, result.errors) == (1, [])


def test_the_import_refuses_a_year_alone_after_the_current_year_on_its_cell(db):
    result = import_products(content=sheet("Bắc Kạn,HTX X,Sản phẩm Y,3,,2025"), filename="x.csv", as_of=AS_OF)
    assert [(e.row, e.column) for e in result.errors] == [(2, "year")]


def test_import_ocop_names_the_row_and_column_of_a_decision_dated_after_today(db, tmp_path, capsys):
    path = tmp_path / "ds.csv"
    later = timezone.localdate() + datetime.timedelta(days=30)
    path.write_bytes(sheet(f"Thái Nguyên,HTX X,Sản phẩm Y,3,{later:%d/%m/%Y},"))
    with pytest.raises(SystemExit):
        call_command("import_ocop", str(path))
    out = capsys.readouterr().out
    assert "Dòng 2, cột Ngày quyết định" in out and "Row 2, column Decision date" in out


@pytest.fixture
def decision_with_ratings(make):
    decision = make.decision("2021-12-29")
    default = make.rate(make.product("Miến dong"), decision, 3)
    typed = make.rate(make.product("Măng khô"), decision, 3, expires=datetime.date(2023, 6, 30))
    return decision, default, typed


def test_moving_a_decision_moves_its_ratings_default_expiry(decision_with_ratings):
    decision, default, _typed = decision_with_ratings
    decision.date = datetime.date(2022, 1, 14)
    decision.save()
    default.refresh_from_db()
    assert default.expires == datetime.date(2025, 1, 14)


def test_moving_a_decision_keeps_an_expiry_typed_by_hand(decision_with_ratings):
    decision, _default, typed = decision_with_ratings
    decision.date = datetime.date(2022, 1, 14)
    decision.save()
    typed.refresh_from_db()
    assert typed.expires == datetime.date(2023, 6, 30)


def test_the_moved_expiry_is_in_the_ratings_audit_trail(decision_with_ratings):
    decision, default, _typed = decision_with_ratings
    decision.date = datetime.date(2022, 1, 14)
    decision.save()
    assert default.history.latest("history_date").expires == datetime.date(2025, 1, 14)


def test_the_admin_moves_the_default_expiry_of_a_rating_edited_on_the_same_page(admin_client, decision_with_ratings):
    decision, default, typed = decision_with_ratings
    data = {
        "number": decision.number, "date": "14/01/2022", "level": "province", "issuer": decision.issuer_id,
        "issuing_body": decision.issuing_body, "source_url": "", "note": "",
        "ratings-TOTAL_FORMS": 2, "ratings-INITIAL_FORMS": 2,
    }
    for i, rating in enumerate((default, typed)):
        data |= {f"ratings-{i}-id": rating.pk, f"ratings-{i}-decision": decision.pk,
                 f"ratings-{i}-product": rating.product_id, f"ratings-{i}-stars": 4,
                 f"ratings-{i}-expires": f"{rating.expires:%d/%m/%Y}"}
    response = admin_client.post(reverse("admin:products_ratingdecision_change", args=[decision.pk]), data)
    assert response.status_code == 302
    assert list(Rating.objects.order_by("pk").values_list("stars", "expires")) == [
        (4, datetime.date(2025, 1, 14)), (4, datetime.date(2023, 6, 30))]


def test_a_revocation_dated_after_today_is_refused_on_its_field(make):
    rating = make.rate(make.product("Miến dong"), "2021-12-29", 3)
    rating.revoked_on = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        rating.full_clean()
    assert "revoked_on" in refused.value.message_dict


def test_a_revocation_dated_today_is_recorded(make):
    rating = make.rate(make.product("Miến dong"), "2021-12-29", 3)
    rating.revoked_on = timezone.localdate()
    assert rating.full_clean() is None  # raises if refused
