"""Upgrading a product from its page, its rating history with each rating's status, and "stars today"
reading an expired certificate as the rating history does."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from products.models import Product, Rating

FOREVER = datetime.date(2099, 12, 31)  # a certificate in force whatever day the tests run


def recently(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def three_stars(make):
    """A 3★ product of Bắc Kạn, its certificate in force."""
    product = make.product("Miến dong")
    make.rate(product, make.decision(recently(400), number="1/QĐ"), 3, expires=FOREVER)
    return product


def product_page(client, product):
    return client.get(reverse("admin:products_product_change", args=[product.pk]))


def upgrade_url(product) -> str:
    return f"{reverse('admin:products_rating_add')}?product={product.pk}"


def upgrade(client, product, decision, stars=4, score=75):
    return client.post(upgrade_url(product), {
        "product": product.pk, "decision": decision.pk, "stars": stars, "score": score,
        "certificate_number": "", "expires": "", "revoked_on": "", "revocation_note": "", "note": "",
    })


def test_the_product_page_offers_the_upgrade(login, staff_a, three_stars):
    response = product_page(login(staff_a), three_stars)
    assert response.context["upgrade_url"] == upgrade_url(three_stars)
    assert "Nâng hạng / công nhận lại" in response.content.decode()


def test_leadership_is_not_offered_the_upgrade(login, leader, three_stars):
    assert "upgrade_url" not in product_page(login(leader), three_stars).context


def test_the_upgrade_opens_a_rating_of_the_product(login, staff_a, three_stars):
    response = login(staff_a).get(upgrade_url(three_stars))
    assert response.context["adminform"].form.initial["product"] == str(three_stars.pk)


def test_upgrading_goes_back_to_the_product_page(login, staff_a, make, three_stars):
    response = upgrade(login(staff_a), three_stars, make.decision(recently(10), number="2/QĐ"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:products_product_change", args=[three_stars.pk])


def test_an_upgraded_product_shows_four_stars(login, staff_a, make, three_stars):
    client = login(staff_a)
    upgrade(client, three_stars, make.decision(recently(10), number="2/QĐ"))
    response = product_page(client, three_stars)
    assert response.context["original"].stars_on == 4
    assert '<div class="readonly">4★</div>' in response.content.decode()


def test_the_upgrade_counts_as_an_upgrade(login, staff_a, make, three_stars):
    upgrade(login(staff_a), three_stars, make.decision(recently(10), number="2/QĐ"))
    flows = Product.objects.filter(pk=three_stars.pk).flow_series({"month": (recently(30), recently(0))})
    assert flows["month"]["upgrades_to_4"] == 1


def test_a_stars_band_the_score_does_not_match_is_refused(login, staff_a, make, three_stars):
    response = upgrade(login(staff_a), three_stars, make.decision(recently(10), number="2/QĐ"), score=60)
    assert "score" in response.context["adminform"].form.errors
    assert three_stars.ratings.count() == 1


def history_statuses(client, product) -> list[tuple]:
    [inline] = product_page(client, product).context["inline_admin_formsets"]
    return [(rating.stars, rating.status) for rating in inline.formset.queryset]


def test_the_rating_history_shows_each_ratings_status_latest_first(login, staff_a, make, three_stars):
    make.rate(three_stars, make.decision(recently(10), number="2/QĐ"), 4, expires=FOREVER)
    revoked = make.product("Măng khô")
    make.rate(revoked, make.decision(recently(500), number="3/QĐ"), 3, revoked_on=recently(100))
    expired = make.product("Trà")
    make.rate(expired, make.decision(datetime.date(2019, 12, 29), number="4/QĐ"), 3)
    client = login(staff_a)
    assert history_statuses(client, three_stars) == [(4, "in_force"), (3, "superseded")]
    assert history_statuses(client, revoked) == [(3, "revoked")]
    assert history_statuses(client, expired) == [(3, "expired")]


def test_the_rating_history_puts_the_later_of_two_same_day_ratings_first(login, staff_a, make, three_stars):
    day = recently(10)
    make.rate(three_stars, make.decision(day, number="2/QĐ"), 3, expires=FOREVER)
    make.rate(three_stars, make.decision(day, number="3/QĐ"), 4, expires=FOREVER)
    assert history_statuses(login(staff_a), three_stars)[:2] == [(4, "in_force"), (3, "superseded")]


def test_the_rating_history_names_the_level_and_its_status_in_words(login, staff_a, three_stars):
    content = product_page(login(staff_a), three_stars).content.decode()
    assert "Các lần đánh giá, phân hạng" in content
    assert "Còn hiệu lực" in content


@pytest.fixture
def expired_four_stars(make):
    """A 4★ product whose certificate lapsed 30 days ago, and a 4★ one in force."""
    lapsed = make.product("Miến dong")
    make.rate(lapsed, make.decision(datetime.date(2020, 12, 29), number="1/QĐ"), 4, expires=recently(30))
    make.rate(make.product("Măng khô"), make.decision(recently(60), number="2/QĐ"), 4, expires=FOREVER)
    return lapsed


def listed(client, **params) -> list[str]:
    response = client.get(reverse("admin:products_product_changelist"), params)
    return [product.name for product in response.context["cl"].result_list]


def test_the_stars_filter_counts_only_certificates_in_force(admin_client, expired_four_stars):
    assert listed(admin_client, stars=4) == ["Măng khô"]


def test_the_stars_filter_lists_expired_certificates_apart(admin_client, expired_four_stars):
    assert listed(admin_client, stars="expired") == ["Miến dong"]


def test_the_list_and_the_page_say_the_same_of_an_expired_certificate(admin_client, expired_four_stars):
    label = f"4★ (giấy chứng nhận hết hạn ngày {recently(30):%d/%m/%Y})"
    page = product_page(admin_client, expired_four_stars)
    listing = admin_client.get(reverse("admin:products_product_changelist"), {"stars": "expired"})
    assert label in page.content.decode() and label in listing.content.decode()
    assert [r.status for r in page.context["inline_admin_formsets"][0].formset.queryset] == ["expired"]


@pytest.mark.parametrize(("offset", "in_force"), [(0, True), (1, False)])
def test_stars_today_and_the_rating_status_agree_on_the_day_a_certificate_lapses(make, offset, in_force):
    product = make.product()
    make.rate(product, make.decision(datetime.date(2021, 1, 4)), 4, expires=datetime.date(2024, 1, 4))
    day = datetime.date(2024, 1, 4) + datetime.timedelta(days=offset)
    assert Product.objects.with_stars_on(day, in_force=True).filter(pk=product.pk).exists() == in_force
    assert (Rating.objects.with_status(day).get().status == Rating.Status.IN_FORCE) == in_force


def test_a_product_whose_latest_rating_was_revoked_says_so_on_its_page(login, staff_a, make, three_stars):
    upgraded = make.rate(three_stars, make.decision(recently(10), number="2/QĐ"), 4, expires=FOREVER)
    Rating.objects.filter(pk=upgraded.pk).update(revoked_on=recently(1))
    response = product_page(login(staff_a), three_stars)
    assert response.context["original"].stars_on is None
    assert "không còn: lần công nhận gần nhất đã bị thu hồi" in response.content.decode()


def test_a_product_never_rated_shows_no_stars_today(login, staff_a, make):
    response = product_page(login(staff_a), make.product("Chưa đánh giá"))
    assert "lần công nhận gần nhất đã bị thu hồi" not in response.content.decode()
