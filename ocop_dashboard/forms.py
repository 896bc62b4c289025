import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

FIRST_DAY = datetime.date(2000, 1, 1)
YEARS_AHEAD = 10


def as_of_bounds(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last days the dashboards answer for: 1/1/2000 to 31/12 ten years after `today`.

    Counting work grows with the date asked for (one column per year end), so no other is computed.
    """
    return FIRST_DAY, datetime.date(today.year + YEARS_AHEAD, 12, 31)


class DayField(forms.DateField):
    """A date field that shows the date it read as dd/mm/yyyy, whichever way it was written
    (?as_of=2023-07-31 from a link shows 31/07/2023); what it cannot read, as it was written."""

    def bound_data(self, data, initial):
        try:
            return self.to_python(data) or data
        except ValidationError:
            return data


class AsOfForm(forms.Form):
    as_of = DayField(
        label=_("As of"), required=False, input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        # Text, not type=date: browsers show a date input in the OS locale (often mm/dd/yyyy).
        widget=forms.DateInput(
            attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "size": 10}, format="%d/%m/%Y"
        ),
    )

    def clean_as_of(self):
        day = self.cleaned_data["as_of"]
        first, last = as_of_bounds(timezone.localdate())
        if day is not None and not first <= day <= last:
            raise ValidationError(_("Choose a date from %(first)s to %(last)s."), code="out_of_range",
                                  params={"first": f"{first:%d/%m/%Y}", "last": f"{last:%d/%m/%Y}"})
        return day

    def day(self):
        """The date asked for, today (in Vietnam) when none was given."""
        return self.cleaned_data.get("as_of") or timezone.localdate()

    def refusal(self) -> str:
        """Why the date was refused, in words."""
        return " ".join(self.errors.get("as_of", []))
