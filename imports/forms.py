from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.bilingual import in_both_text

from .kinds import DEFAULT, KINDS, may_import

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

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (kind.name, kind.label) for kind in KINDS.values() if may_import(user, kind.name)
        ]

    def clean_kind(self):
        kind = self.cleaned_data["kind"] or DEFAULT
        if kind not in dict(self.fields["kind"].choices):
            raise ValidationError(NOT_YOURS)
        return kind
