from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AsOfForm(forms.Form):
    as_of = forms.DateField(
        label=_("As of"), required=False, input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        # Text, not type=date: browsers show a date input in the OS locale (often mm/dd/yyyy).
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "size": 10}, format="%d/%m/%Y"),
    )

    def day(self):
        """The date asked for, today (in Vietnam) when none was given."""
        return self.cleaned_data.get("as_of") or timezone.localdate()
