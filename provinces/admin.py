import datetime

from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect
from django.db import models
from django.db.models import Q
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from accounts.admin import ReadOnlyMixin, ScopedQuerysetMixin
from accounts.scope import province_ids

from .models import AdminUnit
from .text import fold, fold_unit_name

admin.site.site_header = _("OCOP programme administration")
admin.site.site_title = _("OCOP programme administration")
admin.site.index_title = _("Data entry")

# Django's Vietnamese locale defines no input formats, so dates would be read month first
# (01/02/2021 as 2 January). Staff type dd/mm/yyyy; the calendar widget writes ISO.
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATE_FIELD_OVERRIDES = {
    models.DateField: {"input_formats": DATE_FORMATS, "widget": AdminDateWidget(format=DATE_FORMATS[0])},
}


def ddmmyyyy(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


class FoldedSearchMixin:
    """Accent-free search: the typed term, folded, also matches the stored folded keys.

    "mien dong" and "Mien Dong" find "Miến dong"; the ordinary search_fields still apply
    (decision numbers, tax codes…).
    """

    folded_search_fields = ("search_name",)

    def fold_term(self, term: str) -> str:
        return fold(term)

    def get_search_results(self, request, queryset, search_term):
        search_term = search_term.replace("\x00", "")  # PostgreSQL refuses NUL in any string
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        folded = self.fold_term(search_term)
        if folded:
            matches = Q()
            for field in self.folded_search_fields:
                matches |= Q(**{f"{field}__icontains": folded})
            results |= queryset.filter(matches)
        return results, may_have_duplicates


class ProvinceFilter(admin.SimpleListFilter):
    """Only the provinces that hold records of this list, so the sidebar stays short.

    `field` is a unit foreign key; a record in a district counts for the district's province.
    """

    title = _("province")
    parameter_name = "province"
    field = "province"

    def lookups(self, request, model_admin):
        used = model_admin.model._default_manager.values(self.field)
        units = AdminUnit.objects.provinces().filter(Q(pk__in=used) | Q(children__in=used)).distinct()
        ids = province_ids(request.user)
        if ids is not None:
            units = units.filter(pk__in=ids)
        return [(unit.pk, str(unit)) for unit in units]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(Q(**{self.field: self.value()}) | Q(**{f"{self.field}__parent": self.value()}))
        return queryset


class PeriodFilter(admin.SimpleListFilter):
    title = _("current or legacy")
    parameter_name = "period"

    def lookups(self, request, model_admin):
        return [("current", _("Current units")), ("legacy", _("Units before 1/7/2025"))]

    def queryset(self, request, queryset):
        if self.value() == "current":
            return queryset.current()
        if self.value() == "legacy":
            return queryset.filter(valid_to__isnull=False)
        return queryset


def valid_on_param(request) -> datetime.date | None:
    try:
        return parse_date(request.GET.get("valid_on", ""))
    except ValueError:  # well formed but impossible, e.g. 2021-02-30
        return None


class DatedUnitAutocomplete(AutocompleteSelect):
    """A unit autocomplete that, once told a day (`valid_on`), offers only the units of that day."""

    valid_on: datetime.date | None = None

    def get_url(self):
        url = super().get_url()
        return f"{url}?valid_on={self.valid_on:%Y-%m-%d}" if self.valid_on else url


@admin.register(AdminUnit)
class AdminUnitAdmin(ReadOnlyMixin, ScopedQuerysetMixin, FoldedSearchMixin, admin.ModelAdmin):
    """Read-only: units come from `load_admin_units`; here they are looked up and picked.

    Scoped like the register, so every unit autocomplete offers only the user's provinces and
    the districts and communes in them.
    """

    scope_paths = ("pk", "parent", "parent__parent")

    list_display = ["name", "level", "code", "parent", "valid_from_display", "valid_to_display", "successor"]
    list_filter = ["level", PeriodFilter]
    list_select_related = ["parent", "successor"]
    search_fields = ["name", "=code", "slug"]
    # Provinces first, so "bac kan" offers the province before its wards.
    ordering = [
        models.Case(
            models.When(level=AdminUnit.Level.PROVINCE, then=0),
            models.When(level=AdminUnit.Level.DISTRICT, then=1),
            default=2,
        ),
        "search_name",
        "-valid_to",
    ]

    def fold_term(self, term: str) -> str:
        return fold_unit_name(term)

    def get_search_results(self, request, queryset, search_term):
        # Autocompletes can ask for the units of a given day: ?valid_on=YYYY-MM-DD.
        day = valid_on_param(request)
        if day:
            queryset = queryset.valid_on(day)
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("valid from"), ordering="valid_from")
    def valid_from_display(self, unit):
        return ddmmyyyy(unit.valid_from)

    @admin.display(description=_("valid to"), ordering="valid_to")
    def valid_to_display(self, unit):
        return ddmmyyyy(unit.valid_to)
