import datetime

from django import forms
from django.utils import translation


class DateForm(forms.Form):
    day = forms.DateField()


def test_vietnamese_dates_are_read_day_first():
    with translation.override("vi"):
        form = DateForm({"day": "01/02/2021"})
        assert form.is_valid() and form.cleaned_data["day"] == datetime.date(2021, 2, 1)
