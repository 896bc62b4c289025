from django.contrib import admin
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.admin import (
    FoldedSearchMixin,
    PeriodFilter,
    ReadOnlyMixin,
    ScopedQuerysetMixin,
    date_column,
    ddmmyyyy,
    valid_on_param,
)

from .models import AdminUnit
from .text import fold_unit_name


def within_param(request) -> int | None:
    """The unit id of ?within=, or None when there is none or it is no id."""
    value = request.GET.get("within", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def unit_label(unit: AdminUnit) -> str:
    """A unit as a picker shows it, with the units it lies in and its validity:
    "Xã Xuân Dương — huyện Na Rì, tỉnh Bắc Kạn (đến 30/06/2025)"."""
    parents, parent = [], unit.parent
    while parent is not None:
        parents.append(parent.name_in_sentence)
        parent = parent.parent
    name = f"{unit.name} — {', '.join(parents)}" if parents else unit.name
    if unit.valid_to:
        return _("%(name)s (until %(date)s)") % {"name": name, "date": ddmmyyyy(unit.valid_to)}
    return name


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
    # Today's units first, then legacy ones; in each, provinces first, so "bac kan" offers the
    # province before its wards; then by name.
    ordering = [
        models.Case(models.When(valid_to__isnull=True, then=0), default=1),
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
        # Autocompletes can ask for the units of a given day: ?valid_on=YYYY-MM-DD, and for the
        # units inside a chosen one (a province's districts and communes): ?within=<id>.
        day = valid_on_param(request)
        if day:
            queryset = queryset.valid_on(day)
        within = within_param(request)
        if within is not None:
            queryset = queryset.filter(Q(parent=within) | Q(parent__parent=within))
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return results.select_related("parent__parent"), may_have_duplicates

    def autocomplete_label(self, unit: AdminUnit) -> str:
        return unit_label(unit)

    valid_from_display = date_column("valid_from", _("valid from"))
    valid_to_display = date_column("valid_to", _("valid to"))
