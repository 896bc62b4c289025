"""Admin parts several apps use: scoping every page to the user's provinces (the rule itself is
accounts/scope.py), hiding personal data, the audit trail and change logs, dates typed dd/mm/yyyy,
accent-free search, province filters, sheet downloads, and edits that wait for imports."""

import dataclasses
import datetime

import tablib
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Q
from django.db.models.constants import LOOKUP_SEP
from django.forms.models import BaseInlineFormSet
from django.forms.utils import pretty_name
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from accounts.scope import covers, province_ids, refusal, units_q
from provinces.models import AdminUnit
from provinces.text import fold

from .downloads import attachment
from .locks import waiting_for_writers


class ScopedChoicesMixin:
    """Foreign keys to scoped models offer, and accept, only the records in the user's scope.

    Autocompletes ask the target model's admin (its get_queryset is scoped); this limits the
    form field itself, so a typed-in id of another province is refused too.
    """

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        target = self.admin_site.get_model_admin(related) if self.admin_site.is_registered(related) else None
        if (
            "queryset" not in kwargs
            and isinstance(target, ScopedQuerysetMixin)
            and province_ids(request.user) is not None
        ):
            kwargs["queryset"] = target.get_queryset(request)
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        # The chosen record is shown as the autocomplete offered it (a commune with its province).
        if formfield is not None and hasattr(target, "autocomplete_label"):
            formfield.label_from_instance = target.autocomplete_label
        return formfield


def only_province(user) -> AdminUnit | None:
    """The province of a user who works on exactly one, which new records' forms preset; else None."""
    membership = getattr(user, "membership", None)
    units = list(membership.units.all()[:2]) if membership is not None else []
    return units[0] if len(units) == 1 else None


class PresetProvinceMixin:
    """A new record's form starts in the province of a user who works on exactly one."""

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if "province" not in initial:
            province = only_province(request.user)
            if province is not None:
                initial["province"] = province.pk
        return initial


class ScopedQuerysetMixin:
    """Lists, searches, autocompletes, filters and exports show only records of the user's provinces.

    `scope_paths` lead from the record to its unit: the first to the unit itself, the others to
    its parents when the unit may be a district or commune.
    """

    scope_paths: tuple[str, ...] = ("province",)
    national_visible = False  # records with no unit (national decisions) are seen by everyone

    def scope_q(self, request, ids):
        q = units_q(self.scope_paths, ids)
        if self.national_visible:
            q |= Q(**{f"{self.scope_paths[0]}__isnull": True})
        return q

    def get_list_filter(self, request):
        # A foreign key's own filter offers every record of the related model (another province's
        # plans, by name); offer those the user's rows name instead.
        return [
            (name, admin.RelatedOnlyFieldListFilter)
            if isinstance(name, str) and get_fields_from_path(self.model, name)[-1].is_relation
            else name
            for name in super().get_list_filter(request)
        ]

    def lookup_allowed(self, lookup, value, request):
        # A filter on a field the user may not read would confirm its value (?phone=…): refused
        # (400), whether the value is right or wrong.
        return not reveals_personal_data(self.admin_site, self.model, lookup, request) and super().lookup_allowed(
            lookup, value, request)

    def in_scope(self, request, queryset):
        """`queryset` (of this admin's model) narrowed to the records of the user's scope."""
        ids = province_ids(request.user)
        return queryset if ids is None else queryset.filter(self.scope_q(request, ids))

    def get_queryset(self, request):
        return self.in_scope(request, super().get_queryset(request))

    # A record outside the user's scope is not found, exactly as a missing one: its pages answer 404
    # before anything else is checked, so no answer tells whether it exists. (What the role may not
    # do with a record it sees stays 403.)
    def visible_or_404(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        return obj

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404  # the admin's own answer, a redirect with a message, for the same missing record

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self.visible_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self.visible_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)


def count_in_scope(request, relation: str, paths: tuple[str, ...]) -> Count:
    """Count(relation) of only the related records in the user's scope (`paths` from the record to their units)."""
    ids = province_ids(request.user)
    return Count(relation, filter=None if ids is None else units_q(paths, ids))


class LabelledInlineFormSet(BaseInlineFormSet):
    """An inline table's rows, each input named after its column (aria-label): the table's cells
    hold no <label>, so a screen reader would announce a bare "edit text" or "checkbox"."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for name, field in form.fields.items():
            # A related field's wrapper (the add and change icons) renders the widget it wraps.
            widget = getattr(field.widget, "widget", field.widget)
            widget.attrs.setdefault("aria-label", capfirst(field.label) if field.label else pretty_name(name))


class ScopedInlineMixin(ScopedChoicesMixin, ScopedQuerysetMixin):
    """The records listed under another (a producer's products, a decision's ratings): only those in
    the user's scope are listed and saved; a form posted back naming another is refused."""

    formset = LabelledInlineFormSet  # our inlines are tables

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class ScopedFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                # Django offers any stored id here and quietly drops one outside the formset's
                # queryset; refuse it instead, so a tampered form says so and writes nothing.
                form.fields[self._pk_field.name].queryset = self.get_queryset()

        ScopedFormSet.__name__ = formset.__name__
        return ScopedFormSet


class BookkeepingFieldsMixin:
    """Fields the application keeps (the demo flag, the import that last wrote a record) are left
    off the forms of all but administrators; a form without them saves the record with their
    values as they were (a new record takes their defaults)."""

    bookkeeping_fields = ("is_demo", "import_record")

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if request.user.is_superuser:
            return fields
        return [name for name in fields if name not in self.bookkeeping_fields]

    def get_list_filter(self, request):
        # Nor offered as list filters ("By demo data") to those who cannot see them.
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        return [spec for spec in filters if spec not in self.bookkeeping_fields]


class ScopedAdminMixin(BookkeepingFieldsMixin, ScopedChoicesMixin, ScopedQuerysetMixin):
    """A scoped register: records outside the user's provinces cannot be changed, deleted or saved;
    its bookkeeping fields are shown to administrators only."""

    def scope_unit(self, obj):
        for name in self.scope_paths[0].split("__"):
            obj = getattr(obj, name, None)
        return obj

    def may_write(self, request, obj) -> bool:
        return refusal(province_ids(request.user), self.scope_unit(obj)) is None

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or self.may_write(request, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or self.may_write(request, obj))

    def may_read(self, request, obj) -> bool:
        unit = self.scope_unit(obj)
        return covers(province_ids(request.user), unit) or (unit is None and self.national_visible)

    def has_view_permission(self, request, obj=None):
        # The audit trail shows a deleted or out-of-scope record from its history: the scope still holds.
        return super().has_view_permission(request, obj) and (obj is None or self.may_read(request, obj))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        model_admin = self

        class ScopedForm(form):
            def full_clean(self):
                super().full_clean()
                # After the model's own cleaning, so derived fields (a province from its commune) are set.
                if self.is_bound and not self._errors:
                    reason = refusal(province_ids(request.user), model_admin.scope_unit(self.instance))
                    if reason is not None:
                        self.add_error(None, reason)

        ScopedForm.__name__ = form.__name__
        return ScopedForm

    def save_model(self, request, obj, form, change):
        # The form refuses first; this stops any other path to a save.
        if not self.may_write(request, obj):
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    def visible_or_404(self, request, object_id):
        """The record, or for a deleted one its last version, when the user may read it; else 404."""
        try:
            return super().visible_or_404(request, object_id)
        except Http404:
            pass
        object_id = unquote(object_id)
        if not hasattr(self.model, "history"):
            raise Http404  # a model with no audit trail: nothing left of a deleted record
        try:
            if self.model._default_manager.filter(pk=object_id).exists():
                raise Http404  # stored, outside the user's scope
            version = self.model.history.filter(**{self.model._meta.pk.attname: object_id}).latest("history_date")
        except (ValidationError, ValueError, self.model.history.model.DoesNotExist):
            raise Http404 from None
        deleted = version.instance
        try:
            readable = self.may_read(request, deleted)
        except ObjectDoesNotExist:  # the unit is reached through a record deleted too
            readable = False
        if not readable:
            raise Http404
        return deleted

    # The audit trail's pages (simple-history) find a record in its history when it is not in the
    # user's queryset, then refuse it with 403: found, and so known to exist.
    def history_view(self, request, object_id, extra_context=None):
        self.visible_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self.visible_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyMixin:
    """An admin whose records are read, never added, changed or deleted there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PersonalDataMixin:
    """`personal_fields` (a producer's phone, address, tax code) are shown, searched, exported and
    traced only to users with `personal_permission`: those who record the records, not leadership."""

    personal_fields: tuple[str, ...] = ()
    personal_permission = ""

    def hides_personal_data(self, request) -> bool:
        return bool(self.personal_fields) and not request.user.has_perm(self.personal_permission)

    def _without_personal(self, request, names) -> list:
        if not self.hides_personal_data(request):
            return list(names)
        return [name for name in names if name not in self.personal_fields]

    def get_fields(self, request, obj=None):
        return self._without_personal(request, super().get_fields(request, obj))

    def get_search_fields(self, request):
        return self._without_personal(request, super().get_search_fields(request))

    def get_historical_record_context_helper(self, request, historical_record):
        if not self.hides_personal_data(request):
            return super().get_historical_record_context_helper(request, historical_record)
        return _WithoutFields(self.model, historical_record, hidden=self.personal_fields)


def reveals_personal_data(site, model, lookup: str, request) -> bool:
    """Whether a filter path from `model` (`producer__phone`, `phone__startswith`) reaches a
    personal field that the admin of its model (a PersonalDataMixin) hides from the user."""
    for part in lookup.split(LOOKUP_SEP):
        model_admin = site.get_model_admin(model) if site.is_registered(model) else None
        if isinstance(model_admin, PersonalDataMixin) and part in model_admin.personal_fields:
            return model_admin.hides_personal_data(request)
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if field.related_model is None:
            return False  # the rest are transforms and lookups of a field that is not personal
        model = field.related_model
    return False


class _WithoutFields(HistoricalRecordContextHelper):
    """A version's changes on its record's History page, leaving out `hidden` fields."""

    def __init__(self, *args, hidden, **kwargs):
        super().__init__(*args, **kwargs)
        self.hidden = hidden

    def context_for_delta_changes(self, delta):
        kept = [change for change in delta.changes if change.field not in self.hidden]
        return super().context_for_delta_changes(dataclasses.replace(delta, changes=kept))


class AuditedAdmin(SimpleHistoryAdmin):
    """The record's page links to its audit trail: every change with who, when, the import it
    came from, and each field's value before and after."""

    history_list_display = ["history_import"]


class ChangeLogAdmin(ReadOnlyMixin, ScopedQuerysetMixin, PersonalDataMixin, admin.ModelAdmin):
    """One model's audit trail across all its records, filterable by user, kind of change and date;
    read only (the trail is never edited), and scoped as the records' own admin is, by the units
    each version names, and with its personal data hidden from the same users."""

    list_display = ["history_date", "history_user", "history_type", "history_record", "history_import"]
    list_filter = ["history_type", ("history_user", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "history_date"
    list_select_related = ["history_user", "history_import"]

    @admin.display(description=_("record"))
    def history_record(self, version):
        return version.history_object

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (
            obj is None or self.get_queryset(request).filter(pk=obj.pk).exists())


def register_change_logs(*models) -> None:
    """A change log for each model, scoped by the paths its registered admin is scoped by."""
    for model in models:
        tracked = admin.site.get_model_admin(model)
        admin.site.register(model.history.model, ChangeLogAdmin,
                            scope_paths=tracked.scope_paths, national_visible=tracked.national_visible,
                            personal_fields=getattr(tracked, "personal_fields", ()),
                            personal_permission=getattr(tracked, "personal_permission", ""))


# Django's Vietnamese locale defines no input formats, so dates would be read month first
# (01/02/2021 as 2 January). Staff type dd/mm/yyyy; the calendar widget writes ISO.
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATE_FIELD_OVERRIDES = {
    models.DateField: {"input_formats": DATE_FORMATS, "widget": AdminDateWidget(format=DATE_FORMATS[0])},
}


def ddmmyyyy(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def date_column(field: str, description, *, sortable: bool = True):
    """A list column showing a date field as dd/mm/yyyy, in either language."""

    @admin.display(description=description, ordering=field if sortable else None)
    def column(self, obj):
        return ddmmyyyy(getattr(obj, field))

    return column


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


class TakesTurnsMixin:
    """An edit that waited too long for an import (or another edit) writing the same records ends
    with the words saying so, and nothing saved; a page of the register that waited too long to
    open (SQLite) the same."""

    def _in_turn(self, view, request, *args, **kwargs):
        try:
            with waiting_for_writers():
                return view(request, *args, **kwargs)
        except ValidationError as error:
            if error.code != "busy":
                raise
            self.message_user(request, " ".join(error.messages), level="error")
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")

    def changeform_view(self, request, *args, **kwargs):
        return self._in_turn(super().changeform_view, request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return self._in_turn(super().delete_view, request, *args, **kwargs)


class SheetExportMixin:
    """Admin actions that download the selected rows (all the filtered rows with "select all")
    as .xlsx or .csv; the admin says what the sheet is with `export_sheet(request, queryset)`."""

    actions = ["export_xlsx", "export_csv"]

    def export_sheet(self, request, queryset) -> tablib.Dataset:
        raise NotImplementedError

    def _export(self, request, queryset, fmt: str):
        filename = f"{self.opts.model_name}-{timezone.localdate():%Y-%m-%d}"
        return attachment(self.export_sheet(request, queryset), fmt, filename)

    @admin.action(description=_("Download as Excel (.xlsx)"))
    def export_xlsx(self, request, queryset):
        return self._export(request, queryset, "xlsx")

    @admin.action(description=_("Download as CSV"))
    def export_csv(self, request, queryset):
        return self._export(request, queryset, "csv")
