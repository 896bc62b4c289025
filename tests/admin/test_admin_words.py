"""No English on the admin pages staff use: a crawl, as staff of one province in Vietnamese, of the
index, every list they see (with its filters, counts shown and not), every add form, a change form
of a record of each model, the import upload, History pages and a form sent back with errors,
against the strings of Django's admin as its English catalogue lists them. The English interface
still speaks English."""

import datetime
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import django
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from products.models import ProductGroup
from targets.models import Indicator, Plan, ReportedFigure, Target

pytestmark = pytest.mark.django_db

ADMIN_CATALOGUE = Path(django.__file__).parent / "contrib/admin/locale/en/LC_MESSAGES/django.po"
# Strings of Django's forms and fields that the admin's pages show.
FORMS = ["- Select an option -", "This field is required.", "Enter a valid date.",
         "Select a valid choice. That choice is not one of the available choices."]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
# A word of the catalogue that data shows too: product groups' English names ("Food and drinks").
DATA_WORDS = {"and"}


def english_strings() -> list[str]:
    """Every msgid (and plural) of the admin's catalogue, as Django's English pages show them."""
    text = ADMIN_CATALOGUE.read_text(encoding="utf-8")
    found = []
    for entry in re.findall(r'^msgid(?:_plural)? ((?:"(?:[^"\\]|\\.)*"\s*)+)', text, re.MULTILINE):
        message = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', entry)).replace('\\"', '"').replace("\\n", "\n")
        if re.search(r"[A-Za-z]{2,}", PLACEHOLDER.sub("", message)) and message not in DATA_WORDS:
            found.append(message)
    return found + FORMS


def as_pattern(message: str) -> re.Pattern:
    """A msgid as it shows: its placeholders any text, spaces as any space, whole words."""
    pieces = [piece for piece in PLACEHOLDER.split(message.strip()) if piece.strip()]  # from the first words
    parts = [r"\s+".join(map(re.escape, piece.split())) for piece in pieces]
    return re.compile(r"(?<!\w)" + ".+?".join(parts) + r"(?!\w)")


ENGLISH = [(message, as_pattern(message)) for message in english_strings()]


class VisibleText(HTMLParser):
    """The text a page shows: no tags, attribute values, scripts, styles or templates."""

    HIDDEN = {"script", "style", "template"}

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in self.HIDDEN

    def handle_endtag(self, tag):
        self.hidden -= tag in self.HIDDEN and self.hidden > 0

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(response) -> str:
    parser = VisibleText()
    parser.feed(response.content.decode())
    return " ".join(" ".join(parser.parts).split())


def english_in(response) -> list[str]:
    text = visible_text(response)
    return [message for message, pattern in ENGLISH if pattern.search(text)]


@pytest.fixture
def register(make, bac_kan, na_ri):
    """A record of each model staff of Bắc Kạn see, in Bắc Kạn."""
    product = make.product("Miến dong", district=na_ri)
    rating = make.rate(product, make.decision("2021-12-29", number="2616/QĐ-UBND"), 4, score=75)
    plan = Plan.objects.create(unit=bac_kan, name="Đề án OCOP 2021–2025", kind="programme",
                               starts_on=datetime.date(2021, 1, 1), ends_on=datetime.date(2025, 12, 31))
    indicator = Indicator.objects.get(code="products")
    target = Target.objects.create(plan=plan, indicator=indicator, unit=bac_kan,
                                   deadline=datetime.date(2025, 12, 31), value=200)
    figure = ReportedFigure.objects.create(unit=bac_kan, indicator=indicator, as_of=datetime.date(2023, 7, 31),
                                           value=182, source_name="Báo Bắc Kạn")
    group = ProductGroup.objects.get(scheme="2022", code=1)
    return [product.producer, product, rating.decision, rating, plan, target, figure, bac_kan, group, indicator]


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def staff_urls(client, register) -> list[str]:
    app_list = client.get(reverse("admin:index")).context["app_list"]
    urls = [reverse("admin:index")]
    for app in app_list:
        for model in app["models"]:
            urls += [model["admin_url"], f"{model['admin_url']}?_facets=1"]
            urls += [model["add_url"]] if model["add_url"] else []
    urls += [change_url(obj) for obj in register]
    urls += [change_url(obj.history.latest("history_date")) for obj in register[:4]]  # the change logs' pages
    urls += [reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_history", args=[obj.pk])
             for obj in register[:7]]
    return urls


def test_the_crawl_reaches_the_pages_staff_use(login, staff_a, register):
    urls = staff_urls(login(staff_a), register)
    assert reverse("admin:imports_importrecord_add") in urls and len(urls) > 40


def test_no_english_admin_string_shows_to_staff_in_vietnamese(login, staff_a, register):
    client = login(staff_a)
    found = {}
    for url in staff_urls(client, register):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        if english := english_in(response):
            found[url] = english
    assert found == {}


def test_no_english_admin_string_shows_on_a_form_sent_back_with_errors(login, staff_a):
    response = login(staff_a).post(reverse("admin:products_producer_add"), {
        "name": "", "products-TOTAL_FORMS": 0, "products-INITIAL_FORMS": 0})
    assert response.context["adminform"].form.errors
    assert english_in(response) == []


def test_the_admin_scripts_catalogue_speaks_vietnamese(login, staff_a):
    response = login(staff_a).get(reverse("admin:jsi18n"))
    assert "Th\\u1ee9 hai" in response.content.decode() or "Thứ hai" in response.content.decode()


def test_the_english_interface_still_shows_english(login, staff_a, register):
    response = login(staff_a).get(reverse("admin:products_product_changelist"), HTTP_ACCEPT_LANGUAGE="en")
    assert {"Show counts", "Filter"} <= set(english_in(response))


def test_filters_read_theo_not_the_stock_boi(login, staff_a, register):
    text = visible_text(login(staff_a).get(reverse("admin:products_product_changelist")))
    assert "Theo tỉnh" in text and "Bởi" not in text


def test_adding_reads_them_not_the_stock_them_vao(login, staff_a):
    text = visible_text(login(staff_a).get(reverse("admin:index")))
    assert "Thêm" in text and "Thêm vào" not in text


def test_adding_an_inline_row_reads_them_dong_not_them_mot_with_a_capital(login, staff_a):
    content = login(staff_a).get(reverse("admin:products_producer_add")).content.decode()
    assert "Thêm dòng: " in json.loads(html.unescape(re.search(r'data-inline-formset="([^"]+)"', content).group(1)))[
        "options"]["addText"] and "Thêm một" not in content


def test_no_english_admin_string_shows_on_an_import_preview_with_errors(login, staff_a):
    sheet = "Tỉnh,Chủ thể,Tên sản phẩm,Số sao,Ngày quyết định\nBắc Kạn,HTX X,Sản phẩm Y,7,29/12/2021\n"
    response = login(staff_a).post(reverse("admin:imports_importrecord_upload"),
                                   {"file": SimpleUploadedFile("ds.csv", sheet.encode())}, follow=True)
    assert 'id="import-errors"' in response.content.decode()
    assert english_in(response) == []
