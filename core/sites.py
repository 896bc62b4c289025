"""The project's admin site: no value in a query string makes any of its pages fail, and its
"view on site" link is scoped like every other admin page.

Every model admin registered on it, the project's and other apps' (axes, auth), lists with
`StrictChangeList` and leaves out of a new record's form the values its fields could never hold.
"""

from contextlib import contextmanager

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.views.main import SEARCH_VAR, ChangeList
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404
from django.templatetags.static import static
from django.urls import path
from django.utils.html import format_html
from django.utils.text import smart_split
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# What a value a field cannot hold raises when it reaches a lookup or the database driver
# (`int("abc")`, a year past 9999, an integer wider than the column).
BAD_VALUE_ERRORS = (ValueError, OverflowError, ValidationError)
# The lookups a link to a list may make of a filtered field (`?level=province`); others (`__regex`,
# whose pattern the database compiles) are no filter's.
EQUALITY_LOOKUPS = {"exact", "iexact", "isnull", "in"}
# Each word searched for is a condition on every search field: a thousand of them are more than
# SQLite parses, and work that grows with what is typed.
SEARCH_WORDS = 10


@contextmanager
def refused_as_incorrect_lookup():
    try:
        yield
    except BAD_VALUE_ERRORS as error:
        raise IncorrectLookupParameters(error) from error


class StrictChangeList(ChangeList):
    """A list that takes only the filter values it offers.

    The admin answers `IncorrectLookupParameters` with a redirect to the plain list (`?e=1`). It is
    raised for: a simple filter's value that is not one of its choices; a lookup in the query
    string that neither a filter, nor the date hierarchy, nor an equality on a filtered field reads
    (`?level__regex=(`, which Django would pass to the database); a value with NUL in it; and any
    value that fails when the list is filtered or counted (a date hierarchy's year 9999, whose next
    year does not exist).
    """

    def get_filters(self, request):
        specs, has_filters, remaining, may_have_duplicates, has_active_filters = super().get_filters(request)
        for spec in specs:
            if isinstance(spec, admin.SimpleListFilter) and spec.value() is not None and \
                    spec.value() not in {str(value) for value, _label in spec.lookup_choices}:
                raise IncorrectLookupParameters(f"{spec.parameter_name}={spec.value()!r} is not offered")
        unread = [key for key in set(remaining) - self.hierarchy_lookups() if not self.is_equality(key)]
        if unread:
            raise IncorrectLookupParameters(f"no filter reads {sorted(unread)}")
        return specs, has_filters, remaining, may_have_duplicates, has_active_filters

    def hierarchy_lookups(self) -> set[str]:
        """The lookups the date hierarchy makes of the year, month and day asked for."""
        if self.date_hierarchy and f"{self.date_hierarchy}__year" in self.params:
            return {f"{self.date_hierarchy}__gte", f"{self.date_hierarchy}__lt"}
        return set()

    def is_equality(self, key: str) -> bool:
        path, _, lookup = key.rpartition(LOOKUP_SEP)
        for fields, kind in ((key, "exact"), (path, lookup)):
            try:
                get_fields_from_path(self.model, fields)
            except (FieldDoesNotExist, NotRelationField):
                continue
            return kind in EQUALITY_LOOKUPS
        return False

    def get_queryset(self, request, exclude_parameters=None):
        # No stored text holds NUL (provinces.apps drops it before a save), and PostgreSQL refuses it
        # in any string it is sent: psycopg says so with a DataError, which no lookup would refuse.
        # A search drops it (it can match nothing stored); a filter's value with one is refused.
        self.query = self.query.replace("\x00", "")
        if any("\x00" in value for name, values in self.params.items() if name != SEARCH_VAR for value in values):
            raise IncorrectLookupParameters("NUL in a filter's value")
        with refused_as_incorrect_lookup():
            return super().get_queryset(request, exclude_parameters)

    def get_results(self, request):
        # Counting runs the filtered query: a value no lookup refused fails here if at all.
        with refused_as_incorrect_lookup():
            super().get_results(request)


class StrictParametersMixin:
    """Lists with StrictChangeList, searches of their first words; a new record's form takes from
    the query string only what it may hold."""

    def get_changelist(self, request, **kwargs):
        return StrictChangeList

    def get_search_results(self, request, queryset, search_term):
        words = list(smart_split(search_term))[:SEARCH_WORDS]
        return super().get_search_results(request, queryset, " ".join(words))

    def get_changeform_initial_data(self, request):
        """The values a link fills in on a new record's form, without those its fields could never
        hold: a related field's widget would look them up (`?producer=abc`, a 20-digit id)."""
        initial = super().get_changeform_initial_data(request)
        return {name: value for name, value in initial.items() if self.may_hold(name, value)}

    def may_hold(self, name: str, value) -> bool:
        try:
            field = self.opts.get_field(name)
        except FieldDoesNotExist:
            return True
        if not (field.concrete or field.many_to_many):
            return True  # a reverse relation: no field of the form
        field = field.target_field if field.is_relation else field
        try:
            for item in value if isinstance(value, list) else [value]:
                field.clean(item, None)
        except ValidationError:
            return False
        return True


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    """Autocomplete results labelled by the target admin's `autocomplete_label(obj)` where it has
    one (a commune with its district, province and validity), else by str(obj)."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        label = getattr(self.model_admin, "autocomplete_label", None)
        return result | {"text": str(label(obj))} if label else result


# The index in the order of the office's work: the register, imports, plans, reference data, users;
# then every change log together (the audit trails and the sign-in logs) where Django would file
# each under its app, alphabetically. A model in none of them keeps its app's group, before the logs.
SECTIONS = (
    ("register", _("Register"),
     ("products.producer", "products.product", "products.ratingdecision", "products.rating")),
    ("imports", _("Imports"), ("imports.importrecord", "imports.columnmapping")),
    ("plans", _("Plans and targets"), ("targets.plan", "targets.target", "targets.reportedfigure")),
    ("reference", _("Reference data"), ("provinces.adminunit", "products.productgroup", "targets.indicator")),
    ("users", _("Users"), ("auth.user", "auth.group", "accounts.membership")),
)
CHANGE_LOGS = ("changelogs", _("Change logs"))
SIGN_IN_LOGS = "axes"


def is_change_log(model) -> bool:
    return model._meta.app_label == SIGN_IN_LOGS or model._meta.model_name.startswith("historical")


def _boolean_icon(field_val):
    """Django's yes/no icon, its alt text in the page's language ("Có", "Không"), not True/False."""
    icon = {True: "yes", False: "no", None: "unknown"}[field_val]
    alt = {True: gettext("Yes"), False: gettext("No"), None: gettext("Unknown")}[field_val]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), alt)


# The admin's lists and read-only fields (admin_list, and utils.display_for_field and helpers,
# which import it when called) draw booleans with this function; it is no template to override.
admin_list._boolean_icon = _boolean_icon


class AdminSite(admin.AdminSite):
    """Django's admin site, each model admin registered on it given StrictParametersMixin, its
    index grouped by the office's tasks (SECTIONS)."""

    site_header = _("OCOP — data entry and administration")
    site_title = _("OCOP data entry")
    index_title = _("Choose a task")

    def get_app_list(self, request, app_label=None):
        if app_label is not None:  # one app's own page: Django's list
            return super().get_app_list(request, app_label)
        apps = super().get_app_list(request)
        entries = {entry["model"]._meta.label_lower: (app, entry) for app in apps for entry in app["models"]}
        order = [label for _key, _name, labels in SECTIONS for label in labels]
        sections = [self._section(key, name, [entries.pop(label) for label in labels if label in entries])
                    for key, name, labels in SECTIONS]
        logs = sorted((found for label, found in entries.items() if is_change_log(found[1]["model"])),
                      key=lambda found: self._log_order(found[1]["model"], order))
        for found in logs:
            del entries[found[1]["model"]._meta.label_lower]
        rest = [{**app, "models": [entry for entry in app["models"] if entry["model"]._meta.label_lower in entries]}
                for app in apps]
        return [app for app in (*sections, *rest, self._section(*CHANGE_LOGS, logs)) if app["models"]]

    @staticmethod
    def _section(key: str, name, found: list) -> dict:
        """An index group of the models `found` ((app, model entry) pairs), linked to its first's app page."""
        first_app = found[0][0] if found else {}
        return {"name": name, "app_label": key, "app_url": first_app.get("app_url", ""),
                "has_module_perms": True, "models": [entry for _app, entry in found]}

    @staticmethod
    def _log_order(model, order: list[str]) -> tuple:
        tracked = f"{model._meta.app_label}.{model._meta.model_name.removeprefix('historical')}"
        return (model._meta.app_label == SIGN_IN_LOGS, order.index(tracked) if tracked in order else len(order),
                str(model._meta.verbose_name_plural))

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, StrictParametersMixin):
            admin_class = type(
                admin_class.__name__, (StrictParametersMixin, admin_class), {"__module__": admin_class.__module__}
            )
        super().register(model_or_iterable, admin_class, **options)

    def get_urls(self):
        # Django's view_on_site redirects to any object's page, found by its id alone: a record
        # outside the user's scope would answer differently from a missing one.
        ours = path(
            "r/<path:content_type_id>/<path:object_id>/", self.admin_view(self.view_on_site), name="view_on_site"
        )
        return [ours if getattr(url, "name", None) == "view_on_site" else url for url in super().get_urls()]

    def autocomplete_view(self, request):
        return LabelledAutocompleteJsonView.as_view(admin_site=self)(request)

    def view_on_site(self, request, content_type_id, object_id):
        """The object's public page, for an object the user may read in its model's admin; else 404."""
        try:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
        except (ContentType.DoesNotExist, ValueError):
            raise Http404 from None
        model_admin = self.get_model_admin(model) if self.is_registered(model) else None
        obj = model_admin.get_object(request, object_id) if model_admin else None
        if obj is None or not model_admin.has_view_or_change_permission(request, obj):
            raise Http404
        return shortcut(request, content_type_id, object_id)
