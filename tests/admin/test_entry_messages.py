"""The messages a staff member meets entering a decision and its ratings are the programme's words:
one clear message per mistake, never a column's limit, a field's code name or a sentence that does
not apply."""

from django.utils import translation

from products.models import Rating, RatingDecision
from tests.admin.test_constraint_messages import field_errors
from tests.admin.test_entry import add_decision, decision_form
from tests.conftest import unit


def test_a_product_twice_in_one_batch_is_named_in_vietnamese(admin_client, make, bac_kan):
    product = make.product()
    response = add_decision(admin_client, decision_form(bac_kan, ratings=[(product, 3), (product, 4)]))
    assert response.context["inline_admin_formsets"][0].formset.non_form_errors() == [
        "Một sản phẩm được nhập hai lần trong quyết định này: hãy xoá bớt một dòng."]
    assert not RatingDecision.objects.exists()


def test_stars_far_out_of_range_read_as_the_stars_rule(admin_client, make):
    rating = make.rate(make.product(), make.decision("2021-12-29"), 3)
    errors = field_errors(admin_client, Rating, rating, stars="99999999999999999999")
    assert errors["stars"] == "Số sao phải từ 1 đến 5."


def test_a_score_with_too_many_digits_reads_as_the_score_rule(admin_client, make):
    rating = make.rate(make.product(), make.decision("2021-12-29"), 3)
    assert field_errors(admin_client, Rating, rating, score="1e9")["score"] == "Điểm phải từ 0 đến 100."


def test_a_score_out_of_range_in_the_batch_reads_as_the_score_rule(admin_client, make, bac_kan):
    data = decision_form(bac_kan, ratings=[(make.product(), 3)]) | {"ratings-0-score": "-1"}
    response = add_decision(admin_client, data)
    assert response.context["inline_admin_formsets"][0].formset.errors[0]["score"] == ["Điểm phải từ 0 đến 100."]


def test_an_issuer_of_another_province_is_one_clear_message(client, staff_a):
    client.force_login(staff_a)
    response = add_decision(client, decision_form(unit("thai-nguyen")))
    assert response.context["adminform"].form.errors["issuer"] == ["Đơn vị ban hành này không thuộc tỉnh của bạn."]


def test_django_s_range_messages_end_without_a_stray_space():
    with translation.override("vi"):
        messages = [translation.gettext("Ensure this value is less than or equal to %(limit_value)s."),
                    translation.gettext("Ensure this value is greater than or equal to %(limit_value)s."),
                    translation.gettext("Please correct the duplicate data for %(field)s.")]
    assert [message for message in messages if message.endswith(" .")] == []
