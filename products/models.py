import calendar
import datetime
import functools
import operator
import unicodedata
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, F, FilteredRelation, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Least
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from core.audit import audited
from core.constraints import ConstraintErrorsOnFields
from core.db import MonthDay
from provinces.models import AdminUnit
from provinces.text import clean_name, fold

CERTIFICATE_MONTHS = 36
RECOGNISED_STARS = 3  # 3★ and above is an OCOP product
LIST_STATUSES = ("recognised", "in_force", "expired", "revoked", "ever")  # ProductQuerySet.in_status
STANDS_FOREVER = datetime.date.max  # Rating.stands_until of a rating neither superseded nor revoked

# Decision 1048/QĐ-TTg (2019): the score band of each star level, [low, high).
SCORE_BANDS = {5: (90, 101), 4: (70, 90), 3: (50, 70), 2: (30, 50), 1: (0, 30)}
SCORES = (0, 100)  # what a score may be, whatever its stars


def score_matches_stars() -> Q:
    """The database's form of SCORE_BANDS: a score (if any) lies in its stars' band. A band's bound
    at the end of the scale is left to the check on SCORES."""
    def band(stars, low, high):
        return Q(stars=stars, **({"score__gte": low} if low > SCORES[0] else {}),
                 **({"score__lt": high} if high <= SCORES[1] else {}))
    return functools.reduce(operator.or_, (band(stars, *bounds) for stars, bounds in SCORE_BANDS.items()),
                            Q(score__isnull=True))


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


class ProductGroup(ConstraintErrorsOnFields, models.Model):
    """A product group of Decision 148/2023 (scheme 2022), or a 2018 group mapped onto one."""

    class Scheme(models.TextChoices):
        CURRENT = "2022", _("Decision 919/2022 and 148/2023")
        OLD = "2018", _("Decision 490/2018")

    scheme = models.CharField(_("scheme"), max_length=4, choices=Scheme, default=Scheme.CURRENT)
    code = models.PositiveSmallIntegerField(_("code"))
    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("English name"), max_length=150)
    maps_to = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="old_groups", verbose_name=_("maps to")
    )

    class Manager(models.Manager):
        def get_by_natural_key(self, scheme, code):
            return self.get(scheme=scheme, code=code)

    objects = Manager()
    constraint_fields = {"group_code_unique_per_scheme": "code", "group_old_scheme_maps_to_current": "maps_to"}

    class Meta:
        verbose_name = _("product group")
        verbose_name_plural = _("product groups")
        ordering = ["-scheme", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "code"], name="group_code_unique_per_scheme",
                violation_error_code="group_code_unique_per_scheme",
                violation_error_message=_("This scheme already has a group with this code."),
            ),
            models.CheckConstraint(
                condition=Q(scheme="2022", maps_to__isnull=True) | Q(scheme="2018", maps_to__isnull=False),
                name="group_old_scheme_maps_to_current", violation_error_code="group_old_scheme_maps_to_current",
                violation_error_message=_(
                    "A group of the 2018 scheme maps to a current group; a current group maps to none."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"

    def natural_key(self):
        return (self.scheme, self.code)

    @property
    def current(self) -> "ProductGroup":
        return self.maps_to or self


class Located(models.Model):
    """Where a record sits: a province, and within it optionally a district and a commune.

    Legacy units nest province > district > commune; since 1/7/2025 communes sit directly under
    a province. Only the province is required, because registers often know no more.
    """

    province = models.ForeignKey(
        AdminUnit, models.PROTECT, related_name="+", verbose_name=_("province"),
        limit_choices_to={"level": AdminUnit.Level.PROVINCE},
    )
    district = models.ForeignKey(
        AdminUnit, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("district"),
        limit_choices_to={"level": AdminUnit.Level.DISTRICT},
    )
    commune = models.ForeignKey(
        AdminUnit, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("commune"),
        limit_choices_to={"level": AdminUnit.Level.COMMUNE},
    )

    class Meta:
        abstract = True

    def fill_location(self) -> None:
        """Fill the district and province implied by the commune (or the province of the district)."""
        if self.commune_id and not self.district_id and self.commune.parent.level == AdminUnit.Level.DISTRICT:
            self.district = self.commune.parent
        if not self.province_id:
            unit = self.district if self.district_id else self.commune if self.commune_id else None
            while unit is not None and unit.level != AdminUnit.Level.PROVINCE:
                unit = unit.parent
            if unit is not None:
                self.province = unit

    def clean_fields(self, exclude=None) -> None:
        # Before the required-field checks, so a commune alone is enough.
        self.fill_location()
        super().clean_fields(exclude)

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.district_id and self.district.parent_id != self.province_id:
            errors["district"] = _("%(district)s is not in %(province)s.") % {
                "district": self.district, "province": self.province}
        if self.commune_id:
            expected_parent = self.district_id or self.province_id
            if self.commune.parent_id != expected_parent:
                errors["commune"] = _("%(commune)s is not in %(unit)s.") % {
                    "commune": self.commune, "unit": self.district if self.district_id else self.province}
        if errors:
            raise ValidationError(errors)


class Registered(Located):
    """A record of the register known by its name in its place: a producer, a product. Its name is
    kept clean (NFC, single spaces) and folded for accent-free search and matching."""

    name = models.CharField(_("name"), max_length=255)
    search_name = models.CharField(max_length=255, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.fill_derived_fields()
        super().save(*args, **kwargs)

    # What save() fills in; bulk writes skip save() and call this themselves.
    def fill_derived_fields(self) -> None:
        self.name = clean_name(self.name)
        self.search_name = fold(self.name)


class ProducerQuerySet(models.QuerySet):
    def with_products_in(self, products: "ProductQuerySet") -> "ProducerQuerySet":
        """Producers that own at least one product of `products`."""
        return self.filter(pk__in=products.values("producer"))


class Producer(ConstraintErrorsOnFields, Registered):
    """A producer (chủ thể OCOP): the organisation or household that owns rated products."""

    class Type(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        COOPERATIVE = "cooperative", _("Cooperative")
        COOPERATIVE_GROUP = "coop_group", _("Cooperative group")
        HOUSEHOLD = "household", _("Registered household")

    # How sheets write each type: in Vietnamese whatever the user's language (an English label,
    # "Registered household", would not read back). Imports read these, the values and a few synonyms.
    TYPE_WORDS = {
        Type.ENTERPRISE: "Doanh nghiệp", Type.COOPERATIVE: "Hợp tác xã",
        Type.COOPERATIVE_GROUP: "Tổ hợp tác", Type.HOUSEHOLD: "Hộ sản xuất, kinh doanh",
    }

    # Personal data: shown only to those who record producers (core.admin.PersonalDataMixin).
    PERSONAL_FIELDS = ("tax_code", "phone", "address")

    type = models.CharField(_("producer type"), max_length=12, choices=Type)
    tax_code = models.CharField(_("tax code"), max_length=20, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)

    objects = ProducerQuerySet.as_manager()
    history = audited("search_name", "created_at", "updated_at")
    constraint_fields = {"producer_name_unique_in_province": "name"}

    class Meta:
        verbose_name = _("producer")
        verbose_name_plural = _("producers")
        ordering = ["search_name"]
        constraints = [
            # Forms check it first on the name as typed (products/forms.py): search_name is no form field.
            models.UniqueConstraint(
                fields=["province", "search_name"], name="producer_name_unique_in_province",
                violation_error_code="producer_name_unique_in_province",
                violation_error_message=_("A producer of this name is already registered in this province."),
            ),
        ]
        # A plain index for look-ups by name and the lists' order: db_index would add a second,
        # for LIKE 'prefix%', on PostgreSQL, and searches are '%word%', which no index serves.
        indexes = [models.Index(fields=["search_name"], name="producer_search_name")]


def standing_on(day: datetime.date, prefix: str = "") -> Q:
    """Ratings standing on `day`: decided by then, and neither superseded by their product's next
    rating nor revoked (a revoked rating stands for no stars until the product is rated again) by
    then, which Rating.stands_until holds.

    A product has at most one. `prefix` names the ratings from another model ("ratings__").
    """
    return Q(**{f"{prefix}decided_on__lte": day, f"{prefix}stands_until__gt": day})


def certificate_in_force(day: datetime.date, expires: str = "expires") -> Q:
    """Certificates (their expiry date in `expires`) still valid on `day`: one lapses the day after it expires.

    The one rule for "expired": a product's stars today (ProductQuerySet.with_stars_on) and a
    rating's status (RatingQuerySet.with_status) both ask it.
    """
    return Q(**{f"{expires}__gte": day})


# A product on e-commerce: it names at least one channel.
SOLD_ONLINE = ~Q(ecommerce_channels="")


def located_in(unit: AdminUnit, prefix: str = "") -> Q:
    """Products located in `unit` or in any unit merged into it (ProductQuerySet.in_unit); `prefix`
    names the products from another model ("product__")."""
    return Q(**{f"{prefix}{unit.level}__in": unit.lineage_ids})


def no_flows() -> dict[str, int]:
    """The flows (ProductQuerySet.flows_by) of a window in which nothing moved."""
    return {"new_products": 0, "upgrades_to_4": 0, "upgrades_to_5": 0}


def _standing(day: datetime.date) -> FilteredRelation:
    """A product's rating standing on `day`, as a join (none when there is none, or it was revoked)."""
    return FilteredRelation("ratings", condition=standing_on(day, prefix="ratings__"))


class ProductQuerySet(models.QuerySet):
    def in_unit(self, unit: AdminUnit) -> "ProductQuerySet":
        """Products located in `unit` or in any unit merged into it (so counts roll up through mergers)."""
        return self.filter(located_in(unit))

    def with_stars_on(self, day: datetime.date, *, in_force: bool = False) -> "ProductQuerySet":
        """Annotate `stars_on` and `expires_on`: stars and certificate expiry of the rating standing on `day`.

        With in_force=True, keep only products whose standing certificate is still valid on `day`.
        """
        qs = self.alias(standing=_standing(day)).annotate(
            stars_on=F("standing__stars"), expires_on=F("standing__expires")
        )
        return qs.filter(certificate_in_force(day, "expires_on")) if in_force else qs

    def recognised_on(self, day: datetime.date, *, in_force: bool = False) -> "ProductQuerySet":
        """Products that are OCOP products (3★+) on `day`; "ever recognised" unless in_force."""
        return self.with_stars_on(day, in_force=in_force).filter(stars_on__gte=RECOGNISED_STARS)

    def counted_on(self, day: datetime.date) -> "ProductQuerySet":
        """Products recognised (3★+) on `day`, as recognised_on() but without their stars or expiry annotated."""
        standing = Rating.objects.standing(day).filter(product=OuterRef("pk"), stars__gte=RECOGNISED_STARS)
        # A look-up per product, not EXISTS: PostgreSQL makes EXISTS a join, which on stale
        # statistics (a test database) it planned as nested loops of scans that ran for minutes.
        return self.alias(standing_rating=Subquery(standing.order_by().values("pk")[:1])).filter(
            standing_rating__isnull=False)

    def count_by_stars_and(self, fields: tuple[str, ...], days: dict[str, datetime.date]) -> dict:
        """{(values of `fields`): {day key: {stars: n}}} for recognised products on each of `days`, in one query.

        One join to the standing rating per day, for the single-day breakdowns; for several days, or
        the whole country's products, `stars_by` costs less (one pass over the ratings).
        """
        joined = self.alias(**{f"standing_{key}": _standing(day) for key, day in days.items()})
        rows = joined.order_by().values_list(*fields, *(f"standing_{key}__stars" for key in days)).annotate(
            n=Count("pk")
        )
        counts = defaultdict(lambda: {key: defaultdict(int) for key in days})
        for row in rows:
            group, stars, n = row[: len(fields)], row[len(fields) : -1], row[-1]
            for key, value in zip(days, stars, strict=True):
                if value is not None and value >= RECOGNISED_STARS:
                    counts[group][key][value] += n
        return {group: {key: dict(by_stars) for key, by_stars in by_day.items()} for group, by_day in counts.items()}

    def stars_by(self, fields: tuple[str, ...], days: dict[str, datetime.date]) -> dict:
        """{(values of `fields`): {day key: {stars: n}}}: recognised products on each of `days`, in one query.

        The database counts, for each day, the 3★+ ratings standing on it (`standing_on`), grouped
        by `fields` and stars: one pass over the ratings for any number of days.
        """
        if not days:
            return {}
        return self._by_stars(fields, days, {}, Q(stars__gte=RECOGNISED_STARS))[0]

    def flows_by(self, fields: tuple[str, ...], windows: dict[str, tuple[datetime.date, datetime.date]]) -> dict:
        """{(values of `fields`): {window key: {"new_products", "upgrades_to_4", "upgrades_to_5"}}} for
        each (start, end) window, in one query; a group with none in any window is left out.

        Counted over the ratings, by their stored first recognitions and upgrades (Rating.is_upgrade),
        grouped by stars: an upgrade to 4★ is one in the 4★ group, so each window is two counts.
        """
        if not windows:
            return {}
        return self._by_stars(fields, {}, windows, Q(is_first_recognition=True) | Q(is_upgrade=True))[1]

    def stars_and_flows_by(
        self, fields: tuple[str, ...], days: dict[str, datetime.date],
        windows: dict[str, tuple[datetime.date, datetime.date]],
    ) -> tuple[dict, dict]:
        """(stars_by(fields, days), flows_by(fields, windows)) in one pass over the 3★+ ratings: a
        first recognition is a 3★+ rating, and an upgrade one above a 3★+ rating."""
        if not days:
            return {}, self.flows_by(fields, windows)
        return self._by_stars(fields, days, windows, Q(stars__gte=RECOGNISED_STARS))

    def _by_stars(self, fields, days, windows, ratings: Q) -> tuple[dict, dict]:
        groups = [f"product__{name}" for name in fields]
        columns = {f"standing_{i}": Count("pk", filter=standing_on(day)) for i, day in enumerate(days.values())}
        for i, window in enumerate(windows.values()):
            columns[f"new_{i}"] = Count("pk", filter=Q(is_first_recognition=True, decided_on__range=window))
            columns[f"up_{i}"] = Count("product", distinct=True, filter=Q(is_upgrade=True, decided_on__range=window))
        rows = self._ratings().filter(ratings).order_by().values_list(*groups, "stars").annotate(**columns)
        stars = defaultdict(lambda: {key: {} for key in days})
        flows = defaultdict(lambda: {key: no_flows() for key in windows})
        for row in rows:
            group, level = tuple(row[: len(fields)]), row[len(fields)]
            standing, moved = row[len(fields) + 1 : len(fields) + 1 + len(days)], row[len(fields) + 1 + len(days) :]
            for key, n in zip(days, standing, strict=True):
                if n:
                    stars[group][key][level] = n
            for key, new, upgraded in zip(windows, moved[::2], moved[1::2], strict=True):
                if new or upgraded:
                    flows[group][key]["new_products"] += new
                    if level in (4, 5):
                        flows[group][key][f"upgrades_to_{level}"] = upgraded
        return dict(stars), dict(flows)

    def _ratings(self) -> "RatingQuerySet":
        # All products: no list of all their ids for the database to look each one up by.
        if not self.query.has_filters():
            return Rating.objects.all()
        return Rating.objects.filter(product__in=self.values("pk"))

    def stars_series(self, days: dict[str, datetime.date]) -> dict[str, dict[int, int]]:
        """{key: {stars: n}}: recognised products at each star level on each of `days`, in one query."""
        return self.stars_by((), days).get((), {key: {} for key in days})

    def producers_by(
        self, fields: tuple[str, ...], days: dict[str, datetime.date], units: dict[str, AdminUnit] | None = None
    ) -> dict:
        """{(values of `fields`): {day key: n}}: producers owning one of these products recognised on
        each of `days`, grouped by the products' `fields` ("province", "producer__type"), in one query.
        With `units`, a day key found there counts only the products located in its unit (located_in):
        a province and each province merged into it in one pass, each counting its producers once.

        One pass over the products' 3★+ ratings, as stars_by: each rating standing on a day counts
        its product's producer, once (a product has one standing rating, a producer many products).
        """
        if not days:
            return {}
        units = units or {}
        groups = [f"product__{name}" for name in fields]
        ratings = self._ratings().filter(stars__gte=RECOGNISED_STARS)
        wanted = {
            key: standing_on(day) & (located_in(units[key], "product__") if key in units else Q())
            for key, day in days.items()
        }
        if len(days) == 1:
            # One day: its standing ratings are all there is to read (the whole country's in half the time).
            [where] = wanted.values()
            ratings = ratings.filter(where)
            counts = {"standing_0": Count("product__producer", distinct=True)}
        else:
            counts = {f"standing_{i}": Count("product__producer", distinct=True, filter=where)
                      for i, where in enumerate(wanted.values())}
        rows = ratings.order_by().values_list(*groups).annotate(**counts)
        return {tuple(row[: len(fields)]): dict(zip(days, row[len(fields) :], strict=True)) for row in rows}

    def producers_series(
        self, days: dict[str, datetime.date], units: dict[str, AdminUnit] | None = None
    ) -> dict[str, dict[str, int]]:
        """{key: {producer type: n}}: producers owning one of these products recognised on each of `days`
        (with `units`, as producers_by), in one query."""
        by_type = self.producers_by(("producer__type",), days, units)
        return {key: {kind: by_day[key] for (kind,), by_day in by_type.items() if by_day[key]} for key in days}

    def flow_series(self, windows: dict[str, tuple[datetime.date, datetime.date]]) -> dict[str, dict[str, int]]:
        """{key: {"new_products", "upgrades_to_4", "upgrades_to_5"}} for each (start, end) window, in one query."""
        return self.flows_by((), windows).get((), {key: no_flows() for key in windows})

    def first_recognised_between(self, start: datetime.date, end: datetime.date) -> "ProductQuerySet":
        """Products whose first 3★+ rating was decided between start and end, both included."""
        return self.annotate(
            first_recognised=Min("ratings__decided_on", filter=Q(ratings__stars__gte=RECOGNISED_STARS))
        ).filter(first_recognised__range=(start, end))

    def first_recognised_in(self, start: datetime.date, end: datetime.date) -> "ProductQuerySet":
        """Products whose first 3★+ rating (Rating.is_first_recognition, what the "new products"
        flow counts) was decided between start and end, both included."""
        firsts = Rating.objects.filter(is_first_recognition=True, decided_on__range=(start, end))
        return self.filter(pk__in=firsts.values("product"))

    def upgraded_in(self, stars: int, start: datetime.date, end: datetime.date) -> "ProductQuerySet":
        """Products upgraded to `stars` (Rating.is_upgrade, what the "upgrades" flows count) by a
        decision between start and end, both included."""
        upgrades = Rating.objects.filter(is_upgrade=True, stars=stars, decided_on__range=(start, end))
        return self.filter(pk__in=upgrades.values("product"))

    def sold_online(self) -> "ProductQuerySet":
        """Products sold on at least one e-commerce channel (the "on e-commerce" indicator)."""
        return self.filter(SOLD_ONLINE)

    def ever_recognised_on(self, day: datetime.date) -> "ProductQuerySet":
        """Products rated 3★+ by a decision on or before `day`, whatever became of that rating since
        (expired, superseded, revoked)."""
        return self.first_recognised_in(datetime.date.min, day)

    def recorded_in(self, unit: AdminUnit, within: AdminUnit) -> "ProductQuerySet":
        """Products recorded in `unit` at its level, as the breakdowns of `within` (a province) count
        them: a district or province as recorded; one of `within`'s own communes with the communes
        merged straight into it (ocop_dashboard ProvinceDashboard.communes), any other commune as recorded."""
        here = Q(**{unit.level: unit})
        if unit.level == AdminUnit.Level.COMMUNE and unit.parent_id == within.pk:
            here |= Q(commune__successor=unit)
        return self.filter(here)

    def in_status(self, status: str, day: datetime.date) -> "ProductQuerySet":
        """The products of `status` (LIST_STATUSES) on `day`, with stars_on and expires_on annotated.

        "recognised" is what the headline counts (recognised_on): a standing 3★+ rating, whether
        its certificate is in force or expired; "in_force" and "expired" split it; "ever" adds the
        products rated 3★+ whose rating was revoked or superseded by a lower one; "revoked" are
        those of "ever" with no rating standing (their latest was revoked).
        """
        if status == "in_force":
            return self.recognised_on(day, in_force=True)
        if status == "expired":
            return self.recognised_on(day).filter(expires_on__lt=day)
        if status in ("ever", "revoked"):
            ever = self.ever_recognised_on(day).with_stars_on(day)
            return ever.filter(stars_on__isnull=True) if status == "revoked" else ever
        return self.recognised_on(day)

    def count_by(self, field: str) -> dict:
        """{value of `field`: number of products}, in one query (e.g. "district", "group")."""
        rows = self.order_by().values_list(field).annotate(n=Count("pk"))
        return {key: n for key, n in rows}


class Product(ConstraintErrorsOnFields, Registered):
    """A product (or community-tourism service) entered in the OCOP programme."""

    name = models.CharField(_("product name"), max_length=255)
    # No index of its own: product_name_unique_per_producer's index begins with it.
    producer = models.ForeignKey(
        Producer, models.PROTECT, related_name="products", verbose_name=_("producer"), db_index=False
    )
    group = models.ForeignKey(
        ProductGroup, models.PROTECT, related_name="products", verbose_name=_("product group"),
        limit_choices_to={"scheme": ProductGroup.Scheme.CURRENT},
    )
    traceable = models.BooleanField(_("traceability"), default=False)
    ecommerce_channels = models.CharField(
        _("e-commerce channels"), max_length=255, blank=True,
        help_text=_("Platforms the product is sold on, comma separated (Shopee, Lazada, Voso…)."),
    )
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = ProductQuerySet.as_manager()
    history = audited("search_name", "created_at", "updated_at")
    constraint_fields = {"product_name_unique_per_producer": "name"}

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["search_name"]
        constraints = [
            models.UniqueConstraint(  # as for producers
                fields=["producer", "search_name"], name="product_name_unique_per_producer",
                violation_error_code="product_name_unique_per_producer",
                violation_error_message=_("This producer already has a product of this name."),
            ),
        ]
        indexes = [
            models.Index(fields=["search_name"], name="product_search_name"),  # as for producers
            # The overview's national producer count reads each product's province and producer
            # from this index alone (with rating_standing: 12.6 -> 8.1 ms on SQLite at national scale).
            models.Index(fields=["province", "producer"], name="product_province_producer"),
        ]

    def clean(self) -> None:
        super().clean()
        if self.group_id and self.group.scheme != ProductGroup.Scheme.CURRENT:
            self.group = self.group.maps_to


class RatingDecision(ConstraintErrorsOnFields, models.Model):
    """A decision that rates a batch of products at once, e.g. 2616/QĐ-UBND of 29/12/2021."""

    class Level(models.TextChoices):
        DISTRICT = "district", _("District")
        PROVINCE = "province", _("Province")
        NATIONAL = "national", _("National")

    number = models.CharField(_("decision number"), max_length=60, blank=True)
    # number_key(number), filled on save: what the constraint decision_unique compares.
    number_key = models.CharField(max_length=60, editable=False, blank=True, default="")  # never longer than the number
    date = models.DateField(
        _("decision date"), help_text=_("When only the year is known, 31/12 of that year."),
    )
    year_only = models.BooleanField(
        _("only the year is known"), default=False,
        help_text=_("The ratings count from 31/12 of the year."),
    )
    level = models.CharField(_("rating level"), max_length=10, choices=Level)
    issuer = models.ForeignKey(
        AdminUnit, models.PROTECT, null=True, blank=True, related_name="decisions",
        limit_choices_to={"level__in": [AdminUnit.Level.PROVINCE, AdminUnit.Level.DISTRICT]},
        verbose_name=_("issuing unit"), help_text=_("Empty for national decisions."),
    )
    issuing_body = models.CharField(_("issuing body"), max_length=150)
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = audited("number_key", "created_at")
    constraint_fields = {"decision_year_only_is_year_end": "date", "decision_issuer_matches_level": "issuer"}

    class Meta:
        verbose_name = _("rating decision")
        verbose_name_plural = _("rating decisions")
        ordering = ["-date", "number"]
        constraints = [
            # One decision per unique_key(), whoever writes it. National decisions have no issuer
            # (NULL, which a unique index never finds equal): they are issuer 0 here.
            models.UniqueConstraint(
                "number_key", "date", "year_only", "level",
                Coalesce("issuer", Value(0), output_field=models.BigIntegerField()),
                name="decision_unique", violation_error_code="decision_unique",
                violation_error_message=_("This decision is already recorded."),
            ),
            models.CheckConstraint(
                # MonthDay, not date__month and date__day: SQLite's own tools must be able to check it.
                condition=Q(year_only=False) | Q(Exact(MonthDay("date"), "12-31")),
                name="decision_year_only_is_year_end",
                violation_error_code="decision_year_only_is_year_end",
                violation_error_message=_("A decision known by its year alone is dated 31/12 of that year."),
            ),
            models.CheckConstraint(
                condition=Q(level="national", issuer__isnull=True) | (~Q(level="national") & Q(issuer__isnull=False)),
                name="decision_issuer_matches_level", violation_error_code="decision_issuer_matches_level",
                violation_error_message=_(
                    "A national decision has no issuing unit; a province or district decision needs one."),
            ),
        ]

    def __str__(self) -> str:
        number = self.number or _("(number unknown)")
        if self.year_only:  # "năm 2026", not "ngày 2026"
            return _("%(number)s of the year %(year)s") % {"number": number, "year": self.date.year}
        return _("%(number)s of %(date)s") % {"number": number, "date": self.date.strftime("%d/%m/%Y")}

    def save(self, *args, **kwargs):
        self.number_key = self.key_of_number(self.number)
        moved_from = getattr(self, "_stored_date", None)
        with transaction.atomic():
            super().save(*args, **kwargs)
            if moved_from is not None and moved_from != self.date:
                self.move_default_expiries(moved_from)
        self._stored_date = self.date

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        decision = super().from_db(db, field_names, values, **kwargs)
        decision._stored_date = decision.__dict__.get("date")
        return decision

    @staticmethod
    def key_of_number(number: str) -> str:
        """The one definition of "the same decision number": numbers equal ignoring case, accents,
        Đ/D and spaces ("2616/QĐ-UBND", "2616 / qd-ubnd") have the same key. Stored as number_key,
        which the constraint decision_unique compares."""
        # In NFC, as every text field is stored (provinces.text.compose_text_fields): one key however written.
        return unicodedata.normalize("NFC", "".join(fold(number).split()))

    @staticmethod
    def unique_key(number: str, date: datetime.date, year_only: bool, level: str, issuer_id: int | None) -> tuple:
        """What tells decisions apart (constraint decision_unique): number (its key_of_number), date,
        level and issuing unit; one known by its year alone (dated 31/12) is one per number (often
        none), level, issuing unit and year. The issuing body's wording is no part of it: it varies."""
        return RatingDecision.key_of_number(number), date, year_only, level, issuer_id

    @property
    def key(self) -> tuple:
        return self.unique_key(self.number, self.date, self.year_only, self.level, self.issuer_id)

    def move_default_expiries(self, old_date: datetime.date) -> None:
        """Give the ratings whose certificate expiry is the default of `old_date` (36 months on) the
        default of the decision's date. Nothing records an expiry typed by hand, so one that equals
        the old default is taken for the default; any other was typed and stays."""
        ratings = list(self.ratings.filter(expires=Rating.certificate_expiry(old_date)))
        for rating in ratings:
            rating.expires = Rating.certificate_expiry(self.date)
        bulk_update_with_history(ratings, Rating, ["expires"])

    def validate_constraints(self, exclude=None) -> None:
        # number_key is no form field: it follows the number, and is checked whenever the number is.
        self.number_key = self.key_of_number(self.number)
        if exclude and "number" not in exclude:
            exclude = set(exclude) - {"number_key"}
        super().validate_constraints(exclude)

    def constraint_field(self, code: str) -> str | None:
        if code == "decision_unique":
            # Shown on the number, or on the date of a decision known by its year.
            return "date" if self.year_only else "number"
        return super().constraint_field(code)

    def constraint_message(self, error: ValidationError) -> ValidationError:
        if error.code == "decision_unique" and self.number:
            # Named as recorded ("2616/QĐ-UBND"), whatever variant was typed ("2616/qd-ubnd").
            recorded = RatingDecision.objects.filter(
                number_key=self.number_key, date=self.date, year_only=self.year_only, level=self.level,
                issuer=self.issuer_id).exclude(pk=self.pk).first()
            return ValidationError(_("Decision %(decision)s is already recorded.") % {"decision": recorded or self},
                                   code=error.code)
        return error

    @staticmethod
    def future_date_error(date: datetime.date, year_only: bool, today: datetime.date) -> str | None:
        """Why a decision of `date` cannot be recorded on `today`, or None. A decision known by its
        year alone counts from 31/12 of that year, so one of this year is allowed."""
        if year_only and date.year > today.year:
            return _("The year %(year)s has not come yet: a decision cannot be dated in the future.") % {
                "year": date.year}
        if not year_only and date > today:
            return _("%(date)s is after today (%(today)s): a decision cannot be dated in the future.") % {
                "date": date.strftime("%d/%m/%Y"), "today": today.strftime("%d/%m/%Y")}
        return None

    def clean(self) -> None:
        super().clean()
        if self.date and (error := self.future_date_error(self.date, self.year_only, timezone.localdate())):
            raise ValidationError({"date": error})
        if self.year_only and self.date:
            self.date = year_end(self.date.year)
        if self.level == self.Level.NATIONAL:
            self.issuer = None
        elif self.issuer_id is None:
            raise ValidationError({"issuer": _("A district or province decision needs its issuing unit.")})
        elif self.issuer.level != self.level:
            raise ValidationError({
                "issuer": _("The issuing unit must be a %(level)s.") % {"level": self.get_level_display().lower()}
            })
        if self.issuer_id and self.date and not self.issuer.is_valid_on(self.date):
            raise ValidationError({"issuer": _("%(unit)s did not exist on %(date)s.") % {
                "unit": self.issuer, "date": self.date.strftime("%d/%m/%Y")}})


class RatingQuerySet(models.QuerySet):
    def standing(self, day: datetime.date) -> "RatingQuerySet":
        """The ratings standing on `day` (standing_on): at most one per product, none for a product
        whose latest rating by then was revoked by then."""
        return self.filter(standing_on(day))

    def with_status(self, day: datetime.date) -> "RatingQuerySet":
        """Annotate `status` on `day`: in_force or expired for the rating standing then (standing_on;
        expired once its certificate lapsed), else not_yet, revoked or superseded."""
        S = Rating.Status
        return self.annotate(
            status=models.Case(
                models.When(standing_on(day) & certificate_in_force(day), then=Value(S.IN_FORCE)),
                models.When(standing_on(day), then=Value(S.EXPIRED)),
                models.When(decided_on__gt=day, then=Value(S.NOT_YET)),
                models.When(revoked_on__lte=day, then=Value(S.REVOKED)),
                default=Value(S.SUPERSEDED),  # stands_until <= day, and not revoked by then
                output_field=models.CharField(),
            )
        )


class Rating(ConstraintErrorsOnFields, models.Model):
    """One product's result in one decision: its stars, score and certificate."""

    class Status(models.TextChoices):
        NOT_YET = "not_yet", _("Not yet in force")
        IN_FORCE = "in_force", _("In force")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")
        SUPERSEDED = "superseded", _("Superseded")

    # No index of its own: rating_once_per_decision's index begins with it.
    product = models.ForeignKey(
        Product, models.PROTECT, related_name="ratings", verbose_name=_("product"), db_index=False
    )
    decision = models.ForeignKey(
        RatingDecision, models.PROTECT, related_name="ratings", verbose_name=_("decision")
    )
    stars = models.PositiveSmallIntegerField(_("stars"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=60, blank=True)
    expires = models.DateField(
        _("certificate expires"), blank=True,
        help_text=_("Left empty: 36 months after the decision."),
    )
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revocation_note = models.CharField(_("revocation reason"), max_length=255, blank=True)
    # The decision date of the product's next rating (by date, then id); None for its latest. Kept
    # by store_sequence() on every write, so that counting the ratings standing on a day is one
    # pass over them, where finding each one's successor sorted every rating of the count.
    superseded_on = models.DateField(_("superseded on"), null=True, blank=True, editable=False)
    # Its decision's date, copied (and kept with the rest): the counts filter ratings by it, and a
    # join to the standing rating can only be conditioned on the rating's own columns.
    decided_on = models.DateField(_("decision date"), editable=False)
    # The day it stops standing: the earlier of superseded_on and revoked_on, or STANDS_FOREVER while
    # neither is set. Computed by the database, so "standing on a day" is two comparisons of the
    # rating's own columns (standing_on), which every count repeats for every day it counts.
    stands_until = models.GeneratedField(
        expression=Coalesce(
            # Least of NULL is NULL on SQLite.
            Least(Coalesce("superseded_on", "revoked_on"), Coalesce("revoked_on", "superseded_on")),
            Value(STANDS_FOREVER),
        ),
        output_field=models.DateField(), db_persist=True,
    )
    # Kept with it: whether the rating raised a recognised product above the stars of its previous
    # rating (the latest decided before it and not revoked by then), and whether it is the product's
    # first 3★+ rating. The flows (new products, upgrades) then count ratings, with no look-up of
    # the ratings before each.
    is_upgrade = models.BooleanField(_("upgrade"), default=False, editable=False)
    is_first_recognition = models.BooleanField(_("first recognition"), default=False, editable=False)
    note = models.TextField(_("note"), blank=True)
    import_record = models.ForeignKey(
        "imports.ImportRecord", models.SET_NULL, null=True, blank=True, related_name="ratings",
        verbose_name=_("last imported by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RatingQuerySet.as_manager()
    history = audited("created_at", "superseded_on", "decided_on", "stands_until", "is_upgrade", "is_first_recognition")
    constraint_fields = {"rating_once_per_decision": "product", "rating_stars_1_to_5": "stars",
                         "rating_score_0_to_100": "score", "rating_score_matches_stars": "score"}

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-decision__date", "product__search_name"]
        # A product's ratings with what "standing on a day" reads (standing_on), so the counts find
        # its 3★+ ones in the index: the overview's national counts 30 -> 24 ms on SQLite.
        indexes = [models.Index(fields=["product", "stars", "decided_on", "stands_until"], name="rating_standing")]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "decision"], name="rating_once_per_decision",
                violation_error_code="rating_once_per_decision",
                violation_error_message=_("This product is already rated in this decision."),
            ),
            models.CheckConstraint(
                condition=Q(stars__range=(1, 5)), name="rating_stars_1_to_5",
                violation_error_code="rating_stars_1_to_5",
                violation_error_message=_("Stars must be from 1 to 5."),
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=SCORES[0], score__lte=SCORES[1]),
                name="rating_score_0_to_100", violation_error_code="rating_score_0_to_100",
                violation_error_message=_("The score must be from 0 to 100."),
            ),
            models.CheckConstraint(
                condition=score_matches_stars(), name="rating_score_matches_stars",
                violation_error_code="rating_score_matches_stars",
                violation_error_message=_("The score is not in the band of these stars."),
            ),
        ]

    def __str__(self) -> str:
        return _("%(product)s: %(stars)s★ (%(decision)s)") % {
            "product": self.product, "stars": self.stars, "decision": self.decision}

    def save(self, *args, **kwargs):
        self.fill_derived_fields()
        super().save(*args, **kwargs)

    @staticmethod
    def certificate_expiry(decided: datetime.date) -> datetime.date:
        """When a certificate granted on `decided` lapses, unless its decision says otherwise."""
        return add_months(decided, CERTIFICATE_MONTHS)

    # What save() fills in; bulk writes skip save() and call this themselves.
    def fill_derived_fields(self) -> None:
        # A rating read before its decision's date moved (an inline of the decision's page) keeps
        # a default expiry in step with it, as RatingDecision.move_default_expiries does.
        loaded_on = getattr(self, "_stored_decided_on", None)
        if loaded_on and loaded_on != self.decision.date and self.expires == self.certificate_expiry(loaded_on):
            self.expires = None
        self.decided_on = self.decision.date
        if self.expires is None:
            self.expires = self.certificate_expiry(self.decision.date)

    def clean_fields(self, exclude=None) -> None:
        # decided_on is its decision's date, filled on save: nothing to check before.
        super().clean_fields({*(exclude or ()), "decided_on"})

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.score is not None and not SCORES[0] <= self.score <= SCORES[1]:
            errors["score"] = _("The score must be from 0 to 100.")
        elif self.score is not None and self.stars in SCORE_BANDS:
            low, high = SCORE_BANDS[self.stars]
            if not low <= self.score < high:
                errors["score"] = _("A score of %(score)s is not %(stars)s★: that band is %(low)s–%(high)s points.") % {
                    "score": self.score, "stars": self.stars, "low": low, "high": min(high - 1, 100)}
        # The decision may be new and unsaved (a decision entered with its ratings): check it too.
        decision = self.decision if Rating.decision.is_cached(self) or self.decision_id else None
        if decision is not None and decision.level and decision.date and self.stars:
            allowed = {"district": 3, "province": 4, "national": 5}[decision.level]
            if self.stars not in SCORE_BANDS:
                errors["stars"] = _("Stars must be from 1 to 5.")
            elif self.stars > allowed or (decision.level == "national" and self.stars != 5):
                errors["stars"] = _("A %(level)s decision cannot rate %(stars)s★.") % {
                    "level": decision.get_level_display().lower(), "stars": self.stars}
            if self.expires and self.expires <= decision.date:
                errors["expires"] = _("The certificate must expire after the decision date.")
            if self.revoked_on and self.revoked_on < decision.date:
                errors["revoked_on"] = _("A rating cannot be revoked before its decision.")
        # A revocation is recorded once decided, as a decision is: none dated ahead.
        if self.revoked_on and self.revoked_on > (today := timezone.localdate()):
            errors["revoked_on"] = _(
                "%(date)s is after today (%(today)s): a revocation cannot be dated in the future."
            ) % {"date": self.revoked_on.strftime("%d/%m/%Y"), "today": today.strftime("%d/%m/%Y")}
        if errors:
            raise ValidationError(errors)

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        rating = super().from_db(db, field_names, values, **kwargs)
        # A rating moved to another product leaves the ratings it followed there to mend.
        rating._stored_product_id = rating.__dict__.get("product_id")
        rating._stored_decided_on = rating.__dict__.get("decided_on")
        return rating
