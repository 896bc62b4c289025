from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.admin import FoldedSearchMixin, PeriodFilter, ReadOnlyMixin, ScopedQuerysetMixin, date_column, valid_on_param

from .models import AdminUnit
from .text import fold_unit_name


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

    valid_from_display = date_column("valid_from", _("valid from"))
    valid_to_display = date_column("valid_to", _("valid to"))
