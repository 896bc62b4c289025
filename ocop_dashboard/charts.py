"""Chart builders: plain rows in, a plotly figure out. No database, no request: tested as functions.

A figure is the plain {"data": [...], "layout": {...}} that plotly.js draws, not a
plotly.graph_objects.Figure: checking every property of a province page's four Figures took 10
of the 13 ms its charts cost, on every request. The tests check each builder's figures with
go.Figure instead, which refuses any property plotly.js would not know.

Colours: one blue hue from light (3★) to dark (5★), so stacks read in grey print and for
colour-blind readers; targets and projections use orange and a distinct dash and symbol.
"""

import datetime
import textwrap
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

STAR_COLOURS = {3: "#9ecae1", 4: "#4292c6", 5: "#08306b"}
TARGET_COLOUR = "#b85000"  # also the colour of the target's label: 5:1 on white, as WCAG AA asks of text
PATH_COLOUR = "#555555"
FONT = "system-ui, Segoe UI, Roboto, sans-serif"


@dataclass(frozen=True)
class StarsRow:
    """One line of a stars table and one bar of its chart: a label and its products 3★+ by stars."""

    label: str
    three: int = 0
    four: int = 0
    five: int = 0
    target: float | None = None  # the line's own target (a district's "≥25 products"), if any

    @classmethod
    def of(cls, label: str, stars: dict[int, int], target: float | None = None) -> "StarsRow":
        """The row of `label` from counts {stars: n} (Actuals.stars and the like)."""
        return cls(label, stars.get(3, 0), stars.get(4, 0), stars.get(5, 0), target)

    @property
    def total(self) -> int:
        return self.three + self.four + self.five

    def count(self, stars: int) -> int:
        return (self.three, self.four, self.five)[stars - 3]

    def cells(self, *, target: bool = False) -> list:
        """label, 3★, 4★, 5★, total (and the target): a table's row, unformatted."""
        return [self.label, self.three, self.four, self.five, self.total, *([self.target] if target else [])]


def _layout(**extra) -> dict:
    return {
        # No template: plotly.js's own defaults, as plotly's "none".
        "separators": ",.",  # Vietnamese: 1.234,5
        "font": {"family": FONT, "size": 13},
        "margin": {"l": 48, "r": 16, "t": 16, "b": 48},
        "legend": {"orientation": "h", "y": -0.18},
        "hoverlabel": {"namelength": -1},
        **extra,
    }


def _day(day: datetime.date) -> str:
    return date_format(day, "d/m/Y")


@dataclass
class ProgressChart:
    """What the province progress chart shows, all as plain values."""

    points: list[tuple[datetime.date, dict[int, int]]]  # stock by stars at each point
    targets: list[tuple[datetime.date, float, str]] = ()  # deadline, value, label
    path: tuple[tuple[datetime.date, float], tuple[datetime.date, float]] | None = None
    projection: tuple[tuple[datetime.date, float], tuple[datetime.date, float]] | None = None
    published: list[tuple[datetime.date, float, str]] = ()  # as of, value, source
    links: list[dict[int, str]] = ()  # beside each point, the product list of each star level


def progress_figure(chart: ProgressChart) -> dict:
    """Recognised products over time, stacked by stars, against targets, path, projection and published figures."""
    days = [day for day, _stars in chart.points]
    # One tick under each bar: the year for a year end, the full date otherwise (the as-of day, a deadline).
    ticks = sorted(set(days) | {d for d, _v, _l in chart.targets})
    labels = [str(d.year) if (d.month, d.day) == (12, 31) and d in days else _day(d) for d in ticks]
    data = [
        {"type": "bar", "x": days, "y": [counts.get(stars, 0) for _day_, counts in chart.points], "name": f"{stars}★",
         "marker": {"color": colour}, "width": 1000 * 3600 * 24 * 200,
         # [label, the address a click opens] (static/js/charts.js)
         "customdata": [[_day(d), links.get(stars)] for d, links in zip(days, _links(chart.links, days), strict=True)],
         "hovertemplate": f"{stars}★ %{{customdata[0]}}: %{{y:,}}<extra></extra>"}
        for stars, colour in STAR_COLOURS.items()
    ]
    if chart.path:
        (start, base), (end, goal) = chart.path
        data.append({"type": "scatter", "x": [start, end], "y": [base, goal], "mode": "lines",
                     "name": _("Straight-line path to the target"), "hoverinfo": "skip",
                     "line": {"color": PATH_COLOUR, "dash": "dash", "width": 2}})
    if chart.projection:
        (start, now), (end, projected) = chart.projection
        data.append({"type": "scatter", "x": [start, end], "y": [now, projected], "mode": "lines+markers",
                     "name": _("At the recent pace"), "line": {"color": TARGET_COLOUR, "dash": "dot", "width": 2},
                     "marker": {"symbol": "circle-open", "size": 8}, "customdata": [_day(start), _day(end)],
                     "hovertemplate": "%{customdata}: %{y:,.0f}<extra></extra>"})
    if chart.targets:
        data.append({"type": "scatter", "x": [d for d, _v, _l in chart.targets],
                     "y": [v for _d, v, _l in chart.targets], "mode": "markers", "name": _("Target"),
                     "marker": {"symbol": "diamond", "size": 13, "color": TARGET_COLOUR},
                     "text": [label for _d, _v, label in chart.targets], "hovertemplate": "%{text}<extra></extra>"})
    if chart.published:
        data.append({"type": "scatter", "x": [d for d, _v, _s in chart.published],
                     "y": [v for _d, v, _s in chart.published], "mode": "markers", "name": _("Published figure"),
                     "marker": {"symbol": "x-thin-open", "size": 11, "color": "#000000", "line": {"width": 2}},
                     "text": [f"{_day(d)}: {v:,.0f} — {source}".replace(",", ".") for d, v, source in chart.published],
                     "hovertemplate": "%{text}<extra></extra>"})
    return {"data": data, "layout": _layout(
        barmode="stack", xaxis={"type": "date", "tickvals": ticks, "ticktext": labels},
        yaxis={"title": {"text": _("Products 3★+")}, "rangemode": "tozero"},
    )}


def _links(links, rows) -> list:
    """`links`, or no link for each of `rows` when there are none."""
    return list(links) if links else [{} for _row in rows]


def _wrap(label: str, width: int = 22) -> str:
    return "<br>".join(textwrap.wrap(label, width)) or label


def _row_height(labels: list[str], least: int) -> int:
    """Pixels per bar: room for the longest wrapped label's lines, so none runs into the next."""
    return max(least, 16 * max((label.count("<br>") + 1 for label in labels), default=1))


def stacked_bars_figure(rows: list[StarsRow], *, links=None) -> dict:
    """Horizontal bars, one per row, stacked by stars; each row's own target (a district's "≥25
    products") a mark across its bar.

    `links`: beside each row, its table's links (Table.links: columns 1-3 the lists of 3★, 4★, 5★),
    which a click on a bar opens (static/js/charts.js reads them from customdata).
    """
    labels = [_wrap(row.label) for row in rows]
    data = [
        {"type": "bar", "y": labels, "x": [row.count(stars) for row in rows], "orientation": "h",
         "name": f"{stars}★", "marker": {"color": colour}, "hovertemplate": f"%{{y}} {stars}★: %{{x:,}}<extra></extra>",
         **({"customdata": [row_links[stars - 2] for row_links in links]} if links else {})}
        for stars, colour in STAR_COLOURS.items()
    ]
    aimed = [(label, row.target) for label, row in zip(labels, rows, strict=True) if row.target is not None]
    if aimed:
        target = _("Target")
        data.append({
            "type": "scatter", "mode": "markers", "name": target, "y": [label for label, _t in aimed],
            "x": [value for _l, value in aimed], "cliponaxis": False,
            "marker": {"symbol": "line-ns-open", "size": 18, "color": TARGET_COLOUR, "line": {"width": 3}},
            "hovertemplate": f"%{{y}} — {target}: %{{x:,}}<extra></extra>",
        })
    return {"data": data, "layout": _layout(
        barmode="stack", height=max(220, _row_height(labels, 30) * len(rows) + 110),
        yaxis={"autorange": "reversed", "automargin": True}, xaxis={"rangemode": "tozero"},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0, "traceorder": "normal"},
        margin={"l": 8, "r": 16, "t": 40, "b": 32},
    )}


def bars_figure(rows: list[tuple[str, int]], *, title: str, links: list[str] | None = None) -> dict:
    """Simple horizontal bars (e.g. producers by type); `links`, beside each row, what a click on its bar opens."""
    labels = [_wrap(r[0]) for r in rows]
    data = [{"type": "bar", "y": labels, "x": [r[1] for r in rows], "orientation": "h",
             "marker": {"color": STAR_COLOURS[4]}, "hovertemplate": "%{y}: %{x:,}<extra></extra>",
             **({"customdata": list(links)} if links else {})}]
    return {"data": data, "layout": _layout(
        height=max(200, _row_height(labels, 32) * len(rows) + 80),
        yaxis={"autorange": "reversed", "automargin": True},
        xaxis={"title": {"text": title}, "rangemode": "tozero"},
        showlegend=False, margin={"l": 8, "r": 16, "t": 16, "b": 48},
    )}
