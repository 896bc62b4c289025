import datetime
from decimal import Decimal

import pytest
from django import forms
from django.template.defaultfilters import floatformat
from django.utils import translation

from ocop_dashboard.dashboard import number_formatter


class DateForm(forms.Form):
    day = forms.DateField()


def test_vietnamese_dates_are_read_day_first():
    with translation.override("vi"):
        form = DateForm({"day": "01/02/2021"})
        assert form.is_valid() and form.cleaned_data["day"] == datetime.date(2021, 2, 1)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_page_figures_are_written_as_floatformat_writes_them(language):
    values = [0, 7, 1234, 1234567, -4321, 267.5, 99.96, 12345.25, Decimal("200.00"), Decimal("2.50"), Decimal("-1000")]
    with translation.override(language):
        number = number_formatter()
        assert [number(v) for v in values] == [floatformat(v, "-1g") for v in values]


def test_page_figures_can_keep_two_decimals_as_floatformat_does():
    values = [2, 12.25, Decimal("2.50"), 1234.125]
    with translation.override("vi"):
        assert [number_formatter(places=2)(v) for v in values] == [floatformat(v, "-2g") for v in values]


def test_a_missing_figure_is_a_dash():
    assert number_formatter()(None) == "—"
