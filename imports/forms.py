from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.bilingual import in_both_text

from .kinds import DEFAULT, KINDS, may_import
from .titles import GIVEN, LEVEL_CHOICES

NOT_YOURS = _("You may not import this kind of sheet.")


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("The sheet lists"), choices=(), initial=DEFAULT, required=False,
                             error_messages={"invalid_choice": NOT_YOURS})
    # Django's own words for an empty file, in both languages as every refusal of a sheet.
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv)"), error_messages={
        "empty": lazy(lambda: in_both_text(lambda: gettext("The submitted file is empty.")), str)()})
    skip_invalid = forms.BooleanField(
        label=_("Import only the valid rows"), required=False,
        help_text=_("By default nothing is written while any row has an error."),
    )
    sheet = forms.CharField(
        label=_("Sheet"), required=False, max_length=100,
        help_text=_("Of a workbook with several sheets: its name or number. Blank: the first that holds a table."),
    )
    # What a list does not say for itself: the decision it is attached to, read from its title
    # when it has one; given here, these win over the title and the sheet's own columns.
    decision_number = forms.CharField(label=_("Decision number"), required=False, max_length=60)
    decision_date = forms.DateField(label=_("Decision date"), required=False,
                                    widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}))
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", "—"), *LEVEL_CHOICES])
    issuer = forms.CharField(label=_("Issued by"), required=False, max_length=200,
                             help_text=_("E.g. “UBND tỉnh Bắc Kạn”: gives the level and the province."))
    province = forms.CharField(label=_("Province"), required=False, max_length=100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (kind.name, kind.label) for kind in KINDS.values() if may_import(user, kind.name)
        ]

    def given(self) -> dict[str, str]:
        """The values every row takes, as the sheet would write them."""
        given = {name: self.cleaned_data.get(name) for name in GIVEN if self.cleaned_data.get(name)}
        if "decision_date" in given:
            given["decision_date"] = given["decision_date"].strftime("%d/%m/%Y")
        return given

    def clean_kind(self):
        kind = self.cleaned_data["kind"] or DEFAULT
        if kind not in dict(self.fields["kind"].choices):
            raise ValidationError(NOT_YOURS)
        return kind
