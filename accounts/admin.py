"""Scoping the admin to the user's provinces, and roles on the user page."""

import dataclasses

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from .models import Membership
from .scope import covers, province_ids, refusal, units_q
from .services import sync_user


class ScopedChoicesMixin:
    """Foreign keys to scoped models offer, and accept, only the records in the user's scope.

    Autocompletes ask the target model's admin (its get_queryset is scoped); this limits the
    form field itself, so a typed-in id of another province is refused too.
    """

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        target = self.admin_site._registry.get(db_field.related_model)
        if "queryset" not in kwargs and isinstance(target, ScopedQuerysetMixin) and province_ids(request.user) is not None:
            kwargs["queryset"] = target.get_queryset(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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
        return [(name, admin.RelatedOnlyFieldListFilter) if isinstance(name, str) and get_fields_from_path(self.model, name)[-1].is_relation
                else name for name in super().get_list_filter(request)]

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


class ScopedInlineMixin(ScopedChoicesMixin, ScopedQuerysetMixin):
    """The records listed under another (a producer's products, a decision's ratings): only those in
    the user's scope are listed and saved; a form posted back naming another is refused."""

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


class ScopedAdminMixin(ScopedChoicesMixin, ScopedQuerysetMixin):
    """A scoped register: records outside the user's provinces cannot be changed, deleted or saved."""

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
        return [name for name in names if name not in self.personal_fields] if self.hides_personal_data(request) else list(names)

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
        model_admin = site._registry.get(model)
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


class MembershipInline(admin.StackedInline):
    model = Membership
    can_delete = False
    autocomplete_fields = ["units"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class RoleUserAdmin(UserAdmin):
    """The user page with the role and provinces; saving the role puts the user in its group."""

    inlines = [MembershipInline]
    list_display = [*UserAdmin.list_display, "role"]
    list_select_related = ["membership"]

    @admin.display(description=_("role"), ordering="membership__role")
    def role(self, user):
        membership = getattr(user, "membership", None)
        return membership.get_role_display() if membership else ""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        membership = Membership.objects.filter(user=form.instance).first()
        if membership is not None:
            sync_user(membership)


class ChangeLogAdmin(ReadOnlyMixin, ScopedQuerysetMixin, PersonalDataMixin, admin.ModelAdmin):
    """One model's audit trail across all its records, filterable by user, kind of change and date;
    read only (the trail is never edited), and scoped as the records' own admin is, by the units
    each version names, and with its personal data hidden from the same users."""

    list_display = ["history_date", "history_user", "history_type", "history_object", "history_import"]
    list_filter = ["history_type", ("history_user", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "history_date"
    list_select_related = ["history_user", "history_import"]

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (
            obj is None or self.get_queryset(request).filter(pk=obj.pk).exists())


def register_change_logs(*models) -> None:
    """A change log for each model, scoped by the paths its registered admin is scoped by."""
    for model in models:
        tracked = admin.site._registry[model]
        admin.site.register(model.history.model, ChangeLogAdmin,
                            scope_paths=tracked.scope_paths, national_visible=tracked.national_visible,
                            personal_fields=getattr(tracked, "personal_fields", ()),
                            personal_permission=getattr(tracked, "personal_permission", ""))
