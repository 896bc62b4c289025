from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from provinces.models import AdminUnit
from provinces.text import clean_name, fold

from .models import Producer, Product, Rating

LOCATION_FIELDS = ("province", "district", "commune")


STARS_RANGE = _("Stars must be from 1 to 5.")  # as the constraints rating_stars_range and
SCORE_RANGE = _("The score must be from 0 to 100.")  # rating_score_range word it


class RatingForm(forms.ModelForm):
    """Stars and score bounded on the form, with the constraints' words: a number far out of range
    is one message to fix, not the database column's limit or its count of digits."""

    stars = forms.IntegerField(
        label=Rating._meta.get_field("stars").verbose_name, min_value=1, max_value=5,
        error_messages={"min_value": STARS_RANGE, "max_value": STARS_RANGE},
    )
    # Two decimals, as the column; its count of whole digits is what max_value bounds.
    score = forms.DecimalField(
        label=Rating._meta.get_field("score").verbose_name, required=False, min_value=0, max_value=100,
        decimal_places=2, error_messages={"min_value": SCORE_RANGE, "max_value": SCORE_RANGE},
    )


class RatingInlineForm(RatingForm):
    class Meta:
        model = Rating
        fields = ["product", "stars", "score", "certificate_number", "expires", "revoked_on"]


class RatingDecisionForm(forms.ModelForm):
    """An issuer the form refused (not in the user's provinces) is that one message: the model's
    "a province or district decision needs its issuing unit", which sees no issuer, is left out."""

    def clean(self):
        cleaned = super().clean()
        date = cleaned.get("date")
        if cleaned.get("year_only") and date and (date.month, date.day) != (12, 31):
            self.typed_date_replaced = date  # the model dates it 31/12; the admin says so on save
        return cleaned

    def add_error(self, field, error):
        if field is None and "issuer" in self._errors and hasattr(error, "error_dict"):
            error = ValidationError({name: e for name, e in error.error_dict.items() if name != "issuer"})
            if not error.error_dict:
                return
        super().add_error(field, error)


class UniqueFoldedNameMixin:
    """Names are unique by their folded key (search_name), which is no form field, so Django's
    unique checks skip the constraint; check it here so a duplicate is a message, not a 500."""

    unique_within: str
    duplicate_message: str

    def clean_name(self):
        # Stored as the model stores it (Producer.fill_derived_fields), so the check below sees that name.
        name = clean_name(self.cleaned_data.get("name"))
        if not name:
            raise ValidationError(self.fields["name"].error_messages["required"], code="required")
        return name

    def validate_unique(self):
        super().validate_unique()
        name = self.cleaned_data.get("name")
        scope = getattr(self.instance, f"{self.unique_within}_id")
        if not name or scope is None:
            return
        others = type(self.instance).objects.exclude(pk=self.instance.pk)
        if others.filter(search_name=fold(name), **{self.unique_within: scope}).exists():
            self.add_error("name", self.duplicate_message % {"name": name})


class LocatedFormMixin:
    """The province may be left empty when a commune or district is chosen: it follows from them
    (Located.fill_location). A province chosen that the commune or district is not in is refused
    (Located.clean), not silently replaced: the two choices contradict each other."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "province" in self.fields:
            self.fields["province"].required = False
            self.fields["province"].help_text = _("Left empty: the province of the commune or district.")

    def clean(self):
        cleaned = super().clean()
        if "province" not in self.fields or "province" in self.errors:
            return cleaned
        province = cleaned.get("province")
        if not any(cleaned.get(field) for field in LOCATION_FIELDS):
            self.add_error("province", ValidationError(self.fields["province"].error_messages["required"],
                                                       code="required"))
        for field in ("commune", "district"):
            unit = cleaned.get(field)
            if province is not None and unit is not None and province_of(unit) != province:
                self.add_error(field, _("%(unit)s lies in %(province)s: choose that province, or leave the "
                                        "province empty.") % {"unit": unit, "province": province_of(unit)})
                break
        return cleaned


def province_of(unit: AdminUnit) -> AdminUnit:
    while unit.parent_id is not None and unit.level != AdminUnit.Level.PROVINCE:
        unit = unit.parent
    return unit


class ProducerForm(LocatedFormMixin, UniqueFoldedNameMixin, forms.ModelForm):
    unique_within = "province"
    duplicate_message = _("A producer named %(name)s is already registered in this province.")

    class Meta:
        model = Producer
        fields = ["province", "district", "commune", "name", "type", "tax_code", "phone", "address", "is_demo"]


class ProductForm(LocatedFormMixin, UniqueFoldedNameMixin, forms.ModelForm):
    unique_within = "producer"
    duplicate_message = _("This producer already has a product named %(name)s.")

    class Meta:
        model = Product
        fields = [
            "province", "district", "commune", "name", "producer", "group", "traceable", "ecommerce_channels",
            "source_url", "note", "is_demo",
        ]


class ProductInlineForm(ProductForm):
    """A product entered with its producer sits where the producer does."""

    class Meta:
        model = Product
        fields = ["name", "group", "traceable", "ecommerce_channels"]

    def clean(self):
        cleaned = super().clean()
        producer = cleaned.get("producer")
        if producer is not None and self.instance.province_id is None:
            for field in LOCATION_FIELDS:
                setattr(self.instance, f"{field}_id", getattr(producer, f"{field}_id"))
        return cleaned
