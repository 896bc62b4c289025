"""Rules held by the database itself, and the form-level checks that explain them."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from products.models import Rating, RatingDecision
from tests.conftest import unit

D = datetime.date.fromisoformat


def status_on(rating: Rating, day: datetime.date) -> str:
    return Rating.objects.with_status(day).values_list("status", flat=True).get(pk=rating.pk)


def rating(make, **fields):
    return Rating(product=make.product(), decision=make.decision("2021-12-29"), **fields)


@pytest.mark.parametrize("stars", [0, 6])
def test_the_database_refuses_stars_outside_1_to_5(make, stars):
    with pytest.raises(IntegrityError), transaction.atomic():
        rating(make, stars=stars).save()


def test_the_database_refuses_a_score_that_contradicts_the_stars(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        rating(make, stars=3, score=85).save()


def test_the_database_refuses_a_second_rating_in_the_same_decision(make):
    product, decision = make.product(), make.decision("2021-12-29")
    make.rate(product, decision, 3)
    with pytest.raises(IntegrityError), transaction.atomic():
        make.rate(product, decision, 4)


@pytest.mark.parametrize("date", ["2021-06-01", "2021-12-30", "2021-01-31"])
def test_the_database_refuses_a_year_only_decision_not_dated_31_12(make, date):
    with pytest.raises(IntegrityError), transaction.atomic():
        make.decision(date, year_only=True)


def test_the_check_of_a_year_only_decision_not_dated_31_12_names_its_date(make):
    """Its clean() moves such a date to 31/12; the constraint's own check, run by Django, still refuses it."""
    decision = RatingDecision(date=D("2021-12-30"), year_only=True, level="province", issuer=make.province,
                              issuing_body="UBND tỉnh Bắc Kạn")
    with pytest.raises(ValidationError) as error:
        decision.validate_constraints()
    assert list(error.value.message_dict) == ["date"]


def test_score_band_error_names_the_band(make):
    with pytest.raises(ValidationError, match="70–89"):
        rating(make, stars=4, score=65).full_clean()


def test_a_province_decision_cannot_rate_five_stars(make):
    with pytest.raises(ValidationError) as error:
        rating(make, stars=5).full_clean()
    assert "stars" in error.value.message_dict


def test_a_decision_by_a_unit_that_did_not_exist_then_is_refused(make):
    decision = RatingDecision(
        date=D("2021-01-01"), level="province", issuer=unit("thai-nguyen"), issuing_body="UBND tỉnh Thái Nguyên"
    )
    with pytest.raises(ValidationError) as error:
        decision.full_clean()
    assert "issuer" in error.value.message_dict


def test_a_commune_outside_the_district_is_refused(make, na_ri):
    outside = unit("bac-kan").children.exclude(pk=na_ri.pk).first().children.first()
    product = make.product()
    product.district, product.commune = na_ri, outside
    with pytest.raises(ValidationError) as error:
        product.full_clean()
    assert "commune" in error.value.message_dict


def test_a_commune_alone_fills_its_district_and_province(make, na_ri):
    product = make.product()
    product.province_id, product.district, product.commune = None, None, na_ri.children.first()
    product.full_clean()
    assert (product.district, product.province) == (na_ri, unit("bac-kan"))


def test_status_follows_the_rating_through_time(make):
    product = make.product()
    first = make.rate(product, "2018-12-31", 3)
    make.rate(product, "2022-06-01", 4)
    statuses = [status_on(first, D(day)) for day in ("2018-06-01", "2019-06-01", "2022-01-01", "2022-06-01")]
    assert statuses == ["not_yet", "in_force", "expired", "superseded"]
