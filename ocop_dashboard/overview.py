"""The national overview: every province with data, legacy and current, in four queries."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from products.models import Product
from provinces.models import AdminUnit
from targets.models import Target
from targets.progress import DAY, Actuals, TargetProgress, target_progress

from .charts import StarsRow
from .dashboard import Table, choose_plan, number_formatter
from .lists import producer_link, product_link


@dataclass
class ProvinceRow:
    unit: AdminUnit
    stars: dict[int, int]
    producers: int
    headline: TargetProgress | None = None
    rank: int | None = None

    @property
    def products(self) -> int:
        return sum(self.stars.values())

    @property
    def line(self) -> StarsRow:
        return StarsRow.of(self.unit.display_name, self.stars)


def _lineages(provinces: list[AdminUnit]) -> dict[int, list[int]]:
    """Province id -> ids of itself and every province merged into it (through any chain)."""
    merged_into = defaultdict(list)
    for unit in provinces:
        if unit.successor_id:
            merged_into[unit.successor_id].append(unit.pk)
    def lineage(pk):
        return [pk, *(i for child in merged_into[pk] for i in lineage(child))]
    return {unit.pk: lineage(unit.pk) for unit in provinces}


def overview(as_of: datetime.date) -> list[ProvinceRow]:
    """Provinces with recognised products on `as_of`, ranked among the units that existed that day."""
    provinces = list(AdminUnit.objects.provinces().select_related("successor").order_by("search_name", "valid_to"))
    lineages = _lineages(provinces)
    targets = list(
        Target.objects.filter(
            indicator__code="products", unit__level=AdminUnit.Level.PROVINCE, plan__starts_on__lte=as_of
        ).select_related("plan", "unit", "indicator")
    )
    days = {as_of} | {min(as_of, t.deadline) for t in targets} | {t.plan.starts_on - DAY for t in targets}
    keys = {d.isoformat(): d for d in days}
    recorded = Product.objects.all().stars_by(("province",), keys)
    # Where their products are, as a province page counts them (a producer with products in two
    # provinces counts in each).
    by_province = Product.objects.all().producers_by(("province",), {"day": as_of})
    producers = {province: by_day["day"] for (province,), by_day in by_province.items()}
    actuals = Actuals()
    for unit in provinces:
        for key, day in keys.items():
            stars = defaultdict(int)
            for pk in lineages[unit.pk]:
                for s, n in recorded.get((pk,), {}).get(key, {}).items():
                    stars[s] += n
            actuals.cache[("stars", unit.pk, day)] = dict(stars)
    plans_by_unit = defaultdict(list)
    for target in targets:
        plans_by_unit[target.unit_id].append(target)
    rows = []
    for unit in provinces:
        row = ProvinceRow(
            unit, actuals.cache[("stars", unit.pk, as_of)], sum(producers.get(pk, 0) for pk in lineages[unit.pk])
        )
        unit_targets = plans_by_unit[unit.pk]
        plan = choose_plan([t.plan for t in unit_targets], as_of, None)
        head = next((t for t in unit_targets if plan and t.plan_id == plan.pk), None)
        row.headline = target_progress(head, as_of, actuals) if head else None
        if row.products or row.headline:
            rows.append(row)
    ranked = sorted((r for r in rows if r.unit.is_valid_on(as_of)), key=lambda r: -r.products)
    for rank, row in enumerate(ranked, 1):
        row.rank = rank
    return ranked + sorted((r for r in rows if r.rank is None), key=lambda r: -r.products)


def overview_table(rows: list[ProvinceRow], as_of: datetime.date) -> Table:
    """The overview's table, for its download and its page alike: each province's cells (`rows`,
    unformatted) and the page's line (`lines`: the same figures formatted once, with its link)."""
    columns = ["#", _("Province"), _("Now part of"), "3★", "4★", "5★", _("Products 3★+"), _("Producers"),
               _("Plan target"), _("Deadline"), "%", _("Status")]
    table, number = Table("overview", _("OCOP products by province"), columns), number_formatter()
    for row in rows:
        line, head, successor = row.line, row.headline, row.unit.successor
        target, percent = (head.target, head.percent) if head else (None, None)
        table.rows.append([
            row.rank, line.label, successor.name if successor else None, line.three, line.four, line.five, line.total,
            row.producers, float(target.value) if target else None,
            target.deadline.strftime("%d/%m/%Y") if target else None, percent, str(head.status_label) if head else None,
        ])
        table.lines.append({
            "rank": row.rank or "", "url": f"{row.unit.get_absolute_url()}?as_of={as_of:%Y-%m-%d}", "name": line.label,
            "merged": _("now part of %(successor)s") % {"successor": successor.name_in_text} if successor else "",
            "figures": [number(n) for n in (line.total, line.three, line.four, line.five, row.producers)],
            # Each figure with the list it counts: the province's products (of each star level), its producers.
            "cells": list(zip(
                [number(n) for n in (line.total, line.three, line.four, line.five, row.producers)],
                [product_link(row.unit, as_of), *(product_link(row.unit, as_of, stars=s) for s in (3, 4, 5)),
                 producer_link(row.unit, as_of)],
                strict=True,
            )),
            "target": f"{number(target.value)} ({target.deadline.year})" if target else "—",
            "percent": "—" if percent is None else f"{number(percent)}%",
            "status": head.status_label if head else "—",
        })
    return table
