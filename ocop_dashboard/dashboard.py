"""What the province dashboard and the overview show, built from batched counts (targets.progress.Actuals)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, Q
from django.template.defaultfilters import floatformat
from django.utils import numberformat
from django.utils.formats import date_format, get_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from products.models import Producer, Product, RatingDecision
from provinces.models import AdminUnit
from targets.models import Plan, Target
from targets.progress import DAY, Actuals, TargetProgress, target_progress, want

from . import charts
from .charts import StarsRow
from .lists import producer_link, product_link, products, target_link

PROGRAMME_START = 2018  # Decision 490/QĐ-TTg (7/5/2018) started the national programme
EXPIRY_WINDOW = datetime.timedelta(days=90)
YEAR = datetime.timedelta(days=365)


def number_formatter(places: int = 1):
    """A function writing a figure as floatformat:"-<places>g" writes it in the active language
    (1.234; 267,5; "—" for none), with the language's separators looked up once.

    Pages format their table cells in Python, once, not in the template: a hundred rows of
    filters and look-ups cost the overview more than its queries. Whole numbers, most cells,
    cost a fraction of floatformat's time this way.
    """
    decimal, grouping, thousands = (
        get_format(f) for f in ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR")
    )

    def number(value) -> str:
        if value is None:
            return "—"
        if value == int(value):
            if grouping == 3:  # Vietnamese and English: Python's own grouping, with the language's mark
                return f"{int(value):,}".replace(",", thousands)
            return numberformat.format(
                int(value), decimal, grouping=grouping, thousand_sep=thousands, force_grouping=True
            )
        return floatformat(value, f"-{places}g")
    return number


@dataclass
class Table:
    """A chart's numbers, shown under it and offered as a download.

    `rows` are the cells, unformatted (the download); `lines` what they were built from, which the
    page draws its chart from (StarsRow lines, (label, n) pairs), or the page's own lines (overview_table).
    """

    slug: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    lines: list = field(default_factory=list)
    # Beside each cell of `rows`, the address of the list it counts (None for a label, a target, a percentage).
    links: list[list[str | None]] = field(default_factory=list)

    def cells(self) -> list[list[str]]:
        """The rows as the page shows them: the first column as it is, figures formatted."""
        figure = number_formatter()
        return [["—" if row[0] is None else str(row[0]), *map(figure, row[1:])] for row in self.rows]

    def linked_cells(self) -> list[list[tuple[str, str | None]]]:
        """cells() with each cell's link (None where it has none)."""
        links = self.links or [[] for _row in self.rows]
        return [
            [(cell, row_links[i] if i < len(row_links) else None) for i, cell in enumerate(cells)]
            for cells, row_links in zip(self.cells(), links, strict=True)
        ]


def stars_links(link, row_filters: list[dict], *, targets: bool = False) -> list[list[str | None]]:
    """The links of a stars table's cells: none for the label (and target), the row's list with
    each star level, and the row's list for its total. `link(**filters)` makes an address."""
    return [
        [None, *(link(**filters, stars=stars) for stars in (3, 4, 5)), link(**filters), *([None] if targets else [])]
        for filters in row_filters
    ]


def stars_table(slug: str, title: str, label: str, lines: list[StarsRow], *, targets: bool = False) -> Table:
    """A table of stars rows: `label`, 3★, 4★, 5★, total, and with `targets` each line's target."""
    columns = [label, "3★", "4★", "5★", _("Total"), *([_("Target")] if targets else [])]
    return Table(slug, title, columns, [line.cells(target=targets) for line in lines], lines)


@dataclass
class CommuneBreakdown:
    table: Table
    covered: int  # of today's communes, those with a product 3★+
    communes: int


@dataclass
class Projection:
    day: datetime.date
    value: float
    target: float
    on_track: bool


def choose_plan(plans: list[Plan], as_of: datetime.date, plan_id: str | None) -> Plan | None:
    """The plan asked for, else the one running on `as_of`, else the latest begun, else the first."""
    by_id = {str(p.pk): p for p in plans}
    if plan_id in by_id:
        return by_id[plan_id]
    running = [p for p in plans if p.starts_on <= as_of <= p.ends_on]
    begun = [p for p in plans if p.starts_on <= as_of]
    # A multi-year plan is the headline over a yearly plan running at the same time.
    running.sort(key=lambda p: (p.kind == Plan.Kind.YEAR, -p.ends_on.toordinal()))
    return (running or sorted(begun, key=lambda p: p.ends_on, reverse=True) or plans or [None])[0]


def headline_target(progress: list[TargetProgress], unit: AdminUnit) -> TargetProgress | None:
    """The plan's target for products 3★+ in the whole province, if it has one."""
    return next((p for p in progress if p.target.indicator.code == "products" and p.target.unit_id == unit.pk), None)


def series_days(as_of: datetime.date) -> dict[str, datetime.date]:
    """Year ends from the programme's start up to `as_of`, the last one being `as_of` itself."""
    days = {str(year): datetime.date(year, 12, 31) for year in range(PROGRAMME_START, as_of.year)}
    days[str(as_of.year)] = as_of
    return days


def projection(
    actuals: Actuals, unit: AdminUnit, as_of: datetime.date, target: TargetProgress | None
) -> Projection | None:
    """Where the recent pace (the last 365 days) leads by the headline target's deadline."""
    if target is None or as_of >= target.target.deadline or as_of < target.target.plan.starts_on:
        return None
    now = sum(actuals.stars(unit, as_of).values())
    year_ago = sum(actuals.stars(unit, as_of - YEAR).values())
    remaining = (target.target.deadline - as_of).days / 365
    value = now + (now - year_ago) * remaining
    goal = float(target.target.value)
    return Projection(target.target.deadline, round(value), goal, value >= goal)


class ProvinceDashboard:
    """Everything the province page shows on `as_of` for the selected plan."""

    def __init__(self, unit: AdminUnit, as_of: datetime.date, plan_id: str | None = None):
        self.unit, self.as_of = unit, as_of
        # A province of today shows the plans of the provinces merged into it while it has none of its
        # own running (choose_legacy_plans): their plans come with its own, their targets with its
        # plan's, and their counts in its queries (Actuals: the units merged into the page's).
        former = {} if unit.is_legacy else {
            u.pk: u for u in unit.merged_units if u.successor_id == unit.pk and u.level == AdminUnit.Level.PROVINCE
        }
        plans = list(Plan.objects.filter(unit__in=[unit.pk, *former]).order_by("-starts_on", "kind"))
        self.plans = [p for p in plans if p.unit_id == unit.pk]
        self.plan = choose_plan(self.plans, as_of, plan_id)
        legacy = choose_legacy_plans(unit, as_of, self.plans, [p for p in plans if p.unit_id in former])
        self.actuals = actuals = Actuals(unit)
        self.days = series_days(as_of)
        actuals.want_stars(unit, *self.days.values(), as_of - YEAR)
        self.year_start = datetime.date(as_of.year, 1, 1)
        actuals.want_flows(unit, self.year_start, as_of)
        actuals.want_producers(unit, as_of)
        # Each target knows its plan already; a former province's, its unit too (with its lineage).
        plan_of = {plan.pk: plan for plan in [self.plan, *legacy.values()] if plan}
        targets = list(
            Target.objects.filter(plan__in=list(plan_of)).select_related("indicator", "unit", "unit__parent")
        ) if plan_of else []
        for target in targets:
            target.plan = plan_of[target.plan_id]
            target.unit = former.get(target.unit_id, target.unit)
        want(actuals, targets, as_of)
        progress = defaultdict(list)
        for target in targets:
            progress[target.plan_id].append(target_progress(target, as_of, actuals))
        self.progress = progress[self.plan.pk] if self.plan else []
        self.legacy_plans = [LegacyPlan(former[pk], plan, progress[plan.pk], as_of) for pk, plan in legacy.items()]
        self.headline = headline_target(self.progress, unit)
        self.projection = projection(actuals, unit, as_of, self.headline)

    def link(self, **filters) -> str:
        """The product list of this page's province and day, narrowed by `filters`."""
        return product_link(self.unit, self.as_of, **filters)

    @cached_property
    def links(self) -> dict[str, str]:
        """Where each headline count leads."""
        return {
            "products": self.link(), **{str(stars): self.link(stars=stars) for stars in (3, 4, 5)},
            "producers": producer_link(self.unit, self.as_of),
            "in_force": self.link(status="in_force"), "ever": self.link(status="ever"),
            "expired": self.link(status="expired"),
            # Products whose first 3★+ rating was decided this year by the day shown: the flow's "new products".
            "new": self.link(status="ever", year=self.as_of.year),
            # Upgraded this year: the flows' "upgrades to 4★ / 5★" (a product upgraded twice is in both).
            **{f"up{stars}": self.link(status="ever", event=f"up{stars}", since=f"{self.year_start:%Y-%m-%d}")
               for stars in (4, 5)},
        }

    @cached_property
    def standing(self) -> dict[str, int]:
        """{"ever": products rated 3★+ by the day shown, whatever became of that rating since;
        "in_force": recognised products whose certificate is in force}: the product lists with
        status=ever and status=in_force, counted in one query (the second inside the first)."""
        ever = products(self.unit, self.as_of, {"status": "ever"})
        in_force = products(self.unit, self.as_of, {"status": "in_force"})
        return ever.aggregate(ever=Count("pk"), in_force=Count("pk", filter=Q(pk__in=in_force.values("pk"))))

    @property
    def stars(self) -> dict[int, int]:
        return self.actuals.stars(self.unit, self.as_of)

    @property
    def products(self) -> int:
        return sum(self.stars.values())

    @property
    def producers(self) -> dict[str, int]:
        return self.actuals.producers(self.unit, self.as_of)

    @property
    def this_year(self) -> dict[str, int]:
        return self.actuals.flows(self.unit, self.year_start, self.as_of)

    def published(self) -> list:
        return [
            f for f in self.actuals.figures_for(self.unit)
            if f.unit_id == self.unit.pk and f.indicator.code == "products" and f.as_of <= self.as_of
        ]

    @cached_property
    def progress_chart(self) -> charts.ProgressChart:
        points = [(day, self.actuals.stars(self.unit, day)) for day in self.days.values()]
        chart = charts.ProgressChart(points=points)
        chart.links = [{stars: product_link(self.unit, day, stars=stars) for stars in (3, 4, 5)} for day, _s in points]
        head = self.headline
        if head:
            plan = head.target.plan
            chart.targets = [(head.target.deadline, float(head.target.value), f"{plan}: {head.target.value:g}")]
            chart.path = (
                (plan.starts_on - DAY, float(head.baseline)), (head.target.deadline, float(head.target.value))
            )
        if self.projection:
            chart.projection = ((self.as_of, float(self.products)), (self.projection.day, self.projection.value))
        chart.published = [(f.as_of, float(f.value), f.source_name) for f in self.published()]
        return chart

    def by_place(self) -> Table:
        """Legacy provinces by district; current provinces by the provinces merged into them."""
        if self.unit.is_legacy:
            counts = self.actuals.by_district(self.unit, self.as_of)
            title = _("Products 3★+ by district")
            targets = {p.target.unit_id: p for p in self.progress if p.target.unit.level == AdminUnit.Level.DISTRICT}
            # Districts with a target but no product yet still belong in the table.
            counts = {**{(pk, p.target.unit.short_name): {} for pk, p in targets.items()}, **counts}
            lines = [
                StarsRow.of(name or _("District not recorded"), s,
                            float(targets[pk].target.value) if pk in targets else None)
                for (pk, name), s in sorted(
                    counts.items(), key=lambda item: (item[0][0] is None, -sum(item[1].values()))
                )
            ]
            table = stars_table("by-district", title, _("District"), lines, targets=True)
            ordered = sorted(counts, key=lambda key: (key[0] is None, -sum(counts[key].values())))
            slugs = dict(AdminUnit.objects.filter(pk__in=[pk for pk, _name in ordered if pk]).values_list("pk", "slug"))
            table.links = stars_links(
                self.link, [{"unit": slugs[pk]} if pk else {"unrecorded": "district"} for pk, _name in ordered],
                targets=True,
            )
            return table
        # Counted with the page's stars (Actuals.recorded), named from its lineage walk.
        units = {u.pk: u for u in (self.unit, *self.unit.merged_units)}
        counts = self.actuals.recorded(self.as_of)
        ordered = sorted(counts.items(), key=lambda item: (-sum(item[1].values()), units[item[0]].search_name))
        lines = [
            StarsRow.of(_("%(name)s (until 2025)") % {"name": unit.short_name} if unit.valid_to else unit.short_name, s)
            for unit, s in ((units[pk], s) for pk, s in ordered)
        ]
        table = stars_table("by-province", _("Products 3★+ by former province"), _("Recorded in"), lines, targets=True)
        table.links = stars_links(self.link, [{"unit": units[pk].slug} for pk, _s in ordered], targets=True)
        return table

    @cached_property
    def communes(self) -> "CommuneBreakdown | None":
        """Current provinces: products 3★+ in each of today's communes, counting those recorded in a
        commune merged into it; every commune is listed, those with none too. None for a legacy province.

        "Mỗi xã một sản phẩm": how many communes have a recognised product is the programme's own measure.
        """
        if self.unit.is_legacy:
            return None
        # Counted by the commune recorded and named by a second query: naming them in the count made
        # PostgreSQL hash all 14,000 units (9.5 ms for Cao Bằng; 4.1 ms this way).
        found = self.actuals.by_field(self.unit, self.as_of, ("commune",))
        recorded = [pk for (pk,) in found if pk is not None]
        units = AdminUnit.objects.filter(
            Q(parent=self.unit, level=AdminUnit.Level.COMMUNE) | Q(pk__in=recorded)
        ).order_by()
        fields = ("pk", "name", "search_name", "successor", "parent", "slug")
        named = {pk: rest for pk, *rest in units.values_list(*fields)}
        today = {
            pk: (name, key, defaultdict(int), pk)
            for pk, (name, key, _successor, parent, _slug) in named.items()
            if parent == self.unit.pk
        }
        lines = dict(today)  # and the lines of products no commune of today holds
        for (commune,), stars in found.items():
            if commune is None:
                into, name, key = None, _("Commune not recorded"), "\uffff"  # last among equals
            else:
                name, key, successor, _parent, _slug = named[commune]
                into = successor if successor in today else commune
                if into not in today:  # a former commune split between today's: none holds it all
                    name = _("%(name)s (former)") % {"name": name}
            # (The product list's recorded_in() is this rule: a commune of today with those merged into it.)
            by_stars = lines.setdefault(into, (name, key, defaultdict(int), into))[2]
            for level, n in stars.items():
                by_stars[level] += n
        ordered = sorted(lines.values(), key=lambda line: (-sum(line[2].values()), line[1]))
        rows = [StarsRow.of(name, s) for name, _key, s, _pk in ordered]
        covered = sum(1 for _name, _key, stars, _pk in today.values() if stars)
        table = stars_table("by-commune", _("Products 3★+ by commune or ward"), _("Commune or ward"), rows)
        table.links = stars_links(
            self.link, [{"unit": named[pk][4]} if pk else {"unrecorded": "commune"} for _n, _k, _s, pk in ordered]
        )
        return CommuneBreakdown(table, covered, len(today))

    def by_group(self) -> Table:
        counts = self.actuals.by_field(self.unit, self.as_of, ("group__code", "group__name", "group__name_en"))
        ordered = sorted(counts.items())
        lines = [StarsRow.of(in_language(name, name_en), s) for (_code, name, name_en), s in ordered]
        table = stars_table("by-group", _("Products 3★+ by product group"), _("Group"), lines)
        table.links = stars_links(self.link, [{"group": code} for (code, _name, _name_en), _s in ordered])
        return table

    def by_producer_type(self) -> Table:
        lines = [(str(kind.label), self.producers[f"producers_{kind}"]) for kind in Producer.Type]
        columns = [_("Producer type"), _("Producers")]
        table = Table("by-producer-type", _("Producers by type"), columns, [[*line] for line in lines], lines)
        table.links = [[None, producer_link(self.unit, self.as_of, type=kind.value)] for kind in Producer.Type]
        return table

    def series(self) -> Table:
        lines = [StarsRow.of(date_format(day, "d/m/Y"), s) for day, s in self.progress_chart.points]
        table = stars_table("progress", _("Products 3★+ over time"), _("As of"), lines)
        table.links = [
            [None, *(product_link(self.unit, day, stars=stars) for stars in (3, 4, 5)), product_link(self.unit, day)]
            for day, _s in self.progress_chart.points
        ]
        return table

    def target_lines(self) -> list[dict]:
        """The targets table (targets_table) as the page shows it: each target's status and cells, formatted
        once, each cell with its link (the actual's list, target_link)."""
        number, percent = number_formatter(places=2), number_formatter()
        return [
            {
                "status": p.status, "label": label,
                "cells": [
                    (indicator, None), (unit, None), (deadline, None), (number(target), None),
                    (number(actual), target_link(p, self.as_of)),
                    ("—" if share is None else f"{percent(share)}%", None),
                ],
            }
            for p, (indicator, unit, deadline, target, actual, share, label) in zip(
                self.progress, self.targets_table().rows, strict=True
            )
        ]

    def targets_table(self) -> Table:
        rows = [[in_language(p.target.indicator.name, p.target.indicator.name_en), p.target.unit.short_name,
                 date_format(p.target.deadline, "d/m/Y"),
                 float(p.target.value), None if p.actual is None else float(p.actual), p.percent, str(p.status_label)]
                for p in self.progress]
        headers = [_("Indicator"), _("Unit"), _("Deadline"), _("Target"), _("Actual"), "%", _("Status")]
        return Table("targets", _("Targets"), headers, rows)

    def expiring(self):
        """Recognised products whose standing certificate lapses within 90 days of `as_of`."""
        return expiring_products(self.unit, self.as_of)[:50]

    def lapsed(self):
        """Recognised products whose standing certificate lapsed in the 365 days before `as_of`, latest first:
        of the product list with status=expired, those of the last year."""
        return (
            products(self.unit, self.as_of, {"status": "expired"}).filter(expires_on__gte=self.as_of - YEAR)
            .select_related("producer").order_by("-expires_on", "search_name")[:50]
        )

    def latest_decisions(self):
        """The ten latest decisions on or before `as_of` rating products of this unit, with how many."""
        return (
            RatingDecision.objects.filter(date__lte=self.as_of, ratings__product__in=Product.objects.in_unit(self.unit))
            .annotate(rated=Count("ratings")).order_by("-date", "number")[:10]
        )

    def tables(self) -> list[Table]:
        communes = [self.communes.table] if self.communes else []
        return [
            self.series(), self.targets_table(), self.by_place(), self.by_group(), self.by_producer_type(), *communes,
        ]


@dataclass
class LegacyPlan:
    """A former province's plan with its targets' progress, as that province's own page shows them."""

    unit: AdminUnit
    plan: Plan
    progress: list[TargetProgress]
    as_of: datetime.date

    # The targets table as the former province's own page writes it: one definition.
    targets_table = ProvinceDashboard.targets_table
    target_lines = ProvinceDashboard.target_lines


def choose_legacy_plans(
    unit: AdminUnit, as_of: datetime.date, own_plans: list[Plan], former_plans: list[Plan]
) -> dict[int, Plan]:
    """For a current province none of whose `own_plans` runs on `as_of`: {id: plan} of each province
    merged into it that has a plan among `former_plans`, the plan its own page chooses on `as_of`
    (choose_plan), in the order of their names; {} otherwise. The page shows their targets' progress
    (ProvinceDashboard.legacy_plans, LegacyPlan).

    Products recorded in Bắc Kạn count for Thái Nguyên after 1/7/2025, but until Thái Nguyên adopts a
    plan, the plan in force is still Bắc Kạn's 2021–2025 one: leadership reads it on the new page.
    """
    if unit.is_legacy or any(p.starts_on <= as_of <= p.ends_on for p in own_plans):
        return {}
    by_unit: dict[int, list[Plan]] = defaultdict(list)
    for plan in former_plans:
        by_unit[plan.unit_id].append(plan)
    names = {u.pk: u.search_name for u in unit.merged_units}
    return {pk: choose_plan(by_unit[pk], as_of, None) for pk in sorted(by_unit, key=names.__getitem__)}


def expiring_products(unit: AdminUnit, as_of: datetime.date):
    """Products of `unit` recognised on `as_of` whose standing certificate lapses within 90 days of
    it, soonest first: the province page's list and the weekly e-mail (send_expiring)."""
    return (
        Product.objects.in_unit(unit).with_stars_on(as_of)
        .filter(stars_on__gte=3, expires_on__range=(as_of, as_of + EXPIRY_WINDOW))
        .select_related("producer").order_by("expires_on", "search_name")
    )


def in_language(name: str, name_en: str) -> str:
    """Reference data's name in the active language: its English name in the English interface, when it has one."""
    return name_en if name_en and (get_language() or "").startswith("en") else name
