"""Every database constraint speaks Vietnamese on the admin form, on the field it concerns: a
duplicate or an out-of-range value is a message to fix, never an IntegrityError or a 500."""

import datetime

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from products.models import ProductGroup, Rating, RatingDecision
from targets.models import Indicator, Plan, ReportedFigure, Target

pytestmark = pytest.mark.django_db


def form_data(response) -> dict:
    """What the admin page's form would post back unchanged (its inlines: none added)."""
    form, data = response.context["adminform"].form, {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, datetime.date):
            value = f"{value:%d/%m/%Y}"
        if value not in (None, False):
            data[name] = "on" if value is True else value
    for inline in response.context["inline_admin_formsets"]:
        data |= {f"{inline.formset.prefix}-TOTAL_FORMS": 0, f"{inline.formset.prefix}-INITIAL_FORMS": 0}
    return data


def field_errors(client, model, obj=None, **changes) -> dict:
    """Post the add form (or `obj`'s change form) with `changes`; the form's errors by field."""
    opts = model._meta
    url = (reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]) if obj else
           reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    response = client.post(url, form_data(client.get(url)) | changes)
    assert response.status_code == 200, "the form was saved"
    return {name: " ".join(messages) for name, messages in response.context["adminform"].form.errors.items()}


@pytest.fixture
def rating(make):
    return make.rate(make.product(), make.decision("2021-12-29", number="2616/QĐ-UBND"), 3)


@pytest.fixture
def plan(bac_kan):
    return Plan.objects.create(unit=bac_kan, name="Đề án OCOP 2021–2025", kind="programme",
                               starts_on=datetime.date(2021, 1, 1), ends_on=datetime.date(2025, 12, 31))


@pytest.fixture
def target(plan, bac_kan):
    return Target.objects.create(plan=plan, indicator=Indicator.objects.get(code="products"), unit=bac_kan,
                                 deadline=datetime.date(2025, 12, 31), value=200)


@pytest.fixture
def figure(bac_kan):
    return ReportedFigure.objects.create(unit=bac_kan, indicator=Indicator.objects.get(code="products"),
                                         as_of=datetime.date(2023, 7, 31), value=182, source_name="Báo Bắc Kạn")


def test_stars_out_of_range_are_refused_on_the_stars_field(admin_client, rating):
    assert field_errors(admin_client, Rating, rating, stars=7)["stars"] == "Số sao phải từ 1 đến 5."


def test_a_score_over_100_is_refused_on_the_score_field(admin_client, rating):
    assert field_errors(admin_client, Rating, rating, score="150")["score"] == "Điểm phải từ 0 đến 100."


def test_a_product_rated_twice_in_one_decision_is_refused_on_the_product(admin_client, rating):
    errors = field_errors(admin_client, Rating, product=rating.product_id, decision=rating.decision_id, stars=3)
    assert errors["product"] == "Sản phẩm này đã có trong quyết định này."


def test_a_decision_number_recorded_twice_is_named_on_the_number(admin_client, rating):
    errors = field_errors(admin_client, RatingDecision, number="2616/QĐ-UBND", date="29/12/2021", level="province",
                          issuer=rating.decision.issuer_id, issuing_body="UBND tỉnh Bắc Kạn")
    assert errors["number"] == "Quyết định số 2616/QĐ-UBND ngày 29/12/2021 đã có."


def test_a_group_code_used_twice_in_a_scheme_is_refused_on_the_code(admin_client):
    errors = field_errors(admin_client, ProductGroup, scheme="2022", code=1, name="Thực phẩm", name_en="Food")
    assert errors["code"] == "Cách phân nhóm này đã có nhóm mang mã này."


def test_an_old_group_without_its_current_group_is_refused_on_maps_to(admin_client):
    errors = field_errors(admin_client, ProductGroup, scheme="2018", code=9, name="Vải", name_en="Textiles")
    assert errors["maps_to"].startswith("Nhóm theo cách phân nhóm năm 2018")


def test_a_plan_name_used_twice_in_a_province_is_refused_on_the_name(admin_client, plan):
    errors = field_errors(admin_client, Plan, unit=plan.unit_id, name=plan.name, kind="plan",
                          starts_on="01/01/2022", ends_on="31/12/2025")
    assert errors["name"] == "Tỉnh này đã có kế hoạch cùng tên."


def test_a_plan_ending_before_it_starts_is_refused_on_its_end(admin_client, plan):
    errors = field_errors(admin_client, Plan, plan, ends_on="31/12/2020")
    assert errors["ends_on"] == "Ngày kết thúc kế hoạch phải sau ngày bắt đầu."


def test_a_target_of_zero_is_refused_on_its_value(admin_client, target):
    assert field_errors(admin_client, Target, target, value="0")["value"] == "Mục tiêu phải lớn hơn 0."


def test_a_target_set_twice_is_refused_on_its_deadline(admin_client, target):
    errors = field_errors(admin_client, Target, plan=target.plan_id, indicator=target.indicator_id,
                          unit=target.unit_id, deadline="31/12/2025", value="150")
    assert errors["deadline"] == "Kế hoạch đã có mục tiêu cho chỉ tiêu, đơn vị và thời hạn này."


def test_a_negative_figure_is_refused_on_its_value(admin_client, figure):
    assert field_errors(admin_client, ReportedFigure, figure, value="-1")["value"] == "Số liệu không được âm."


def test_a_figure_reported_twice_is_refused_on_its_date(admin_client, figure):
    errors = field_errors(admin_client, ReportedFigure, unit=figure.unit_id, indicator=figure.indicator_id,
                          as_of="31/07/2023", value="180", source_name=figure.source_name)
    assert errors["as_of"] == "Số liệu của nguồn này cho đơn vị, chỉ tiêu và ngày này đã có."


OURS = [(model, constraint) for app in ("products", "targets") for model in apps.get_app_config(app).get_models()
        for constraint in model._meta.constraints]


@pytest.mark.parametrize("model, constraint", OURS, ids=[constraint.name for _model, constraint in OURS])
def test_every_constraint_has_a_vietnamese_message_on_a_field(model, constraint):
    with translation.override("en"):
        english = constraint.get_violation_error_message()
    with translation.override("vi"):
        vietnamese = constraint.get_violation_error_message()
    assert vietnamese != english
    assert model().constraint_field(constraint.violation_error_code) is not None
