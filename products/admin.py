import datetime

from django.contrib import admin, messages
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from core.admin import (
    DATE_FIELD_OVERRIDES,
    AuditedAdmin,
    DatedUnitAutocomplete,
    FoldedSearchMixin,
    LabelledInlineFormSet,
    PersonalDataMixin,
    PresetProvinceMixin,
    ProvinceFilter,
    ScopedAdminMixin,
    ScopedInlineMixin,
    SheetExportMixin,
    TakesTurnsMixin,
    count_in_scope,
    date_column,
    ddmmyyyy,
    register_change_logs,
)

from .exports import producer_sheet, rating_sheet, standing_ratings
from .forms import (
    ProducerForm,
    ProductForm,
    ProductInlineForm,
    RatingDecisionForm,
    RatingForm,
    RatingInlineForm,
)
from .models import (
    RECOGNISED_STARS,
    Producer,
    Product,
    ProductGroup,
    Rating,
    RatingDecision,
    certificate_in_force,
)
from .sequence import lock_products

LOCATION_AUTOCOMPLETE = ["province", "district", "commune"]
# After the autocomplete scripts: a chosen province (or district) narrows the pickers below it.
LOCATION_SCRIPTS = ["admin/js/jquery.init.js", "js/admin/unit_pickers.js"]


def stars_label(stars: int | None) -> str:
    return f"{stars}★" if stars else ""


def status_label(rating: Rating) -> str:
    if rating.status == Rating.Status.NOT_YET:  # a year-only decision of this year: it counts from 31/12
        return _("Not yet in force (counts from %(date)s)") % {"date": ddmmyyyy(rating.decided_on)}
    return Rating.Status(rating.status).label


def stars_today_label(product: Product) -> str:
    """A product's stars today as its list and its page show them, from ProductAdmin.get_queryset's
    annotations: "4★", or "4★ (certificate expired 29/12/2024)" once its certificate lapsed."""
    if product.stars_on is None:
        return _("none: its latest rating was revoked") if getattr(product, "rated", False) else ""
    if product.in_force:
        return stars_label(product.stars_on)
    return _("%(stars)s (certificate expired %(date)s)") % {
        "stars": stars_label(product.stars_on), "date": ddmmyyyy(product.expires_on)}


class IssuerProvinceFilter(ProvinceFilter):
    title = _("issuing province")
    parameter_name = "issuer_province"
    field = "issuer"


class RatingIssuerProvinceFilter(ProvinceFilter):
    title = _("issuing province")
    parameter_name = "issuer_province"
    field = "decision__issuer"


class StarsTodayFilter(admin.SimpleListFilter):
    """On the `stars_on` and `in_force` annotations of ProductAdmin.get_queryset: the stars of a
    certificate in force today, a certificate that has lapsed, or no rating standing today."""

    title = _("stars today")
    parameter_name = "stars"

    def lookups(self, request, model_admin):
        return [(n, stars_label(n)) for n in range(5, 0, -1)] + [
            ("expired", _("Certificate expired")), ("none", _("Not rated"))]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(stars_on__isnull=True)
        if self.value() == "expired":
            return queryset.filter(stars_on__isnull=False, in_force=False)
        if self.value():
            return queryset.filter(stars_on=self.value(), in_force=True)
        return queryset


class FirstRecognisedYearFilter(admin.SimpleListFilter):
    title = _("first recognised in")
    parameter_name = "first_recognised"

    def lookups(self, request, model_admin):
        # The years of the products the user sees (model_admin.in_scope), not of every province.
        products = model_admin.in_scope(request, Product.objects.all())
        years = Rating.objects.filter(stars__gte=RECOGNISED_STARS, product__in=products).dates(
            "decision__date", "year", order="DESC")
        return [(day.year, day.year) for day in years]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        year = int(self.value())
        first = Product.objects.first_recognised_between(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        return queryset.filter(pk__in=first.values("pk"))


class RatingInlineFormSet(LabelledInlineFormSet):
    def get_unique_error_message(self, unique_check):
        if "product" in unique_check:
            return _("A product is listed twice in this decision: remove one of its rows.")
        return super().get_unique_error_message(unique_check)


class RatingInline(ScopedInlineMixin, admin.TabularInline):
    """A decision's ratings in the user's provinces: a national decision is read by all, its ratings by province."""

    model = Rating
    scope_paths = ("product__province",)
    form = RatingInlineForm
    formset = RatingInlineFormSet
    formfield_overrides = DATE_FIELD_OVERRIDES
    autocomplete_fields = ["product"]
    extra = 3


@admin.register(RatingDecision)
class RatingDecisionAdmin(TakesTurnsMixin, ScopedAdminMixin, FoldedSearchMixin, AuditedAdmin):
    """A decision and the batch of products it rates, entered on one screen."""

    # A district decision belongs to its province; national ones are read by all, changed by admins.
    scope_paths = ("issuer", "issuer__parent")
    national_visible = True

    form = RatingDecisionForm
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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if typed := getattr(form, "typed_date_replaced", None):
            messages.warning(request, _(
                "Only the year is known: the decision counts from %(year_end)s, and the date typed, %(typed)s, "
                "is not kept.") % {"year_end": ddmmyyyy(obj.date), "typed": ddmmyyyy(typed)})

    def save_related(self, request, form, formsets, change):
        # All the products whose ratings the page writes, in one order, before the first rating:
        # one by one, in the page's order, they could cross an import locking them in id order.
        ratings = [inline.instance for formset in formsets for inline in formset.forms]
        lock_products(
            {getattr(rating, name, None) for rating in ratings for name in ("product_id", "_stored_product_id")}
        )
        super().save_related(request, form, formsets, change)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "issuer":
            kwargs["widget"] = DatedUnitAutocomplete(db_field, self.admin_site)
            kwargs["error_messages"] = {"invalid_choice": _("This issuing unit is not in your province.")}
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


class ProductInline(ScopedInlineMixin, admin.TabularInline):
    model = Product
    form = ProductInlineForm
    fields = ["name", "group", "traceable", "ecommerce_channels"]
    show_change_link = True
    extra = 1


@admin.register(Producer)
class ProducerAdmin(PresetProvinceMixin, ScopedAdminMixin, PersonalDataMixin, SheetExportMixin, FoldedSearchMixin,
                    AuditedAdmin):
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

    class Media:
        js = LOCATION_SCRIPTS

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            product_count=count_in_scope(request, "products", ("products__province",)))

    def export_sheet(self, request, producers):
        # Each producer's OCOP products counted in the user's provinces only, as on its page.
        products = self.admin_site.get_model_admin(Product).in_scope(request, Product.objects.all())
        return producer_sheet(Producer.objects.filter(pk__in=producers.values("pk")), timezone.localdate(),
                              personal=not self.hides_personal_data(request), products=products)

    @admin.display(description=_("products"), ordering="product_count")
    def product_count(self, producer):
        return producer.product_count


class RatingHistoryInline(ScopedInlineMixin, admin.TabularInline):
    """Ratings are entered with their decision; here they are read, latest first, with their status
    today (in force, expired, revoked, superseded)."""

    model = Rating
    scope_paths = ("product__province",)
    verbose_name_plural = _("rating history")
    fields = ["decision", "level_display", "stars", "score", "expires_display", "status_today"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    extra = 0

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("decision")
        # Latest first, in the order the ratings follow each other (products/sequence.py: date, then id).
        return qs.with_status(timezone.localdate()).order_by("-decided_on", "-pk")

    def has_add_permission(self, request, obj=None):
        return False

    expires_display = date_column("expires", _("certificate expires"), sortable=False)

    @admin.display(description=_("rating level"))
    def level_display(self, rating):
        return rating.decision.get_level_display()

    @admin.display(description=_("status today"))
    def status_today(self, rating):
        return status_label(rating)


@admin.register(Product)
class ProductAdmin(PresetProvinceMixin, ScopedAdminMixin, SheetExportMixin, FoldedSearchMixin, AuditedAdmin):
    form = ProductForm
    inlines = [RatingHistoryInline]
    autocomplete_fields = ["producer", *LOCATION_AUTOCOMPLETE]
    list_display = ["name", "producer", "group", "province", "stars_today"]
    list_filter = [ProvinceFilter, StarsTodayFilter, "group", FirstRecognisedYearFilter, "is_demo"]
    list_select_related = ["producer", "group", "province"]
    search_fields = ["name", "producer__name"]
    folded_search_fields = ("search_name", "producer__search_name")

    class Media:
        js = LOCATION_SCRIPTS

    def get_queryset(self, request):
        today = timezone.localdate()
        return super().get_queryset(request).with_stars_on(today).annotate(
            in_force=ExpressionWrapper(certificate_in_force(today, "expires_on"), output_field=BooleanField()),
            # With no standing rating: whether it lost the one it had (its latest was revoked).
            rated=Exists(Rating.objects.filter(product=OuterRef("pk"), decided_on__lte=today)))

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return results.select_related("producer"), may_have_duplicates

    def autocomplete_label(self, product: Product) -> str:
        """A product with its producer: two producers may have products of the same name."""
        return _("%(product)s — %(producer)s") % {"product": product.name, "producer": product.producer.name}

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "stars_today"] if obj is not None else fields

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # "Upgrade / re-recognise": a new rating of this product, under a new or an existing decision.
        if obj is not None and self.admin_site.get_model_admin(Rating).has_add_permission(request) \
                and self.may_write(request, obj):
            context["upgrade_url"] = f"{reverse('admin:products_rating_add')}?{urlencode({'product': obj.pk})}"
        return super().render_change_form(request, context, add, change, form_url, obj)

    def export_sheet(self, request, products):
        """Each product with its current stars, as a product sheet that re-imports with no change."""
        return rating_sheet(standing_ratings(products, timezone.localdate()))

    @admin.display(description=_("stars today"), ordering="stars_on")
    def stars_today(self, product):
        return stars_today_label(product)


@admin.register(Rating)
class RatingAdmin(TakesTurnsMixin, ScopedAdminMixin, SheetExportMixin, FoldedSearchMixin, AuditedAdmin):
    form = RatingForm
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

    def response_post_save_add(self, request, obj):
        # A rating opened from its product's page ("Upgrade / re-recognise") goes back to that page,
        # where the new stars and the rating history show.
        if request.GET.get("product") == str(obj.product_id):
            return redirect("admin:products_product_change", obj.product_id)
        return super().response_post_save_add(request, obj)

    expires_display = date_column("expires", _("certificate expires"))

    @admin.display(description=_("status today"), ordering="status")
    def status_today(self, rating):
        return status_label(rating)


@admin.register(ProductGroup)
class ProductGroupAdmin(admin.ModelAdmin):
    list_display = ["__str__", "name_en", "scheme", "maps_to"]
    list_filter = ["scheme"]
    list_select_related = ["maps_to"]


register_change_logs(Producer, Product, RatingDecision, Rating)
