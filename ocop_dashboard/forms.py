import datetime
from functools import cache

from django import forms
from django.core import validators as django_validators
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from products.models import Producer, ProductGroup
from provinces.models import AdminUnit

from .dashboard import in_language

FIRST_DAY = datetime.date(2000, 1, 1)
YEARS_AHEAD = 10


def as_of_bounds(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last days the dashboards answer for: 1/1/2000 to 31/12 ten years after `today`.

    Counting work grows with the date asked for (one column per year end), so no other is computed.
    """
    return FIRST_DAY, datetime.date(today.year + YEARS_AHEAD, 12, 31)


def within_bounds(day: datetime.date | None, today: datetime.date) -> datetime.date | None:
    """`day`, when the dashboards answer for it (as_of_bounds); ValidationError otherwise."""
    first, last = as_of_bounds(today)
    if day is not None and not first <= day <= last:
        raise ValidationError(_("Choose a date from %(first)s to %(last)s."), code="out_of_range",
                              params={"first": f"{first:%d/%m/%Y}", "last": f"{last:%d/%m/%Y}"})
    return day


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
        label=_("As of"), required=False, input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"],
        error_messages={"invalid": _("Enter a date as dd/mm/yyyy, e.g. 31/07/2023.")},
        # Text, not type=date: browsers show a date input in the OS locale (often mm/dd/yyyy).
        widget=forms.DateInput(
            attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "size": 10}, format="%d/%m/%Y"
        ),
    )

    def __init__(self, *args, today: datetime.date | None = None, **kwargs):
        """`today`: the request's date (core.caching.today), so that a page read across
        midnight counts for the day its cache key names; today in Vietnam by default."""
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def clean_as_of(self):
        return within_bounds(self.cleaned_data["as_of"], self.today)

    def day(self):
        """The date asked for, today (in Vietnam) when none was given."""
        return self.cleaned_data.get("as_of") or self.today

    def refusal(self) -> str:
        """Why the date was refused, in words."""
        return " ".join(self.errors.get("as_of", []))


FEATURE_CHOICES = [("", "—"), ("traceable", _("with traceability")), ("online", _("on e-commerce"))]
# What happened to a product between `since` and `until`: the flows the targets count.
EVENT_CHOICES = [
    ("", "—"), ("new", _("first recognised")), ("up4", _("upgraded to 4★")), ("up5", _("upgraded to 5★")),
]

# The filters a list shows only as a note (the targets' and breakdowns' links write them), each with
# the parameters taking it off removes; the form carries them as hidden inputs.
NOTED_FILTERS = {"unit": ("unit",), "unrecorded": ("unrecorded",), "stars_from": ("stars_from",),
                 "feature": ("feature",), "event": ("event", "since", "until")}

STATUS_CHOICES = [
    ("recognised", _("Recognised (3★ or more)")),
    ("in_force", _("Certificate in force")),
    ("expired", _("Certificate expired")),
    ("revoked", _("Revoked")),
    ("ever", _("Ever recognised")),
]


def group_choices() -> list[tuple]:
    """The product groups products are recorded in (the current scheme), named in the active language."""
    groups = ProductGroup.objects.filter(scheme=ProductGroup.Scheme.CURRENT).order_by("code")
    return [("", "—"), *((code, in_language(name, name_en)) for code, name, name_en in
                         groups.values_list("code", "name", "name_en"))]


class ProductFilterForm(AsOfForm):
    """What a product or producer list of one province is narrowed to (GET parameters).

    The filters are those the dashboard's counts are broken down by, so each count links to its list.
    """

    unit = forms.SlugField(label=_("Unit"), required=False, max_length=120)
    unrecorded = forms.ChoiceField(
        label=_("Not recorded"), required=False,
        choices=[("", "—"), ("district", _("District not recorded")), ("commune", _("Commune not recorded"))],
    )
    stars = forms.TypedChoiceField(
        label=_("Stars"), required=False, coerce=int, empty_value=None,
        choices=[("", "—"), ("3", "3★"), ("4", "4★"), ("5", "5★")],
    )
    # The group's code is the value, as the dashboard's links write it (group=1).
    group = forms.TypedChoiceField(label=_("Product group"), required=False, coerce=int, empty_value=None)
    type = forms.ChoiceField(label=_("Producer type"), required=False)
    year = forms.IntegerField(label=_("First recognised in"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)
    q = forms.CharField(label=_("Name contains"), required=False, max_length=100)
    # Filters the targets table's links write (a target's indicator), shown as a note, not as a field.
    stars_from = forms.TypedChoiceField(
        label=_("At least"), required=False, coerce=int, empty_value=None,
        choices=[("", "—"), ("3", "3★"), ("4", "4★"), ("5", "5★")],
    )
    feature = forms.ChoiceField(label=_("Products"), required=False, choices=FEATURE_CHOICES)
    event = forms.ChoiceField(label=_("Event"), required=False, choices=EVENT_CHOICES)
    since = DayField(label=_("From"), required=False, input_formats=AsOfForm.base_fields["as_of"].input_formats)
    until = DayField(label=_("To"), required=False, input_formats=AsOfForm.base_fields["as_of"].input_formats)

    def __init__(self, data, province, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.province = province
        self.fields["type"].choices = [("", "—"), *Producer.Type.choices]
        # Read once, and only when validated or shown (not for a download with no group asked for).
        self.fields["group"].choices = cache(group_choices)
        first, last = as_of_bounds(self.today)
        self.fields["year"].min_value, self.fields["year"].max_value = first.year, last.year
        self.fields["year"].validators += [
            django_validators.MinValueValidator(first.year), django_validators.MaxValueValidator(last.year)
        ]

    def clean_unit(self):
        slug = self.cleaned_data["unit"]
        if not slug:
            return None
        lineage = self.province.lineage_ids
        found = AdminUnit.objects.select_related("parent").filter(slug=slug).first()
        inside = found is not None and (
            found.pk in lineage if found.level == AdminUnit.Level.PROVINCE
            else found.parent_id in lineage or (found.parent is not None and found.parent.parent_id in lineage)
        )
        if not inside:
            raise ValidationError(_("No unit %(slug)s in %(province)s."), code="unknown_unit",
                                  params={"slug": slug, "province": self.province.name})
        return found

    def clean_status(self):
        return self.cleaned_data["status"] or "recognised"

    def clean_since(self):
        return within_bounds(self.cleaned_data["since"], self.today)

    def clean_until(self):
        return within_bounds(self.cleaned_data["until"], self.today)

    def clean(self):
        """A period ends on the day shown at the latest (until defaults to it): what happened later
        is not known on that day."""
        data = super().clean()
        since, until, day = data.get("since"), data.get("until"), data.get("as_of") or self.today
        if "as_of" not in data or "since" not in data or "until" not in data:
            return data  # a date already refused
        if until and until > day:
            self.add_error("until", ValidationError(_("The period ends after the date shown (%(day)s)."),
                                                    code="period_after", params={"day": f"{day:%d/%m/%Y}"}))
        elif since and since > (until or day):
            self.add_error("until", ValidationError(_("The end of the period is before its start."), code="period"))
        elif (since or until) and not data.get("event"):
            data["event"] = "new"  # a period alone: the products first recognised in it
        return data

    def period_text(self) -> str:
        """The event and period asked for, in words ("first recognised from 01/01/2021 to 31/12/2025")."""
        data = self.cleaned_data
        words = str(dict(EVENT_CHOICES)[data["event"]])
        if data.get("since"):
            words += " " + _("from %(day)s") % {"day": f"{data['since']:%d/%m/%Y}"}
        return words + " " + _("to %(day)s") % {"day": f"{data.get('until') or self.day():%d/%m/%Y}"}

    def refusal(self) -> str:
        return " ".join(f"{self.fields[name].label}: {' '.join(errors)}" if name in self.fields else " ".join(errors)
                        for name, errors in self.errors.items())

    def hidden_filters(self) -> list:
        """The bound fields of the filters shown as a note (NOTED_FILTERS) that were given: the form
        carries them when it is sent again."""
        return [self[name] for names in NOTED_FILTERS.values() for name in names if self.data.get(name)]

    def filters(self) -> dict:
        """The filters given, as the links write them (the list's own parameters, not paging)."""
        return {name: self.data[name] for name in self.fields if name != "as_of" and self.data.get(name)}
