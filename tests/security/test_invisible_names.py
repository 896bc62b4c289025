"""Names refuse invisible and direction-control characters: two names that look the same are the same
name, whether typed in a form, imported or already stored (migration 0013)."""

import importlib
import sys
import unicodedata

import pytest
from django.apps import apps

from bench import abuse
from imports.services import importer
from products.forms import ProducerForm
from products.models import Producer, Product
from provinces.text import clean_text, fold

pytestmark = pytest.mark.django_db
# Every format character (Unicode category Cf), and the other invisible ones INVISIBLE_RE names.
INVISIBLE = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"] + [
    "\u034f", "\u115f", "\u1160", "\u17b4", "\u17b5", "\u180b", "\u3164", "\ufe0f", "\uffa0", "\U000e0100"]
migration = importlib.import_module("products.migrations.0014_gate_bounded_imports_clean_names")


def test_every_invisible_character_is_taken_out_of_text():
    assert [hex(ord(c)) for c in INVISIBLE if clean_text(f"a{c}b") != "ab"] == []


def test_a_name_with_a_right_to_left_override_folds_as_the_plain_name():
    assert fold("Miến\u202e dong\u200b") == fold("Miến dong")


def test_a_producer_is_stored_without_invisible_characters(make):
    assert make.producer(name="HTX\u200d Tài\u2066 Hoan\ufeff").name == "HTX Tài Hoan"


def test_a_producer_form_refuses_a_name_that_differs_from_another_only_by_invisible_characters(make, bac_kan):
    make.producer(name="HTX Tài Hoan")
    form = ProducerForm(data={"name": "HTX\u200b Tài Hoan", "type": Producer.Type.COOPERATIVE, "province": bac_kan.pk})
    assert not form.is_valid() and "name" in form.errors


def test_a_producer_form_refuses_a_name_of_invisible_characters_only(bac_kan):
    form = ProducerForm(data={"name": "\u200b\u202e", "type": Producer.Type.COOPERATIVE, "province": bac_kan.pk})
    assert not form.is_valid() and "name" in form.errors


def test_an_import_takes_a_name_with_invisible_characters_for_the_plain_one(bac_kan):
    rows = [abuse.VALID_ROWS[0], [*abuse.VALID_ROWS[0][:3], "Hợp tác xã\u200b Tài\u202e Hoan",
                                  *abuse.VALID_ROWS[0][4:9], "1/QĐ", *abuse.VALID_ROWS[0][10:]]]
    importer("products")(content=abuse.csv_text(rows).encode(), filename="a.csv")
    assert list(Producer.objects.values_list("name", flat=True)) == ["Hợp tác xã Tài Hoan"]


def test_the_migration_cleans_stored_names(make):
    product = make.product("Miến dong")
    Product.objects.filter(pk=product.pk).update(name="Miến\u200b dong\u202e", search_name="mien\u200b dong\u202e")
    migration.clean_names(apps, None)
    assert Product.objects.values_list("name", "search_name").get(pk=product.pk) == ("Miến dong", "mien dong")


def test_the_migration_keeps_both_of_two_names_that_become_one_and_marks_the_second(make, capsys):
    first, second = make.producer(name="HTX Tài Hoan"), make.producer(name="HTX Tài Hoan 2")
    Producer.objects.filter(pk=second.pk).update(name="HTX Tài\u200b Hoan", search_name="htx tai\u200b hoan")
    migration.clean_names(apps, None)
    assert (list(Producer.objects.order_by("pk").values_list("name", flat=True))
            == ["HTX Tài Hoan", f"HTX Tài Hoan (#{second.pk})"])
    assert str(second.pk) in capsys.readouterr().out and first.pk != second.pk


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_text_typed_decomposed_in_a_form_is_stored_composed(bac_kan):
    form = ProducerForm(data={"name": nfd("Hợp tác xã Tài Hoan"), "type": Producer.Type.COOPERATIVE,
                              "province": bac_kan.pk, "address": nfd("Thôn Nà Làng, xã Côn Minh")})
    producer = form.save()
    assert (Producer.objects.values_list("name", "address").get(pk=producer.pk)
            == ("Hợp tác xã Tài Hoan", "Thôn Nà Làng, xã Côn Minh"))


def test_text_of_any_app_is_stored_composed(django_user_model):
    user = django_user_model.objects.create(username="hau", first_name=nfd("Nguyễn Thị Hậu"))
    assert django_user_model.objects.get(pk=user.pk).first_name == "Nguyễn Thị Hậu"


@pytest.mark.parametrize("blank", ["\u2800", "\u115f", "\u1160", "\u3164", "\uffa0"])
def test_a_blank_filler_is_taken_out_of_a_name(blank):
    assert clean_text(f"HTX Lookalike{blank}") == "HTX Lookalike"
