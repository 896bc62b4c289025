"""Progress of plans: each target's actual value on a date, against a straight-line pace.

Counted indicators come from the register in a fixed number of aggregate queries per unit;
reported ones from the latest published figure on or before the date.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from products.models import RECOGNISED_STARS, Producer, Product
from provinces.models import AdminUnit

from .models import Indicator, Plan, ReportedFigure, Target

PRODUCER_TYPE_INDICATORS = {
    "producers_enterprise": Producer.Type.ENTERPRISE,
    "producers_cooperative": Producer.Type.COOPERATIVE,
    "producers_coop_group": Producer.Type.COOPERATIVE_GROUP,
    "producers_household": Producer.Type.HOUSEHOLD,
}


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


def register_totals(unit: AdminUnit, day: datetime.date) -> dict[str, int]:
    """Every stock indicator counted from the register for `unit` on `day`, in two queries.

    Products count once, at the stars of their standing rating ("ever recognised", as provinces
    publish); `products_in_force` only those whose certificate is still valid on `day`. Producers
    count when they own at least one recognised product.
    """
    recognised = Q(stars_on__gte=RECOGNISED_STARS)
    products = Product.objects.in_unit(unit).with_stars_on(day)
    totals = products.aggregate(
        products=Count("pk", filter=recognised),
        products_3star=Count("pk", filter=Q(stars_on=3)),
        products_4star=Count("pk", filter=Q(stars_on=4)),
        products_5star=Count("pk", filter=Q(stars_on=5)),
        products_4plus=Count("pk", filter=Q(stars_on__gte=4)),
        traceable_products=Count("pk", filter=recognised & Q(traceable=True)),
        ecommerce_products=Count("pk", filter=recognised & ~Q(ecommerce_channels="")),
        products_in_force=Count("pk", filter=recognised & Q(expires_on__gte=day)),
    )
    producers = Producer.objects.with_products_in(products.filter(recognised))
    by_type = producers.aggregate(
        producers=Count("pk"),
        **{code: Count("pk", filter=Q(type=kind)) for code, kind in PRODUCER_TYPE_INDICATORS.items()},
    )
    return totals | by_type


def register_flows(unit: AdminUnit, start: datetime.date, end: datetime.date) -> dict[str, int]:
    """Every flow indicator counted from the register for `unit` between start and end (inclusive)."""
    products = Product.objects.in_unit(unit)
    before = start - datetime.timedelta(days=1)
    return {
        "new_products": products.first_recognised_between(start, end).count(),
        "upgrades_to_4": products.upgraded_between(start, end, to_stars=4).count(),
        "upgrades_to_5": products.upgraded_between(start, end, to_stars=5).count(),
        "new_producers": Producer.objects.with_products_in(products.recognised_on(end))
        .exclude(pk__in=Producer.objects.with_products_in(products.recognised_on(before)))
        .count(),
    }


@dataclass
class TargetProgress:
    target: Target
    actual: Decimal | int | None
    expected: float | None
    status: str

    @property
    def percent(self) -> float | None:
        if self.actual is None:
            return None
        return round(float(self.actual) / float(self.target.value) * 100, 1)

    @property
    def status_label(self) -> str:
        return Status.labels[self.status]


class _Actuals:
    """Actual values for targets, computed once per (unit, date) or (unit, period) and reused."""

    def __init__(self):
        self.cache = {}

    def value(self, indicator: Indicator, unit: AdminUnit, start: datetime.date, day: datetime.date):
        if indicator.source == Indicator.Source.REPORTED:
            return self._reported(indicator, unit, start, day)
        if indicator.period == Indicator.Period.FLOW:
            key = ("flow", unit.pk, start, day)
            if key not in self.cache:
                self.cache[key] = register_flows(unit, start, day)
        else:
            key = ("stock", unit.pk, day)
            if key not in self.cache:
                self.cache[key] = register_totals(unit, day)
        return self.cache[key][indicator.code]

    @staticmethod
    def _reported(indicator, unit, start, day):
        figures = ReportedFigure.objects.filter(unit=unit, indicator=indicator, as_of__lte=day)
        if indicator.period == Indicator.Period.FLOW:
            figures = figures.filter(as_of__gte=start)
        latest = figures.order_by("-as_of").values_list("value", flat=True).first()
        return latest


def target_progress(target: Target, as_of: datetime.date, actuals: _Actuals | None = None) -> TargetProgress:
    """Actual, expected-by-now and status of one target on `as_of`."""
    actuals = actuals or _Actuals()
    plan, indicator = target.plan, target.indicator
    if as_of < plan.starts_on:
        return TargetProgress(target, None, None, Status.NOT_STARTED)
    day = min(as_of, target.deadline)
    actual = actuals.value(indicator, target.unit, plan.starts_on, day)
    if actual is None:
        return TargetProgress(target, None, None, Status.NO_DATA)
    baseline = 0
    if indicator.period == Indicator.Period.STOCK and indicator.source == Indicator.Source.COUNTED:
        baseline = actuals.value(indicator, target.unit, plan.starts_on, plan.starts_on - datetime.timedelta(days=1))
    span = (target.deadline - plan.starts_on).days
    elapsed = (day - plan.starts_on).days + 1
    expected = baseline + (float(target.value) - baseline) * min(1.0, elapsed / span)
    if actual >= target.value:
        status = Status.MET
    elif as_of >= target.deadline:
        status = Status.MISSED
    else:
        status = Status.ON_TRACK if actual >= expected else Status.BEHIND
    return TargetProgress(target, actual, round(expected, 1), status)


def targets_progress(targets, as_of: datetime.date) -> list[TargetProgress]:
    """Progress of each target in `targets` on `as_of`, sharing counts between targets of one unit."""
    actuals = _Actuals()
    targets = targets.select_related("indicator", "unit", "plan")
    return [target_progress(t, as_of, actuals) for t in targets]


def plan_progress(plan: Plan, as_of: datetime.date) -> list[TargetProgress]:
    """Every target of `plan` on `as_of`, in indicator order."""
    return targets_progress(plan.targets.all(), as_of)


def unit_progress(unit: AdminUnit, as_of: datetime.date) -> list[TargetProgress]:
    """Every target of every plan of `unit` on `as_of`, latest plans first."""
    targets = Target.objects.filter(plan__unit=unit).order_by("-plan__ends_on", "plan__starts_on", "plan__pk", "indicator__order", "unit__search_name")
    return targets_progress(targets, as_of)
