"""Progress of plans: each target's actual value on a date, against a straight-line pace.

Counts come from the register through `Actuals`, which batches them: ask for every date and
period a page needs first (`want_*`), then read; each family of counts is then one query for all
the dates asked, so a page's number of queries depends on neither products nor targets.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.utils.translation import gettext_lazy as _

from products.models import SOLD_ONLINE, Producer, Product, certificate_in_force, no_flows
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


def producer_totals(by_type: dict[str, int]) -> dict[str, int]:
    """The producer indicators ("producers", "producers_<type>") from producers by type."""
    by_kind = {f"producers_{kind}": by_type.get(kind, 0) for kind in Producer.Type.values}
    return {"producers": sum(by_type.values()), **by_kind}


def producer_series(unit: AdminUnit, days) -> dict[datetime.date, dict[str, int]]:
    """{day: producers owning a recognised product in `unit` on that day, in all and by type}, in one query."""
    series = Product.objects.in_unit(unit).producers_series({d.isoformat(): d for d in days})
    return {day: producer_totals(series[day.isoformat()]) for day in days}


def new_producers(unit: AdminUnit, start: datetime.date, end: datetime.date) -> int:
    """Producers with a recognised product on `end` that had none the day before `start`."""
    products = Product.objects.in_unit(unit)
    return (
        Producer.objects.with_products_in(products.counted_on(end))
        .exclude(pk__in=Producer.objects.with_products_in(products.counted_on(start - DAY)))
        .count()
    )


def _add_up(counts, total: dict | None = None) -> dict:
    """The sum of several {name: n} counts (of groups of a grouped count), into `total`."""
    added = Counter(total or {})
    for count in counts:
        added.update(count)  # update(), not +: a name counted 0 stays
    return dict(added)


class Actuals:
    """Register counts for one page, fetched in batches and kept.

    A unit's stars on several days and flows over several periods are one query
    (`stars_and_flows_by`); stars of every district of a province on one day are one query.

    The units merged into the first unit given (the page's: Bắc Kạn into Thái Nguyên) count in that
    unit's queries, so the targets of their plans cost the page no query per unit: its stars and flows
    are one pass grouped by the unit each product is recorded in (and by district when one of
    theirs is wanted), its producers one query with a count for each unit (a producer may own
    products in two), its published figures one query.
    """

    def __init__(self, *units: AdminUnit):
        self.days = defaultdict(set)
        self.district_days = defaultdict(list)
        self.windows = defaultdict(set)
        self.producer_days = defaultdict(set)
        self.cache = {}
        self.figures = {}
        self.units = {unit.pk: unit for unit in units}
        self.root = units[0] if units else None

    @cached_property
    def members(self) -> dict[int, AdminUnit]:
        """The units counted in the root's queries, by id: the root and the units merged into it, as
        its lineage walk found them (AdminUnit.merged_units, each knowing its own lineage); none when
        no unit was merged into it."""
        merged = self.root.merged_units if self.root else []
        return {unit.pk: unit for unit in (self.root, *merged)} if merged else {}

    def _same(self, unit: AdminUnit) -> AdminUnit:
        """One instance per unit, so its lineage (cached on the instance) is looked up once."""
        return self.members.get(unit.pk) or self.units.setdefault(unit.pk, unit)

    def want_stars(self, unit: AdminUnit, *days: datetime.date) -> None:
        if unit.level == AdminUnit.Level.DISTRICT:
            self.district_days[unit.parent_id].append((unit.pk, days))
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
            self.want_stars(unit, day)
            if unit.level != AdminUnit.Level.DISTRICT:
                self._count(unit)
            elif unit.parent_id in self.members:
                self._count(self.root)
            else:
                self.by_district(unit.parent, day)
                self.cache.setdefault(key, {})
        return self.cache[key]

    def _count(self, unit: AdminUnit) -> None:
        """Stars and flows of `unit` on each day and in each window wanted for it, in one query; for
        a member, of every member and of the members' districts wanted, grouped by the unit each
        product is recorded in (at the root's level) and, when a district is wanted, its district."""
        members, fields, districts = [unit], (), []
        if unit.pk in self.members:
            members = list(self.members.values())
            districts = [(pk, unit_days) for parent in self.members for pk, unit_days in self.district_days[parent]]
            fields = (self.root.level, "district") if districts else (self.root.level,)
        days = {d for member in members for d in self.days[member.pk]} | {d for _pk, ds in districts for d in ds}
        windows = {w for member in members for w in self.windows[member.pk]}
        day_keys, window_keys = {d.isoformat(): d for d in days}, {f"{a}_{b}": (a, b) for a, b in windows}
        stars, flows = Product.objects.in_unit(members[0]).stars_and_flows_by(fields, day_keys, window_keys)
        for member in members:
            lineage = set(member.lineage_ids)
            # Its groups: the units it holds (itself and those merged into it), or all when ungrouped.
            its_stars = [counts for group, counts in stars.items() if not fields or group[0] in lineage]
            its_flows = [counts for group, counts in flows.items() if not fields or group[0] in lineage]
            for key, day in day_keys.items():
                self.cache[("stars", member.pk, day)] = _add_up(counts[key] for counts in its_stars)
            for key, (start, end) in window_keys.items():
                moved = (counts[key] for counts in its_flows)
                self.cache[("flows", member.pk, start, end)] = _add_up(moved, no_flows())
        for key, day in day_keys.items() if fields else ():
            # As recorded: the root's own products and each merged unit's (ProvinceDashboard.by_place).
            recorded = defaultdict(list)
            for group, counts in stars.items():
                recorded[group[0]].append(counts[key])
            self.cache[("recorded", self.root.pk, day)] = {pk: _add_up(found) for pk, found in recorded.items()}
            for pk, _days in districts:
                in_district = (counts[key] for group, counts in stars.items() if group[1] == pk)
                self.cache[("stars", pk, day)] = _add_up(in_district)

    def recorded(self, day: datetime.date) -> dict[int, dict[int, int]]:
        """{id: {stars: n}} of the root's recognised products on `day` by the unit each is recorded in
        (itself and those merged into it), counted with its stars."""
        root = self.root
        if root.pk not in self.members:
            stars = self.stars(root, day)
            return {root.pk: stars} if stars else {}
        if ("recorded", root.pk, day) not in self.cache:
            self.want_stars(root, day)
            self._count(root)
        return {pk: stars for pk, stars in self.cache[("recorded", root.pk, day)].items() if stars}

    def by_district(self, province: AdminUnit, day: datetime.date) -> dict[tuple, dict[int, int]]:
        """{(district id, district name): {stars: n}} within `province` on `day`; (None, None) for
        products recorded without a district.

        All days wanted for the province's districts come in the same query.
        """
        province = self._same(province)
        key = ("districts", province.pk, day)
        if key not in self.cache:
            district_days = {day} | {d for _pk, unit_days in self.district_days[province.pk] for d in unit_days}
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
            self.want_flows(unit, start, end)
            self._count(unit)
        return self.cache[key]

    def producers(self, unit: AdminUnit, day: datetime.date) -> dict[str, int]:
        unit = self._same(unit)
        key = ("producers", unit.pk, day)
        if key not in self.cache:
            if unit.pk in self.members:
                # One count per unit and day: producers cannot be added up across units.
                wanted = {(unit.pk, day)} | {(pk, d) for pk in self.members for d in self.producer_days[pk]}
                keys = {f"{pk}_{d}": (pk, d) for pk, d in wanted}
                units = {k: self.members[pk] for k, (pk, _d) in keys.items() if pk != self.root.pk}
                series = Product.objects.in_unit(self.root).producers_series(
                    {k: d for k, (_pk, d) in keys.items()}, units
                )
                self.cache.update({("producers", pk, d): producer_totals(series[k]) for k, (pk, d) in keys.items()})
            else:
                days = sorted(self.producer_days[unit.pk] | {day})
                self.cache.update(
                    {("producers", unit.pk, d): totals for d, totals in producer_series(unit, days).items()}
                )
        return self.cache[key]

    def by_field(self, unit: AdminUnit, day: datetime.date, fields: tuple[str, ...]) -> dict[tuple, dict[int, int]]:
        """{(values of `fields`): {stars: n}} for `unit` on `day` (e.g. by product group)."""
        unit = self._same(unit)

        def count():
            counts = Product.objects.in_unit(unit).count_by_stars_and(fields, {"day": day})
            return {group: dict(by_day["day"]) for group, by_day in counts.items()}
        return self._cached(("by", unit.pk, day, fields), count)

    def figures_for(self, unit: AdminUnit) -> list[ReportedFigure]:
        """Published figures of a province and its districts, newest first, fetched once; those of
        the root and of every province merged into it in one query."""
        province = unit.parent_id if unit.level == AdminUnit.Level.DISTRICT else unit.pk
        provinces = list(self.members) if province in self.members else [province]
        if provinces[0] not in self.figures:
            self.figures[provinces[0]] = list(
                ReportedFigure.objects.filter(Q(unit__in=provinces) | Q(unit__parent__in=provinces))
                .select_related("indicator").order_by("-as_of")
            )
        return self.figures[provinces[0]]

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
