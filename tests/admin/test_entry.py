"""Data entry: a decision with its batch of ratings, a producer with its products, and errors that say what to fix."""

import datetime

from django.urls import reverse

from products.models import Producer, Product, Rating, RatingDecision
from tests.conftest import unit


def decision_form(issuer, date="29/12/2021", level="province", ratings=()) -> dict:
    data = {
        "number": "2616/QĐ-UBND", "date": date, "level": level, "issuer": issuer.pk,
        "issuing_body": f"UBND {issuer.name}", "source_url": "", "note": "",
        "ratings-TOTAL_FORMS": len(ratings), "ratings-INITIAL_FORMS": 0,
    }
    for i, (product, stars) in enumerate(ratings):
        data |= {f"ratings-{i}-product": product.pk, f"ratings-{i}-stars": stars}
    return data


def add_decision(client, data):
    return client.post(reverse("admin:products_ratingdecision_add"), data)


def test_a_decision_is_saved_with_its_ratings(admin_client, make, bac_kan):
    add_decision(admin_client,
                 decision_form(bac_kan, ratings=[(make.product("Miến dong"), 3), (make.product("Măng khô"), 4)]))
    decision = RatingDecision.objects.get()
    assert decision.date == datetime.date(2021, 12, 29)
    assert decision.ratings.count() == 2


def test_certificate_expiry_defaults_to_36_months(admin_client, make, bac_kan):
    add_decision(admin_client, decision_form(bac_kan, ratings=[(make.product(), 3)]))
    assert Rating.objects.get().expires == datetime.date(2024, 12, 29)


def test_five_stars_in_a_new_province_decision_is_refused_on_the_stars_field(admin_client, make, bac_kan):
    response = add_decision(admin_client, decision_form(bac_kan, ratings=[(make.product(), 5)]))
    [message] = response.context["inline_admin_formsets"][0].formset.errors[0]["stars"]
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RatingDecision.objects.exists()


def test_lowering_a_decision_level_rechecks_its_ratings(admin_client, make, bac_kan, na_ri):
    decision = make.decision("2023-12-29")
    rating = make.rate(make.product(), decision, 4)
    data = decision_form(na_ri, date="29/12/2023", level="district") | {
        "ratings-TOTAL_FORMS": 1, "ratings-INITIAL_FORMS": 1, "ratings-0-id": rating.pk,
        "ratings-0-decision": decision.pk, "ratings-0-product": rating.product_id, "ratings-0-stars": 4,
    }
    response = admin_client.post(reverse("admin:products_ratingdecision_change", args=[decision.pk]), data)
    assert "stars" in response.context["inline_admin_formsets"][0].formset.errors[0]
    assert RatingDecision.objects.get().level == "province"


def test_an_issuer_that_did_not_exist_on_the_date_is_refused(admin_client):
    response = add_decision(admin_client, decision_form(unit("thai-nguyen"), date="01/01/2021"))
    assert "issuer" in response.context["adminform"].form.errors
    assert not RatingDecision.objects.exists()


def test_a_score_outside_the_band_is_reported_once(admin_client, make, bac_kan):
    data = decision_form(bac_kan, ratings=[(make.product(), 4)]) | {"ratings-0-score": "65"}
    response = add_decision(admin_client, data)
    assert len(response.context["inline_admin_formsets"][0].formset.errors[0]["score"]) == 1


def producer_form(province, products=()) -> dict:
    data = {
        "name": "HTX Tài Hoan", "type": Producer.Type.COOPERATIVE, "province": province.pk,
        "products-TOTAL_FORMS": len(products), "products-INITIAL_FORMS": 0,
    }
    for i, (name, group) in enumerate(products):
        data |= {f"products-{i}-name": name, f"products-{i}-group": group.pk}
    return data


def test_products_entered_with_their_producer_sit_where_it_does(admin_client, bac_kan, food):
    admin_client.post(reverse("admin:products_producer_add"), producer_form(bac_kan, [("Miến dong", food)]))
    assert Product.objects.get().province == bac_kan


def test_a_duplicate_producer_name_is_a_message_not_a_crash(admin_client, make, bac_kan):
    make.producer("HTX Tài Hoan")
    response = admin_client.post(reverse("admin:products_producer_add"),
                                 producer_form(bac_kan) | {"name": "htx tai hoan"})
    assert "name" in response.context["adminform"].form.errors


def test_a_district_outside_the_province_is_refused_on_its_field(admin_client, bac_kan):
    data = producer_form(bac_kan) | {"district": unit("thai-nguyen-cu").children.first().pk}
    response = admin_client.post(reverse("admin:products_producer_add"), data)
    assert "district" in response.context["adminform"].form.errors


def test_a_commune_outside_the_district_is_refused_on_its_field(admin_client, bac_kan, na_ri):
    elsewhere = bac_kan.children.exclude(pk=na_ri.pk).first().children.first()
    data = producer_form(bac_kan) | {"district": na_ri.pk, "commune": elsewhere.pk}
    response = admin_client.post(reverse("admin:products_producer_add"), data)
    assert "commune" in response.context["adminform"].form.errors
