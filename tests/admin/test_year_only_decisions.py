"""A decision known by its year alone reads "năm 2026" wherever it is named, a rating under one of
this year says from when it counts, and a date typed with "only the year is known" is not dropped
in silence."""

import datetime

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from products.models import RatingDecision
from tests.admin.test_entry import add_decision, decision_form


def year_only(issuer, year, number="TN-1/QĐ-UBND") -> RatingDecision:
    return RatingDecision.objects.create(number=number, date=datetime.date(year, 12, 31), year_only=True,
                                         level="province", issuer=issuer, issuing_body="UBND")


def test_a_year_only_decision_is_named_by_its_year(bac_kan):
    decision = year_only(bac_kan, 2024)
    with translation.override("vi"):
        assert str(decision) == "TN-1/QĐ-UBND năm 2024"


def test_a_dated_decision_is_still_named_by_its_day(make):
    with translation.override("vi"):
        assert str(make.decision("2021-12-29", number="2616/QĐ-UBND")) == "2616/QĐ-UBND ngày 29/12/2021"


def test_a_rating_under_a_year_only_decision_of_this_year_says_from_when_it_counts(admin_client, make, bac_kan):
    this_year = timezone.localdate().year
    rating = make.rate(make.product(), year_only(bac_kan, this_year), 3)
    response = admin_client.get(reverse("admin:products_product_change", args=[rating.product_id]))
    assert f"Chưa có hiệu lực (tính từ 31/12/{this_year})" in response.content.decode()


def test_a_date_typed_with_only_the_year_known_is_said_to_be_replaced(admin_client, bac_kan):
    data = decision_form(bac_kan, date="15/03/2024") | {"year_only": "on"}
    response = add_decision(admin_client, data)
    assert RatingDecision.objects.get().date == datetime.date(2024, 12, 31)
    assert "Vì chỉ biết năm, quyết định được tính từ ngày 31/12/2024; ngày đã nhập (15/03/2024) không được lưu." in [
        str(message) for message in get_messages(response.wsgi_request)]


def test_a_year_end_typed_with_only_the_year_known_brings_no_warning(admin_client, bac_kan):
    response = add_decision(admin_client, decision_form(bac_kan, date="31/12/2024") | {"year_only": "on"})
    assert [m for m in get_messages(response.wsgi_request) if m.level_tag == "warning"] == []
    assert RatingDecision.objects.get().date == datetime.date(2024, 12, 31)
