import copy

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from provinces.text import fold

from .models import Producer, Product, Rating

LOCATION_FIELDS = ("province", "district", "commune")


class NewParentCheckMixin:
    """Inline forms whose model checks its parent in clean() only once the parent has an id.

    Rating.clean() compares stars with the decision's level only `if self.decision_id`; on an add
    page the decision has no id yet, so a 5★ rating in a province decision would pass unseen.
    Run the same clean() on a copy whose parent is a stand-in with an id, so the rules stay in
    the model and their messages land on the inline's fields.
    """

    parent_field: str

    def parent_is_complete(self, parent) -> bool:
        """Whether the parent's own form gave it what the child's clean() reads."""
        raise NotImplementedError

    def _post_clean(self):
        super()._post_clean()
        parent = self.cleaned_data.get(self.parent_field)
        if parent is None or parent.pk is not None or not self.parent_is_complete(parent):
            return
        stand_in = copy.copy(parent)
        stand_in.pk = -1
        probe = copy.copy(self.instance)
        setattr(probe, self.parent_field, stand_in)
        try:
            probe.clean()
        except ValidationError as error:
            # Errors not about the parent were already reported by the first clean().
            new = {field: messages for field, messages in error.error_dict.items() if field not in self.errors}
            if new:
                self._update_errors(ValidationError(new))


class RatingInlineForm(NewParentCheckMixin, forms.ModelForm):
    parent_field = "decision"

    class Meta:
        model = Rating
        fields = ["product", "stars", "score", "certificate_number", "expires", "revoked_on"]

    def parent_is_complete(self, decision) -> bool:
        return bool(decision.date and decision.level)


class UniqueFoldedNameMixin:
    """Names are unique by their folded key (search_name), which is no form field, so Django's
    unique checks skip the constraint; check it here so a duplicate is a message, not a 500."""

    unique_within: str
    duplicate_message: str

    def validate_unique(self):
        super().validate_unique()
        name = self.cleaned_data.get("name")
        scope = getattr(self.instance, f"{self.unique_within}_id")
        if not name or scope is None:
            return
        others = type(self.instance).objects.exclude(pk=self.instance.pk)
        if others.filter(search_name=fold(name), **{self.unique_within: scope}).exists():
            self.add_error("name", self.duplicate_message % {"name": name})


class ProducerForm(UniqueFoldedNameMixin, forms.ModelForm):
    unique_within = "province"
    duplicate_message = _("A producer named %(name)s is already registered in this province.")

    class Meta:
        model = Producer
        fields = "__all__"


class ProductForm(UniqueFoldedNameMixin, forms.ModelForm):
    unique_within = "producer"
    duplicate_message = _("This producer already has a product named %(name)s.")

    class Meta:
        model = Product
        fields = "__all__"


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
