from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin import (
    DATE_FIELD_OVERRIDES,
    AuditedAdmin,
    FoldedSearchMixin,
    ProvinceFilter,
    ScopedAdminMixin,
    ScopedInlineMixin,
    SheetExportMixin,
    date_column,
    register_change_logs,
)

from .exports import target_sheet
from .models import Indicator, Plan, ReportedFigure, Target


class TargetInline(ScopedInlineMixin, admin.TabularInline):
    model = Target
    scope_paths = ("plan__unit",)
    fields = ["indicator", "unit", "deadline", "value", "note"]
    formfield_overrides = DATE_FIELD_OVERRIDES
    autocomplete_fields = ["unit"]
    extra = 3


class UnitProvinceFilter(ProvinceFilter):
    field = "unit"


@admin.register(Plan)
class PlanAdmin(ScopedAdminMixin, FoldedSearchMixin, AuditedAdmin):
    scope_paths = ("unit",)
    inlines = [TargetInline]
    formfield_overrides = DATE_FIELD_OVERRIDES
    autocomplete_fields = ["unit"]
    list_display = ["name", "unit", "kind", "decision_number", "starts_display", "ends_display"]
    list_filter = ["kind", UnitProvinceFilter]
    list_select_related = ["unit"]
    search_fields = ["name", "decision_number"]
    folded_search_fields = ("unit__search_name",)

    starts_display = date_column("starts_on", _("starts on"))
    ends_display = date_column("ends_on", _("ends on"))


@admin.register(Target)
class TargetAdmin(ScopedAdminMixin, SheetExportMixin, AuditedAdmin):
    """Targets across plans, to filter and download with their progress today."""

    scope_paths = ("plan__unit",)

    formfield_overrides = DATE_FIELD_OVERRIDES
    autocomplete_fields = ["unit"]
    list_display = ["indicator", "unit", "plan", "deadline_display", "value"]
    list_filter = [UnitProvinceFilter, "plan", "indicator"]
    list_select_related = ["indicator", "unit", "plan"]
    search_fields = ["plan__name", "plan__decision_number", "indicator__name"]

    def export_sheet(self, request, targets):
        return target_sheet(targets, timezone.localdate())

    deadline_display = date_column("deadline", _("deadline"))


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "source", "period", "unit_label", "order"]
    list_filter = ["source", "period"]
    search_fields = ["name", "name_en", "code"]


@admin.register(ReportedFigure)
class ReportedFigureAdmin(ScopedAdminMixin, FoldedSearchMixin, AuditedAdmin):
    # A figure may be reported for a province, a district or a commune.
    scope_paths = ("unit", "unit__parent", "unit__parent__parent")
    formfield_overrides = DATE_FIELD_OVERRIDES
    autocomplete_fields = ["unit"]
    list_display = ["unit", "indicator", "as_of_display", "value", "source_name"]
    list_filter = [UnitProvinceFilter, "indicator"]
    list_select_related = ["unit", "indicator"]
    date_hierarchy = "as_of"
    search_fields = ["source_name", "indicator__name"]
    folded_search_fields = ("unit__search_name",)

    as_of_display = date_column("as_of", _("as of"))


register_change_logs(Plan, Target, ReportedFigure)
