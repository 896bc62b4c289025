"""The products and producers behind each dashboard count, and the links from a count to them.

One rule: a list is the province's products (ProductQuerySet.in_unit) narrowed by the same
QuerySet methods the counts group by (recorded_in, in_status, first_recognised_in), so a count and
its list cannot come apart.
"""

import datetime
from urllib.parse import urlencode

from django.db.models import F
from django.urls import reverse

from products.models import Producer, Product
from provinces.models import AdminUnit
from provinces.text import fold
from targets.models import Indicator
from targets.progress import TargetProgress


def products(province: AdminUnit, as_of: datetime.date, filters: dict, *, producer_type: bool = True):
    """The products of `province` on `as_of` that `filters` (ProductFilterForm.cleaned_data) keep,
    annotated with stars_on, expires_on, decided_on and decision_number of their standing rating."""
    found = Product.objects.in_unit(province)
    if filters.get("unit"):
        found = found.recorded_in(filters["unit"], province)
    if filters.get("unrecorded"):
        found = found.filter(**{f"{filters['unrecorded']}__isnull": True})
    if filters.get("group") is not None:
        found = found.filter(group__code=filters["group"])
    if producer_type and filters.get("type"):
        found = found.filter(producer__type=filters["type"])
    if filters.get("year"):
        year = filters["year"]
        found = found.first_recognised_in(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    if filters.get("event"):
        start, end = filters.get("since") or datetime.date.min, filters.get("until") or as_of
        if filters["event"] == "new":
            found = found.first_recognised_in(start, end)
        else:
            found = found.upgraded_in(int(filters["event"][-1]), start, end)
    if filters.get("feature") == "traceable":
        found = found.filter(traceable=True)
    elif filters.get("feature") == "online":
        found = found.sold_online()
    if filters.get("q"):
        found = found.filter(search_name__contains=fold(filters["q"]))
    found = found.in_status(filters.get("status") or "recognised", as_of)
    if filters.get("stars"):
        found = found.filter(stars_on=filters["stars"])
    if filters.get("stars_from"):
        found = found.filter(stars_on__gte=filters["stars_from"])
    return found


def listed_products(found):
    """`found` (products()) as a list shows them: with their producer, group, place and decision."""
    return found.annotate(
        decided_on=F("standing__decided_on"), decision_number=F("standing__decision__number"),
    ).select_related("producer", "group", "commune", "district", "province").order_by("search_name", "pk")


def producers(province: AdminUnit, as_of: datetime.date, filters: dict):
    """Producers owning a product of products() (as the producer counts count them: each once),
    of the producer type asked for. With event "new": those that own one on `until` (or `as_of`) and
    owned none the day before `since`, as the "new producers" indicator counts them
    (targets.progress.new_producers)."""
    if filters.get("event") == "new":
        owning = {key: value for key, value in filters.items() if key not in ("event", "since", "until")}
        found = Producer.objects.with_products_in(
            products(province, filters.get("until") or as_of, owning, producer_type=False))
        if filters.get("since"):
            before = products(province, filters["since"] - datetime.timedelta(days=1), owning, producer_type=False)
            found = found.exclude(pk__in=Producer.objects.with_products_in(before).values("pk"))
    else:
        found = Producer.objects.with_products_in(products(province, as_of, filters, producer_type=False))
    if filters.get("type"):
        found = found.filter(type=filters["type"])
    return found.select_related("province", "commune").order_by("search_name", "pk")


def shown_producer(producer: Producer, user) -> str:
    """A producer's name, except a household's to a visitor not signed in (a public dashboard): a
    household is named after a person, so it shows only its kind."""
    if producer.type == Producer.Type.HOUSEHOLD and not user.is_authenticated:
        return str(producer.get_type_display()).lower()
    return producer.name


def place(product) -> str:
    unit = product.commune or product.district or product.province
    return unit.name if unit else ""


def link(route: str, province: AdminUnit, as_of: datetime.date, **filters) -> str:
    """The address of the product or producer list (`route`) of `province` on `as_of`, narrowed by
    `filters` (those of ProductFilterForm; None and "" left out)."""
    query = {"as_of": f"{as_of:%Y-%m-%d}", **{k: v for k, v in filters.items() if v not in (None, "")}}
    return f"{reverse(route, args=[province.slug])}?{urlencode(query)}"


def product_link(province: AdminUnit, as_of: datetime.date, **filters) -> str:
    return link("dashboard:products", province, as_of, **filters)


def producer_link(province: AdminUnit, as_of: datetime.date, **filters) -> str:
    return link("dashboard:producers", province, as_of, **filters)


# The list of what each counted indicator counts (targets.progress: STARS_INDICATORS, FLOW_INDICATORS,
# PRODUCER_INDICATORS, register_totals), as the lists' filters. A flow's list is of its period.
TARGET_FILTERS = {
    "products": {}, "products_3star": {"stars": 3}, "products_4star": {"stars": 4},
    "products_5star": {"stars": 5}, "products_4plus": {"stars_from": 4}, "products_in_force": {"status": "in_force"},
    "traceable_products": {"feature": "traceable"}, "ecommerce_products": {"feature": "online"},
    "new_products": {"status": "ever", "event": "new"},
    "upgrades_to_4": {"status": "ever", "event": "up4"}, "upgrades_to_5": {"status": "ever", "event": "up5"},
}
PRODUCER_FILTERS = {"producers": {}, "new_producers": {"event": "new"},
                    **{f"producers_{kind}": {"type": kind} for kind in Producer.Type.values}}


def target_link(progress: TargetProgress, as_of: datetime.date) -> str | None:
    """Where a target's actual leads: the list of what it counts in its unit on the day it was counted
    (its deadline once passed), a district's or commune's in its province's list. None for a published
    figure and a target not started."""
    target = progress.target
    code, unit = target.indicator.code, target.unit
    if progress.actual is None or target.indicator.source != Indicator.Source.COUNTED:
        return None
    province, where = unit, {}
    if unit.level != AdminUnit.Level.PROVINCE:  # a district's or commune's target: its province's list of it
        where = {"unit": unit.slug}
        while province.level != AdminUnit.Level.PROVINCE:
            province = province.parent
    day = min(as_of, target.deadline)
    link, filters = (producer_link, PRODUCER_FILTERS[code]) if code in PRODUCER_FILTERS else (
        product_link, TARGET_FILTERS.get(code))
    if filters is None:
        return None
    period = {}
    if "event" in filters:
        period = {"since": f"{target.plan.starts_on:%Y-%m-%d}", "until": f"{day:%Y-%m-%d}"}
    return link(province, day, **where, **filters, **period)
