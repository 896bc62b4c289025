"""A producer's phone, address and tax code reach staff and administrators, who record producers,
and never leadership: not on its page, in a search, a download, its History or the change log."""

import pytest
from django.urls import reverse

from tests.admin.test_exports import download

pytestmark = pytest.mark.django_db

PHONE, NEW_PHONE, TAX_CODE = "0912 345 678", "0987 654 321", "4700123456"


@pytest.fixture
def producer(make, staff_a):
    producer = make.producer(phone=PHONE, tax_code=TAX_CODE, address="Thôn Nà Làng")
    producer.phone, producer._history_user = NEW_PHONE, staff_a
    producer.save()
    return producer


def page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_staff_see_the_producers_phone_on_its_page(client, staff_a, producer):
    assert NEW_PHONE in page(client, staff_a, reverse("admin:products_producer_change", args=[producer.pk]))


def test_leadership_read_the_producers_page_without_phone_address_or_tax_code(client, leader, producer):
    text = page(client, leader, reverse("admin:products_producer_change", args=[producer.pk]))
    assert (producer.name in text, [v for v in (NEW_PHONE, TAX_CODE, "Thôn Nà Làng") if v in text]) == (True, [])


def test_leadership_cannot_find_a_producer_by_its_tax_code(client, leader, producer):
    client.force_login(leader)
    assert client.get(reverse("admin:products_producer_changelist"), {"q": TAX_CODE}).context["cl"].result_count == 0


def test_the_leaderships_producer_download_leaves_the_personal_columns_blank(client, leader, producer):
    client.force_login(leader)
    assert download(client, "products/producer", "export_csv", [producer.pk])[1][5:8] == ["", "", ""]


def test_staffs_producer_download_has_them(client, staff_a, producer):
    client.force_login(staff_a)
    rows = download(client, "products/producer", "export_csv", [producer.pk])
    assert rows[1][5:8] == [TAX_CODE, NEW_PHONE, "Thôn Nà Làng"]


def test_the_history_page_shows_staff_the_phone_change(client, staff_a, producer):
    assert PHONE in page(client, staff_a, reverse("admin:products_producer_history", args=[producer.pk]))


def test_the_history_page_shows_leadership_who_changed_but_not_the_phone(client, leader, staff_a, producer):
    text = page(client, leader, reverse("admin:products_producer_history", args=[producer.pk]))
    assert (staff_a.username in text, PHONE in text or NEW_PHONE in text) == (True, False)


def test_a_version_in_the_change_log_shows_leadership_no_phone(client, leader, producer):
    version = producer.history.latest()
    text = page(client, leader, reverse("admin:products_historicalproducer_change", args=[version.pk]))
    assert (producer.name in text, NEW_PHONE in text) == (True, False)


def test_a_past_version_shows_leadership_no_phone(client, leader, producer):
    version = producer.history.earliest()
    text = page(client, leader, reverse("admin:products_producer_simple_history", args=[producer.pk, version.pk]))
    assert (producer.name in text, PHONE in text) == (True, False)


def answer(client, user, url, query) -> tuple[int, bytes]:
    client.force_login(user)
    response = client.get(url, query)
    return response.status_code, response.content


PERSONAL_LOOKUPS = [("phone", NEW_PHONE, "0000"), ("tax_code", TAX_CODE, "1"), ("address__icontains", "Nà Làng", "zzz")]


@pytest.mark.parametrize("lookup, real, wrong", PERSONAL_LOOKUPS)
@pytest.mark.parametrize("url", ["admin:products_producer_changelist", "admin:products_historicalproducer_changelist"])
def test_leadership_cannot_confirm_personal_data_by_filtering_on_it(client, leader, producer, url, lookup, real, wrong):
    right, other = (answer(client, leader, reverse(url), {lookup: value}) for value in (real, wrong))
    assert right == other and right[0] == 400


def test_leadership_cannot_filter_products_through_their_producers_phone(client, leader, producer):
    status, _content = answer(client, leader, reverse("admin:products_product_changelist"),
                              {"producer__phone": NEW_PHONE})
    assert status == 400


def test_staff_may_filter_producers_by_phone(client, staff_a, producer):
    client.force_login(staff_a)
    page = client.get(reverse("admin:products_producer_changelist"), {"phone": NEW_PHONE})
    assert page.context["cl"].result_count == 1
