"""The published-figure sheet: a value of an indicator for a unit as of a date, with its source;
each is matched by unit, indicator, date and source, and its value updated."""

import datetime
from collections import Counter

import tablib
from django.utils.translation import gettext_lazy as _

from core.locks import serialise_writers
from targets.models import ReportedFigure

from ..rows import PLACE_COLUMNS, PLACE_LABELS, SheetRow, read_rows
from ..template import Template
from ..units import UnitResolver, provinces_named
from ..writers import save_row, told, unheard
from .base import SheetKind
from .targets import common, date_cell, indicator_names, indicators_by_name, place

FIGURE_COLUMNS = {
    "province": PLACE_COLUMNS["province"],
    "district": PLACE_COLUMNS["district"],
    "indicator": ("chi tieu", "indicator"),
    "as_of": ("ngay so lieu", "as of", "tinh den ngay", "ngay"),
    "value": ("gia tri", "value", "so lieu"),
    "source": ("nguon", "source", "ten nguon"),
    "source_url": ("dia chi nguon", "source address", "source url", "duong dan"),
    "note": ("ghi chu", "note"),
}
FIGURE_REQUIRED = ("province", "indicator", "as_of", "value", "source")
FIGURE_HEADERS = ["Tỉnh", "Huyện", "Chỉ tiêu", "Ngày số liệu", "Giá trị", "Nguồn", "Địa chỉ nguồn", "Ghi chú"]
LABELS = {
    **PLACE_LABELS, "indicator": _("Indicator"), "value": _("Value"), "note": _("Note"), "as_of": _("As of"),
    "source": _("Source"), "source_url": _("Source address"),
}


def parse(dataset: tablib.Dataset, as_of: datetime.date) -> tuple[list[SheetRow], list[str]]:
    """Every row of a published-figure sheet: a value of an indicator for a unit as of a date, with its source."""
    resolver, indicators = UnitResolver(provinces_named(dataset, FIGURE_COLUMNS)), indicators_by_name()

    def parse_row(row: SheetRow, cells: dict) -> SheetRow:
        text = common(row, cells, FIGURE_REQUIRED, indicators)
        v = row.values
        v["as_of"] = date_cell(row, "as_of", cells["as_of"]) if "as_of" in text else None
        v["source"] = " ".join(text.get("source", "").split())
        v["source_url"] = text.get("source_url", "")
        place(row, text, resolver, v["as_of"])
        return row

    return read_rows(dataset, FIGURE_COLUMNS, tuple((c,) for c in FIGURE_REQUIRED), parse_row)


def write(rows: list[SheetRow], record=None, written=unheard) -> Counter:
    counts = Counter()
    serialise_writers(provinces={row.values["province"].pk for row in rows})
    for row in told(rows, written):
        v = row.values
        key = {"unit": v["unit"], "indicator": v["indicator"], "as_of": v["as_of"], "source_name": v["source"]}
        figure = ReportedFigure.objects.filter(**key).first() or ReportedFigure(**key)
        outcome = save_row(
            row, figure, {"value": v["value"], "source_url": v["source_url"], "note": v["note"]},
            {
                "unit": "province", "source_name": "source", "value": "value", "source_url": "source_url",
                "__all__": "value",
            },
            record,
        )
        if outcome:
            counts[outcome] += 1
    return counts


def template() -> Template:
    """The blank published-figure sheet, with an example row."""
    example = ["Bắc Kạn", None, "Sản phẩm OCOP đạt 3 sao trở lên", datetime.date(2020, 9, 5), 107,
               "Báo Bắc Kạn", "https://baobackan.org.vn/", None]
    return Template(title="Số liệu", headers=FIGURE_HEADERS, example=example,
                     choices={"Chỉ tiêu": indicator_names()}, date_headers=("Ngày số liệu",))


KIND = SheetKind(
    name="figures", label=_("Published figures"), columns=FIGURE_COLUMNS, labels=LABELS, headers=FIGURE_HEADERS,
    permissions=("targets.add_reportedfigure", "targets.change_reportedfigure"),
    parse=parse, write=write, template=template, template_name="mau-so-lieu-cong-bo",
    preview=(("unit", "province"), ("indicator", "indicator"), ("as_of", "as_of"), ("value", "value"),
             ("source", "source"), ("note", "note")),
)
