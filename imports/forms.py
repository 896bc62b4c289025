from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.scope import province_ids
from core.bilingual import in_both_text
from provinces.models import AdminUnit
from provinces.text import fold

from .kinds import DEFAULT, KINDS, may_import
from .models import ColumnMapping
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
    mapping = forms.ModelChoiceField(
        label=_("Column mapping"), required=False, queryset=ColumnMapping.objects.none(),
        help_text=_("Your province's names for the columns of its own sheets, saved from an earlier preview."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (kind.name, kind.label) for kind in KINDS.values() if may_import(user, kind.name)
        ]
        self.fields["mapping"].queryset = mappings_of(user)

    def given(self) -> dict[str, str]:
        """The values every row takes, as the sheet would write them."""
        given = {name: self.cleaned_data.get(name) for name in GIVEN if self.cleaned_data.get(name)}
        if "decision_date" in given:
            given["decision_date"] = given["decision_date"].strftime("%d/%m/%Y")
        return given

    def clean(self):
        data = super().clean()
        if data.get("mapping") and data.get("kind") and data["mapping"].kind != data["kind"]:
            self.add_error("mapping", _("This column mapping is for another kind of sheet."))
        return data

    def clean_kind(self):
        kind = self.cleaned_data["kind"] or DEFAULT
        if kind not in dict(self.fields["kind"].choices):
            raise ValidationError(NOT_YOURS)
        return kind


def mappings_of(user):
    """The column mappings of `user`'s provinces."""
    ids = province_ids(user)
    mappings = ColumnMapping.objects.select_related("province")
    return mappings if ids is None else mappings.filter(province__in=ids)


# A header left as it is: not named by the mapping.
UNCHOSEN = "?"


class ColumnsForm(forms.Form):
    """What each column the import did not recognise holds, chosen in the preview; saved, if named,
    as a column mapping of a province. Its fields sit in the import's page, outside this form's tag."""

    save_as = forms.CharField(label=_("Save these choices as the column mapping named"), required=False,
                              max_length=100, widget=forms.TextInput(attrs={"form": "import-columns"}))
    province = forms.ModelChoiceField(label=_("of the province"), required=False, queryset=AdminUnit.objects.none(),
                                      widget=forms.Select(attrs={"form": "import-columns"}))

    def __init__(self, *args, record, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = list(record.unknown_columns)
        kind = KINDS[record.kind]
        saved = {}  # each header as the user's provinces' mappings of this kind name it, the latest first
        for mapping in mappings_of(user).filter(kind=record.kind).order_by("updated_at"):
            saved.update({fold(header): column for header, column in mapping.columns.items()})
        choices = [(UNCHOSEN, "—"), ("", _("Ignore this column")),
                   *((column, label) for column, label in kind.labels.items() if column in kind.columns)]
        for index, header in enumerate(self.headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=saved.get(fold(header), UNCHOSEN),
                widget=forms.Select(attrs={"form": "import-columns"}))
        provinces = AdminUnit.objects.provinces()
        ids = province_ids(user)
        self.fields["province"].queryset = provinces if ids is None else provinces.filter(pk__in=ids)
        if len(record_provinces := list(record.provinces.all())) == 1:
            self.fields["province"].initial = record_provinces[0].pk

    def column_fields(self):
        return [self[f"column_{index}"] for index in range(len(self.headers))]

    def mapping(self) -> dict[str, str]:
        """{header: column or "" (ignored)} for the headers chosen."""
        chosen = {header: self.cleaned_data.get(f"column_{index}") for index, header in enumerate(self.headers)}
        return {header: column for header, column in chosen.items() if column not in (UNCHOSEN, None)}

    def clean(self):
        data = super().clean()
        if data.get("save_as") and not data.get("province"):
            self.add_error("province", _("Choose the province whose mapping this is."))
        chosen = [column for column in self.mapping().values() if column]
        if len(chosen) != len(set(chosen)):
            raise ValidationError(_("Two columns are given the same field: choose one of them."))
        return data


class ColumnMappingForm(forms.ModelForm):
    """A column mapping edited by hand: each header names a column of its kind, or "" to ignore it."""

    class Meta:
        model = ColumnMapping
        fields = ["name", "province", "kind", "columns"]
        help_texts = {"columns": _('{"header as in the sheet": "column", …}; "" ignores the header. '
                                   'Columns: %(columns)s')}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "columns" in self.fields:
            names = sorted({column for kind in KINDS.values() for column in kind.columns})
            self.fields["columns"].help_text = self.fields["columns"].help_text % {"columns": ", ".join(names)}

    def clean(self):
        data = super().clean()
        columns, kind = data.get("columns"), data.get("kind")
        if columns is None or kind not in KINDS:
            return data
        if not isinstance(columns, dict) or not all(isinstance(column, str) for column in columns.values()):
            self.add_error("columns", _('Write {"header": "column", …}.'))
            return data
        wrong = [header for header, column in columns.items() if column and column not in KINDS[kind].columns]
        named = [column for column in columns.values() if column]
        if len(named) != len(set(named)):
            self.add_error("columns", _("Two columns are given the same field: choose one of them."))
        elif wrong:
            self.add_error("columns", _("Not a column of this kind of sheet: %(headers)s.") % {
                "headers": ", ".join(f"{header} → {columns[header]}" for header in wrong)})
        return data
