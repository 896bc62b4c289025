import datetime

import tablib
from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import translation
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy as _

from accounts.admin import (AuditedAdmin, count_in_scope, PersonalDataMixin, register_change_logs, ScopedAdminMixin,
                            ScopedInlineMixin, ScopedQuerysetMixin)
from accounts.scope import province_ids
from provinces.admin import DATE_FIELD_OVERRIDES, DatedUnitAutocomplete, FoldedSearchMixin, ProvinceFilter, ddmmyyyy
from targets.sheets import FIGURE_HEADERS, TARGET_HEADERS

from . import sheets
from .forms import ProducerForm, ProductForm, ProductInlineForm, RatingInlineForm
from .models import RECOGNISED_STARS, ImportRecord, Producer, Product, ProductGroup, Rating, RatingDecision, lock_products
from .resources import HEADERS, attachment, download, producer_sheet, rating_sheet, rejected_rows, standing_ratings
from .locks import waiting_for_writers
from .services import confirm_import, preview_import
from .sheets import COLUMN_LABELS, PRODUCER_HEADERS
from .templates_xlsx import SHEET_KINDS, template_workbook

LOCATION_AUTOCOMPLETE = ["province", "district", "commune"]


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


def stars_label(stars: int | None) -> str:
    return f"{stars}★" if stars else ""


def status_label(rating: Rating) -> str:
    return Rating.Status(rating.status).label


class IssuerProvinceFilter(ProvinceFilter):
    title = _("issuing province")
    parameter_name = "issuer_province"
    field = "issuer"


class RatingIssuerProvinceFilter(ProvinceFilter):
    title = _("issuing province")
    parameter_name = "issuer_province"
    field = "decision__issuer"


class StarsTodayFilter(admin.SimpleListFilter):
    """On the `stars_on` annotation of ProductAdmin.get_queryset."""

    title = _("stars today")
    parameter_name = "stars"

    def lookups(self, request, model_admin):
        return [(n, stars_label(n)) for n in range(5, 0, -1)] + [("none", _("Not rated"))]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(stars_on__isnull=True)
        if self.value():
            return queryset.filter(stars_on=self.value())
        return queryset


class FirstRecognisedYearFilter(admin.SimpleListFilter):
    title = _("first recognised in")
    parameter_name = "first_recognised"

    def lookups(self, request, model_admin):
        years = Rating.objects.filter(stars__gte=RECOGNISED_STARS).dates("decision__date", "year", order="DESC")
        return [(day.year, day.year) for day in years]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        year = int(self.value())
        first = Product.objects.first_recognised_between(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        return queryset.filter(pk__in=first.values("pk"))


class RatingInline(ScopedInlineMixin, admin.TabularInline):
    """A decision's ratings in the user's provinces: a national decision is read by all, its ratings by province."""

    model = Rating
    scope_paths = ("product__province",)
    form = RatingInlineForm
    formfield_overrides = DATE_FIELD_OVERRIDES
    autocomplete_fields = ["product"]
    extra = 3


@admin.register(RatingDecision)
class RatingDecisionAdmin(TakesTurnsMixin, ScopedAdminMixin, FoldedSearchMixin, AuditedAdmin):
    """A decision and the batch of products it rates, entered on one screen."""

    # A district decision belongs to its province; national ones are read by all, changed by admins.
    scope_paths = ("issuer", "issuer__parent")
    national_visible = True

    inlines = [RatingInline]
    formfield_overrides = DATE_FIELD_OVERRIDES
    autocomplete_fields = ["issuer"]
    list_display = ["number_display", "date_display", "level", "issuing_body", "rating_count"]
    list_filter = ["level", IssuerProvinceFilter, "is_demo"]
    date_hierarchy = "date"
    search_fields = ["number", "issuing_body"]
    # The count annotation groups rows, which drops the model's default ordering (autocomplete pages).
    ordering = ["-date", "number"]
    folded_search_fields = ("issuer__search_name",)

    class Media:
        # After the autocomplete scripts: adds the typed decision date to issuer look-ups.
        js = ["admin/js/jquery.init.js", "js/admin/decision_date.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            rating_count=count_in_scope(request, "ratings", ("ratings__product__province",)))

    def save_related(self, request, form, formsets, change):
        # All the products whose ratings the page writes, in one order, before the first rating:
        # one by one, in the page's order, they could cross an import locking them in id order.
        ratings = [inline.instance for formset in formsets for inline in formset.forms]
        lock_products({getattr(rating, name, None) for rating in ratings for name in ("product_id", "_stored_product_id")})
        super().save_related(request, form, formsets, change)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "issuer":
            kwargs["widget"] = DatedUnitAutocomplete(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and "issuer" in form.base_fields:
            # An existing decision offers the units of its date. (A new one has no date yet.)
            form.base_fields["issuer"].widget.widget.valid_on = obj.date
        return form

    @admin.display(description=_("decision number"), ordering="number")
    def number_display(self, decision):
        return decision.number or _("(number unknown)")

    @admin.display(description=_("decision date"), ordering="date")
    def date_display(self, decision):
        return str(decision.date.year) if decision.year_only else ddmmyyyy(decision.date)

    @admin.display(description=_("rated products"), ordering="rating_count")
    def rating_count(self, decision):
        return decision.rating_count


class SheetExportMixin:
    """Admin actions that download the selected rows (all the filtered rows with "select all")
    as .xlsx or .csv; the admin says what the sheet is with `export_sheet(request, queryset)`."""

    actions = ["export_xlsx", "export_csv"]

    def export_sheet(self, request, queryset) -> tablib.Dataset:
        raise NotImplementedError

    def _export(self, request, queryset, fmt: str):
        return attachment(self.export_sheet(request, queryset), fmt, f"{self.opts.model_name}-{timezone.localdate():%Y-%m-%d}")

    @admin.action(description=_("Download as Excel (.xlsx)"))
    def export_xlsx(self, request, queryset):
        return self._export(request, queryset, "xlsx")

    @admin.action(description=_("Download as CSV"))
    def export_csv(self, request, queryset):
        return self._export(request, queryset, "csv")


class ProductInline(ScopedInlineMixin, admin.TabularInline):
    model = Product
    form = ProductInlineForm
    fields = ["name", "group", "traceable", "ecommerce_channels"]
    show_change_link = True
    extra = 1


@admin.register(Producer)
class ProducerAdmin(ScopedAdminMixin, PersonalDataMixin, SheetExportMixin, FoldedSearchMixin, AuditedAdmin):
    form = ProducerForm
    personal_fields = Producer.PERSONAL_FIELDS
    personal_permission = "products.change_producer"
    inlines = [ProductInline]
    autocomplete_fields = LOCATION_AUTOCOMPLETE
    list_display = ["name", "type", "province", "district", "product_count"]
    list_filter = ["type", ProvinceFilter, "is_demo"]
    list_select_related = ["province", "district"]
    search_fields = ["name", "tax_code"]
    ordering = ["search_name"]  # as for decisions: the count annotation drops the default ordering

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            product_count=count_in_scope(request, "products", ("products__province",)))

    def export_sheet(self, request, producers):
        # Each producer's OCOP products counted in the user's provinces only, as on its page.
        products = self.admin_site._registry[Product].in_scope(request, Product.objects.all())
        return producer_sheet(Producer.objects.filter(pk__in=producers.values("pk")), timezone.localdate(),
                              personal=not self.hides_personal_data(request), products=products)

    @admin.display(description=_("products"), ordering="product_count")
    def product_count(self, producer):
        return producer.product_count


class RatingHistoryInline(ScopedInlineMixin, admin.TabularInline):
    """Ratings are entered with their decision; here they are read, with their status today."""

    model = Rating
    scope_paths = ("product__province",)
    fields = ["decision", "stars", "score", "expires_display", "status_today"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    extra = 0

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("decision")
        return qs.with_status(timezone.localdate())

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("certificate expires"))
    def expires_display(self, rating):
        return ddmmyyyy(rating.expires)

    @admin.display(description=_("status today"))
    def status_today(self, rating):
        return status_label(rating)


@admin.register(Product)
class ProductAdmin(ScopedAdminMixin, SheetExportMixin, FoldedSearchMixin, AuditedAdmin):
    form = ProductForm
    inlines = [RatingHistoryInline]
    autocomplete_fields = ["producer", *LOCATION_AUTOCOMPLETE]
    list_display = ["name", "producer", "group", "province", "stars_today"]
    list_filter = [ProvinceFilter, StarsTodayFilter, "group", FirstRecognisedYearFilter, "is_demo"]
    list_select_related = ["producer", "group", "province"]
    search_fields = ["name", "producer__name"]
    folded_search_fields = ("search_name", "producer__search_name")

    def get_queryset(self, request):
        return super().get_queryset(request).with_stars_on(timezone.localdate())

    def export_sheet(self, request, products):
        """Each product with its current stars, as a product sheet that re-imports with no change."""
        return rating_sheet(standing_ratings(products, timezone.localdate()))

    @admin.display(description=_("stars today"), ordering="stars_on")
    def stars_today(self, product):
        return stars_label(product.stars_on)


@admin.register(Rating)
class RatingAdmin(TakesTurnsMixin, ScopedAdminMixin, SheetExportMixin, FoldedSearchMixin, AuditedAdmin):
    scope_paths = ("product__province",)
    formfield_overrides = DATE_FIELD_OVERRIDES
    autocomplete_fields = ["product", "decision"]
    list_display = ["product", "decision", "stars", "score", "expires_display", "status_today"]
    list_filter = ["stars", "decision__level", RatingIssuerProvinceFilter]
    list_select_related = ["product", "decision"]
    date_hierarchy = "decision__date"
    search_fields = ["product__name", "decision__number", "certificate_number"]
    folded_search_fields = ("product__search_name",)

    def get_queryset(self, request):
        return super().get_queryset(request).with_status(timezone.localdate())

    def export_sheet(self, request, ratings):
        return rating_sheet(Rating.objects.filter(pk__in=ratings.values("pk")))

    @admin.display(description=_("certificate expires"), ordering="expires")
    def expires_display(self, rating):
        return ddmmyyyy(rating.expires)

    @admin.display(description=_("status today"), ordering="status")
    def status_today(self, rating):
        return status_label(rating)


@admin.register(ProductGroup)
class ProductGroupAdmin(admin.ModelAdmin):
    list_display = ["__str__", "name_en", "scheme", "maps_to"]
    list_filter = ["scheme"]
    list_select_related = ["maps_to"]


# What a user needs to import each kind of sheet: the rights to write what it writes.
KIND_PERMISSIONS = {
    ImportRecord.Kind.PRODUCTS: ("products.add_producer", "products.add_product", "products.add_rating", "products.change_rating"),
    ImportRecord.Kind.PRODUCERS: ("products.add_producer", "products.change_producer"),
    ImportRecord.Kind.TARGETS: ("targets.add_plan", "targets.change_plan", "targets.add_target", "targets.change_target"),
    ImportRecord.Kind.FIGURES: ("targets.add_reportedfigure", "targets.change_reportedfigure"),
}


def may_import(user, kind: str) -> bool:
    return user.has_perms(KIND_PERMISSIONS[kind])


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("The sheet lists"), choices=ImportRecord.Kind.choices, initial=ImportRecord.Kind.PRODUCTS,
                             required=False)
    # Django's own words for an empty file, in both languages as every refusal of a sheet.
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv)"), error_messages={
        "empty": lazy(lambda: sheets.in_both_text(lambda: gettext("The submitted file is empty.")), str)()})
    skip_invalid = forms.BooleanField(
        label=_("Import only the valid rows"), required=False,
        help_text=_("By default nothing is written while any row has an error."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind, label) for kind, label in ImportRecord.Kind.choices if may_import(user, kind)]

    def clean_kind(self):
        kind = self.cleaned_data["kind"] or ImportRecord.Kind.PRODUCTS
        if kind not in dict(self.fields["kind"].choices):
            raise ValidationError(_("You may not import this kind of sheet."))
        return kind


def sheet_kinds() -> list[tuple[str, list[str]]]:
    """Each kind of sheet with its label and the headers it reads, as the upload page lists them."""
    headers = {ImportRecord.Kind.PRODUCTS: HEADERS, ImportRecord.Kind.PRODUCERS: PRODUCER_HEADERS,
               ImportRecord.Kind.TARGETS: TARGET_HEADERS, ImportRecord.Kind.FIGURES: FIGURE_HEADERS}
    return [(kind, label, headers[kind]) for kind, label in ImportRecord.Kind.choices]


@admin.register(ImportRecord)
class ImportRecordAdmin(ScopedQuerysetMixin, PersonalDataMixin, admin.ModelAdmin):
    """Upload → preview (what would change, every error) → confirm. Every upload is kept.

    A record is read by its uploader, and by whoever's scope covers every province its rows name
    (administrators and national leadership: all); its rows come back (rejected rows) only to users
    who may import the sheet and read producers' personal data.
    """

    personal_fields = Producer.PERSONAL_FIELDS
    personal_permission = "products.change_producer"

    list_display = ["filename", "kind", "user", "created_at", "status", "created", "updated", "unchanged", "failed_rows"]
    list_filter = ["kind", "status", ("user", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "created_at"
    readonly_fields = ["kind", "filename", "sha256", "user", "created_at", "status", "skip_invalid", "created", "updated",
                       "unchanged", "failed_rows", "warned_rows", "unknown_columns"]
    exclude = ["errors", "warnings"]
    change_form_template = "admin/products/importrecord/change_form.html"

    def get_urls(self):
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="products_importrecord_upload"),
            path("template/", self.admin_site.admin_view(self.template_view), name="products_importrecord_template"),
            path("template/<slug:kind>/", self.admin_site.admin_view(self.template_view), name="products_importrecord_template"),
            path("<int:pk>/confirm/", self.admin_site.admin_view(self.confirm_view), name="products_importrecord_confirm"),
            path("<int:pk>/rejected.xlsx", self.admin_site.admin_view(self.rejected_view), name="products_importrecord_rejected"),
            *super().get_urls(),
        ]

    def scope_q(self, request, ids):
        # A file naming no province (none could be read) is its uploader's alone.
        rows = ImportRecord.provinces.through.objects
        covered = Q(pk__in=rows.values("importrecord")) & ~Q(pk__in=rows.exclude(adminunit__in=ids).values("importrecord"))
        return Q(user=request.user) | covered

    def get_queryset(self, request):
        # The file and the lists of errors are read only by the pages that show them, one record at a time.
        return super().get_queryset(request).defer("content", "errors", "warnings", "unknown_columns")

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return redirect("admin:products_importrecord_upload")

    def has_change_permission(self, request, obj=None):
        return False

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                # One byte more than the gate lets through is enough to refuse the file.
                record = preview_import(user=request.user, filename=upload.name, content=upload.read(sheets.MAX_UPLOAD_BYTES + 1),
                                        skip_invalid=form.cleaned_data["skip_invalid"], kind=form.cleaned_data["kind"],
                                        scope=province_ids(request.user))
            except ValidationError as error:
                form.add_error("file", error)
            else:
                return redirect("admin:products_importrecord_change", record.pk)
        context = {**self.admin_site.each_context(request), "opts": self.opts, "form": form,
                   "title": _("Import a spreadsheet"), "kinds": sheet_kinds()}
        return render(request, "admin/products/importrecord/upload.html", context)

    def template_view(self, request, kind=ImportRecord.Kind.PRODUCTS):
        if not self.has_add_permission(request):
            raise PermissionDenied
        if kind not in SHEET_KINDS:
            raise Http404
        make_kind, filename = SHEET_KINDS[kind]
        return download(template_workbook(make_kind()), "xlsx", filename)

    def rejected_view(self, request, pk):
        record = self.get_object(request, pk)
        if record is None:
            raise Http404
        # The rows come back to be fixed and imported again, as they were typed, personal data included.
        if not self.may_download_rows(request, record):
            raise PermissionDenied
        return attachment(rejected_rows(record), "xlsx", f"dong-loi-{record.pk}")

    def may_download_rows(self, request, record) -> bool:
        return (self.has_view_permission(request, record) and may_import(request.user, record.kind)
                and not self.hides_personal_data(request))

    def confirm_view(self, request, pk):
        record = get_object_or_404(self.get_queryset(request), pk=pk, status=ImportRecord.Status.PREVIEWED)
        if request.method != "POST" or not self.has_add_permission(request) or not may_import(request.user, record.kind):
            raise PermissionDenied
        try:
            result = confirm_import(record=record, scope=province_ids(request.user), user=request.user)
        except ValidationError as error:  # another import held the same records too long
            self.message_user(request, " ".join(error.messages), level="error")
            return redirect("admin:products_importrecord_change", record.pk)
        if result.written:
            self.message_user(request, _("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.") % {
                "created": result.created, "updated": result.updated, "unchanged": result.unchanged})
        else:
            self.message_user(request, _("Nothing was written: the sheet has errors."), level="error")
            if record.user_id != request.user.pk:  # the record keeps its uploader's preview: say here what failed
                self.message_user(request, self.errors_text(result), level="error")
        return redirect("admin:products_importrecord_change", record.pk)

    @staticmethod
    def errors_text(result, listed: int = 20) -> str:
        """The first `listed` errors of `result`, in the page's language, and how many more rows failed.
        (Only those who may import confirm: they may read the personal data an error may quote.)"""
        language = "en" if translation.get_language() == "en" else "vi"
        shown = result.errors[:listed]
        texts = [e.text(language) for e in shown]
        if unlisted := result.failed_rows - len({e.row for e in shown}):
            texts.append(_("… and %(rows)s more rows with errors, not listed.") % {"rows": unlisted})
        return "; ".join(texts)

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None:
            language = translation.get_language() if translation.get_language() in ("vi", "en") else "vi"
            hidden = self.personal_fields if self.hides_personal_data(request) else ()

            def shown(e):  # the column as the sheet's header names it, the reason in the page's language
                message = "…" if e["column"] in hidden else e.get(language, e.get("vi"))  # it may quote a phone number
                return {**e, "column": COLUMN_LABELS.get(e["column"], e["column"]), "message": message}

            context["rows"] = [shown(e) for e in obj.errors]
            context["warning_rows"] = [shown(e) for e in obj.warnings]
            context["unlisted_failed_rows"] = obj.failed_rows - len({e["row"] for e in obj.errors})
            context["unlisted_warned_rows"] = obj.warned_rows - len({e["row"] for e in obj.warnings})
            context["has_rejected_rows"] = any(e["row"] > 1 for e in obj.errors) and self.may_download_rows(request, obj)
            context["can_confirm"] = obj.status == ImportRecord.Status.PREVIEWED and (obj.skip_invalid or not obj.errors)
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)


register_change_logs(Producer, Product, RatingDecision, Rating)
