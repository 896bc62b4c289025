"""Progress of plans: each target's actual value on a date, against a straight-line pace.

Counts come from the register through `Actuals`, which batches them: ask for every date and
period a page needs first (`want_*`), then read; each family of counts is then one query for all
the dates asked, so a page's number of queries depends on neither products nor targets.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.utils.translation import gettext_lazy as _

from products.models import SOLD_ONLINE, Producer, Product, certificate_in_force
from provinces.models import AdminUnit

from .models import Indicator, ReportedFigure, Target

STARS_INDICATORS = {
    "products": lambda s: s.get(3, 0) + s.get(4, 0) + s.get(5, 0),
    "products_3star": lambda s: s.get(3, 0),
    "products_4star": lambda s: s.get(4, 0),
    "products_5star": lambda s: s.get(5, 0),
    "products_4plus": lambda s: s.get(4, 0) + s.get(5, 0),
}
FLOW_INDICATORS = {"new_products", "upgrades_to_4", "upgrades_to_5"}
PRODUCER_INDICATORS = {"producers", *(f"producers_{kind}" for kind in Producer.Type.values)}
DAY = datetime.timedelta(days=1)


class Status:
    MET = "met"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    MISSED = "missed"
    NOT_STARTED = "not_started"
    NO_DATA = "no_data"

    labels = {
        MET: _("Met"),
        ON_TRACK: _("On track"),
        BEHIND: _("Behind"),
        MISSED: _("Missed"),
        NOT_STARTED: _("Not started"),
        NO_DATA: _("No data"),
    }


def register_totals(unit: AdminUnit, day: datetime.date, actuals: "Actuals | None" = None) -> dict[str, int]:
    """Every stock indicator counted from the register for `unit` on `day`, in two queries
    (one when `actuals` has the producers of that day already). Read it through Actuals.totals.

    Products count once, at the stars of their standing rating ("ever recognised", as provinces
    publish); `products_in_force` only those whose certificate is still valid on `day`. Producers
    count when they own at least one recognised product. The stars are `actuals`' (Actuals.stars),
    which this count gives it when it has not counted them yet.
    """
    actuals = actuals or Actuals(unit)
    # One count per group of stars, traceability, e-commerce and certificate (24 groups at most),
    # added up here: one aggregate for each indicator cost more to build than to run.
    groups = Product.objects.in_unit(unit).recognised_on(day).order_by().annotate(
        online=ExpressionWrapper(SOLD_ONLINE, output_field=BooleanField()),
        in_force=ExpressionWrapper(certificate_in_force(day, "expires_on"), output_field=BooleanField()),
    ).values_list("stars_on", "traceable", "online", "in_force").annotate(n=Count("pk"))
    flags = ("traceable_products", "ecommerce_products", "products_in_force")
    stars, totals = defaultdict(int), dict.fromkeys(flags, 0)
    for stars_on, *flagged, n in groups:
        stars[stars_on] += n
        for key, flag in zip(flags, flagged, strict=True):
            totals[key] += n if flag else 0
    actuals.cache.setdefault(("stars", unit.pk, day), dict(stars))
    stars = actuals.stars(unit, day)
    totals |= {code: count(stars) for code, count in STARS_INDICATORS.items()}
    return totals | actuals.producers(unit, day)


def producer_series(unit: AdminUnit, days) -> dict[datetime.date, dict[str, int]]:
    """{day: producers owning a recognised product in `unit` on that day, in all and by type}, in one query."""
    series = Product.objects.in_unit(unit).producers_series({d.isoformat(): d for d in days})

    def totals(by_type: dict[str, int]) -> dict[str, int]:
        by_kind = {f"producers_{kind}": by_type.get(kind, 0) for kind in Producer.Type.values}
        return {"producers": sum(by_type.values()), **by_kind}
    return {day: totals(series[day.isoformat()]) for day in days}


def new_producers(unit: AdminUnit, start: datetime.date, end: datetime.date) -> int:
    """Producers with a recognised product on `end` that had none the day before `start`."""
    products = Product.objects.in_unit(unit)
    return (
        Producer.objects.with_products_in(products.counted_on(end))
        .exclude(pk__in=Producer.objects.with_products_in(products.counted_on(start - DAY)))
        .count()
    )


class Actuals:
    """Register counts for one page, fetched in batches and kept.

    Stars on several days of one unit are one query (`stars_series`); stars of every district of a
    province on one day are one query; flows over several periods of one unit are one query.
    """

    def __init__(self, *units: AdminUnit):
        self.days = defaultdict(set)
        self.district_days = defaultdict(list)
        self.windows = defaultdict(set)
        self.producer_days = defaultdict(set)
        self.cache = {}
        self.figures = {}
        self.units = {unit.pk: unit for unit in units}

    def _same(self, unit: AdminUnit) -> AdminUnit:
        """One instance per unit, so its lineage (cached on the instance) is looked up once."""
        return self.units.setdefault(unit.pk, unit)

    def want_stars(self, unit: AdminUnit, *days: datetime.date) -> None:
        if unit.level == AdminUnit.Level.DISTRICT:
            self.district_days[unit.parent_id].append(days)
        else:
            self.days[unit.pk].update(days)

    def want_flows(self, unit: AdminUnit, start: datetime.date, end: datetime.date) -> None:
        self.windows[unit.pk].add((start, end))

    def want_producers(self, unit: AdminUnit, *days: datetime.date) -> None:
        self.producer_days[unit.pk].update(days)

    def stars(self, unit: AdminUnit, day: datetime.date) -> dict[int, int]:
        unit = self._same(unit)
        key = ("stars", unit.pk, day)
        if key not in self.cache:
            if unit.level == AdminUnit.Level.DISTRICT:
                self.by_district(unit.parent, day)
                self.cache.setdefault(key, {})
            else:
                days = self.days[unit.pk] | {day}
                series = Product.objects.in_unit(unit).stars_series({d.isoformat(): d for d in days})
                self.cache.update({("stars", unit.pk, d): series[d.isoformat()] for d in days})
        return self.cache[key]

    def by_district(self, province: AdminUnit, day: datetime.date) -> dict[tuple, dict[int, int]]:
        """{(district id, district name): {stars: n}} within `province` on `day`; (None, None) for
        products recorded without a district.

        All days wanted for the province's districts come in the same query.
        """
        province = self._same(province)
        key = ("districts", province.pk, day)
        if key not in self.cache:
            district_days = {day} | {d for unit_days in self.district_days[province.pk] for d in unit_days}
            counts = Product.objects.in_unit(province).count_by_stars_and(
                ("district", "district__short_name"), {d.isoformat(): d for d in district_days}
            )
            for d in district_days:
                per_district = {group: dict(by_day[d.isoformat()]) for group, by_day in counts.items()}
                self.cache[("districts", province.pk, d)] = per_district
                for (district_id, _name), stars in per_district.items():
                    if district_id is not None:
                        self.cache[("stars", district_id, d)] = stars
        return self.cache[key]

    def flows(self, unit: AdminUnit, start: datetime.date, end: datetime.date) -> dict[str, int]:
        unit = self._same(unit)
        key = ("flows", unit.pk, start, end)
        if key not in self.cache:
            windows = self.windows[unit.pk] | {(start, end)}
            series = Product.objects.in_unit(unit).flow_series({f"{a}_{b}": (a, b) for a, b in windows})
            self.cache.update({("flows", unit.pk, a, b): series[f"{a}_{b}"] for a, b in windows})
        return self.cache[key]

    def producers(self, unit: AdminUnit, day: datetime.date) -> dict[str, int]:
        unit = self._same(unit)
        key = ("producers", unit.pk, day)
        if key not in self.cache:
            days = sorted(self.producer_days[unit.pk] | {day})
            self.cache.update({("producers", unit.pk, d): totals for d, totals in producer_series(unit, days).items()})
        return self.cache[key]

    def by_field(self, unit: AdminUnit, day: datetime.date, fields: tuple[str, ...]) -> dict[tuple, dict[int, int]]:
        """{(values of `fields`): {stars: n}} for `unit` on `day` (e.g. by product group)."""
        unit = self._same(unit)

        def count():
            counts = Product.objects.in_unit(unit).count_by_stars_and(fields, {"day": day})
            return {group: dict(by_day["day"]) for group, by_day in counts.items()}
        return self._cached(("by", unit.pk, day, fields), count)

    def figures_for(self, unit: AdminUnit) -> list[ReportedFigure]:
        """Published figures of a province and its districts, newest first, fetched once."""
        province = unit.parent if unit.level == AdminUnit.Level.DISTRICT else unit
        if province.pk not in self.figures:
            self.figures[province.pk] = list(
                ReportedFigure.objects.filter(Q(unit=province) | Q(unit__parent=province))
                .select_related("indicator").order_by("-as_of")
            )
        return self.figures[province.pk]

    def reported(self, indicator: Indicator, unit: AdminUnit, start: datetime.date | None, day: datetime.date):
        """The latest published figure for `unit` on or before `day` (and after `start` for a flow)."""
        return next(
            (f.value for f in self.figures_for(unit)
             if f.unit_id == unit.pk and f.indicator_id == indicator.pk and f.as_of <= day
             and (start is None or f.as_of >= start)),
            None,
        )

    def value(self, indicator: Indicator, unit: AdminUnit, start: datetime.date, day: datetime.date):
        code, unit = indicator.code, self._same(unit)
        if indicator.source == Indicator.Source.REPORTED:
            flow = indicator.period == Indicator.Period.FLOW
            return self.reported(indicator, unit, start if flow else None, day)
        if code in STARS_INDICATORS:
            return STARS_INDICATORS[code](self.stars(unit, day))
        if code in FLOW_INDICATORS:
            return self.flows(unit, start, day)[code]
        if code in PRODUCER_INDICATORS:
            return self.producers(unit, day)[code]
        if code == "new_producers":
            return self._cached(("new_producers", unit.pk, start, day), new_producers, unit, start, day)
        return self.totals(unit, day)[code]

    def totals(self, unit: AdminUnit, day: datetime.date) -> dict[str, int]:
        """Every stock indicator of `unit` on `day` (register_totals), counted once."""
        unit = self._same(unit)
        return self._cached(("totals", unit.pk, day), register_totals, unit, day, self)

    def _cached(self, key, compute, *args):
        if key not in self.cache:
            self.cache[key] = compute(*args)
        return self.cache[key]


@dataclass
class TargetProgress:
    target: Target
    actual: Decimal | int | None
    expected: float | None
    status: str
    baseline: Decimal | int = 0

    @property
    def percent(self) -> float | None:
        if self.actual is None:
            return None
        return round(float(self.actual) / float(self.target.value) * 100, 1)

    @property
    def status_label(self) -> str:
        return Status.labels[self.status]


def _counts_from_baseline(indicator: Indicator) -> bool:
    return indicator.period == Indicator.Period.STOCK and indicator.source == Indicator.Source.COUNTED


def want(actuals: Actuals, targets, as_of: datetime.date) -> None:
    """Tell `actuals` every count the progress of `targets` on `as_of` will read."""
    for target in targets:
        plan, day = target.plan, min(as_of, target.deadline)
        if as_of < plan.starts_on:
            continue  # not started: nothing is counted (target_progress)
        if target.indicator.code in STARS_INDICATORS:
            actuals.want_stars(target.unit, day, plan.starts_on - DAY)
        elif target.indicator.code in FLOW_INDICATORS:
            actuals.want_flows(target.unit, plan.starts_on, day)
        elif target.indicator.code in PRODUCER_INDICATORS:
            actuals.want_producers(target.unit, day, plan.starts_on - DAY)


def target_progress(target: Target, as_of: datetime.date, actuals: Actuals | None = None) -> TargetProgress:
    """Actual, expected-by-now and status of one target on `as_of`."""
    actuals = actuals or Actuals()
    plan, indicator = target.plan, target.indicator
    if as_of < plan.starts_on:
        return TargetProgress(target, None, None, Status.NOT_STARTED)
    day = min(as_of, target.deadline)
    actual = actuals.value(indicator, target.unit, plan.starts_on, day)
    if actual is None:
        return TargetProgress(target, None, None, Status.NO_DATA)
    baseline = 0
    if _counts_from_baseline(indicator):
        baseline = actuals.value(indicator, target.unit, plan.starts_on, plan.starts_on - DAY)
    expected = expected_on(day, plan.starts_on, target.deadline, baseline, float(target.value))
    if actual >= target.value:
        status = Status.MET
    elif as_of >= target.deadline:
        status = Status.MISSED
    else:
        status = Status.ON_TRACK if actual >= expected else Status.BEHIND
    return TargetProgress(target, actual, round(expected, 1), status, baseline)


def expected_on(
    day: datetime.date, start: datetime.date, deadline: datetime.date, baseline: float, goal: float
) -> float:
    """The straight line from `baseline` the day before `start` to `goal` on `deadline`, read on `day`."""
    span = (deadline - start).days + 1
    elapsed = (day - start).days + 1
    return float(baseline) + (goal - float(baseline)) * max(0.0, min(1.0, elapsed / span))


def targets_progress(targets, as_of: datetime.date, actuals: Actuals | None = None) -> list[TargetProgress]:
    """Progress of each target in `targets` on `as_of`, sharing batched counts between them."""
    actuals = actuals or Actuals()
    targets = list(targets.select_related("indicator", "unit", "unit__parent", "plan"))
    want(actuals, targets, as_of)
    return [target_progress(t, as_of, actuals) for t in targets]


def unit_progress(unit: AdminUnit, as_of: datetime.date, actuals: Actuals | None = None) -> list[TargetProgress]:
    """Every target of every plan of `unit` on `as_of`, latest plans first."""
    # Latest plans first, then each plan's targets in their own order (Target.Meta.ordering).
    targets = Target.objects.filter(plan__unit=unit).order_by(
        "-plan__ends_on", "plan__starts_on", "plan__pk", *Target._meta.ordering[1:]
    )
    return targets_progress(targets, as_of, actuals)
