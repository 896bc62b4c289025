"""Reading plan-and-target sheets and published-figure sheets into checked rows (see products/sheets.py
for the conventions: headers in Vietnamese or English, day-first dates, errors naming row and column)."""

from decimal import Decimal, InvalidOperation

import tablib
from django.utils.translation import gettext_lazy as _

from products.sheets import COLUMN_LABELS, COLUMNS, SheetRow, UnitResolver, filled, parse_date, provinces_named, read_rows
from provinces.text import fold

from .models import Indicator, Plan

TARGET_COLUMNS = {
    "province": COLUMNS["province"],
    "plan": ("ke hoach", "plan", "ten ke hoach", "de an"),
    "plan_kind": ("loai ke hoach", "plan kind", "loai"),
    "plan_number": ("so van ban", "document number", "so quyet dinh", "decision number"),
    "plan_date": ("ngay van ban", "document date", "ngay quyet dinh", "decision date", "ngay ban hanh"),
    "starts_on": ("tu ngay", "starts on", "bat dau", "start"),
    "ends_on": ("den ngay", "ends on", "ket thuc", "end"),
    "indicator": ("chi tieu", "indicator"),
    "district": COLUMNS["district"],
    "deadline": ("han", "deadline", "thoi han"),
    "target": ("muc tieu", "target", "gia tri muc tieu"),
    "note": ("ghi chu", "note"),
}
FIGURE_COLUMNS = {
    "province": COLUMNS["province"],
    "district": COLUMNS["district"],
    "indicator": ("chi tieu", "indicator"),
    "as_of": ("ngay so lieu", "as of", "tinh den ngay", "ngay"),
    "value": ("gia tri", "value", "so lieu"),
    "source": ("nguon", "source", "ten nguon"),
    "source_url": ("dia chi nguon", "source address", "source url", "duong dan"),
    "note": ("ghi chu", "note"),
}
# Columns every row needs (in the header row, and filled in on each row).
TARGET_REQUIRED = ("province", "plan", "starts_on", "ends_on", "indicator", "target")
FIGURE_REQUIRED = ("province", "indicator", "as_of", "value", "source")
TARGET_HEADERS = ["Tỉnh", "Kế hoạch", "Loại kế hoạch", "Số văn bản", "Ngày văn bản", "Từ ngày", "Đến ngày",
                  "Chỉ tiêu", "Huyện", "Hạn", "Mục tiêu", "Ghi chú"]
FIGURE_HEADERS = ["Tỉnh", "Huyện", "Chỉ tiêu", "Ngày số liệu", "Giá trị", "Nguồn", "Địa chỉ nguồn", "Ghi chú"]
COLUMN_LABELS |= {
    "plan": _("Plan"), "plan_kind": _("Plan kind"), "plan_number": _("Document number"),
    "plan_date": _("Document date"), "starts_on": _("Starts on"), "ends_on": _("Ends on"),
    "indicator": _("Indicator"), "deadline": _("Deadline"), "target": _("Target"), "value": _("Value"), "note": _("Note"),
    "as_of": _("As of"), "source": _("Source"), "source_url": _("Source address"),
}
PLAN_KINDS = {
    "de an": Plan.Kind.PROGRAMME, "programme": Plan.Kind.PROGRAMME, "program": Plan.Kind.PROGRAMME,
    "ke hoach": Plan.Kind.PLAN, "plan": Plan.Kind.PLAN,
    "nam": Plan.Kind.YEAR, "hang nam": Plan.Kind.YEAR, "ke hoach nam": Plan.Kind.YEAR, "year": Plan.Kind.YEAR,
}


def _indicators() -> dict[str, Indicator]:
    """Indicators by code, Vietnamese name and English name, folded."""
    return {fold(key): i for i in Indicator.objects.all() for key in (i.code, i.name, i.name_en)}


def _number(row: SheetRow, column: str, value) -> Decimal | None:
    try:
        text = str(value).strip().replace(" ", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        number = Decimal(text)
        if not number.is_finite():
            raise InvalidOperation
        return number
    except InvalidOperation:
        row.error(column, lambda: _("“%(value)s” is not a number.") % {"value": value})
        return None


def _date(row: SheetRow, column: str, value):
    try:
        return parse_date(value)
    except ValueError:
        row.error(column, lambda: _("“%(value)s” is not a date: write dd/mm/yyyy.") % {"value": value})
        return None


def _common(row: SheetRow, cells: dict, required: tuple[str, ...], indicators, value: str = "value") -> dict:
    text = filled(row, cells, required)
    v = row.values
    if "indicator" in text:
        v["indicator"] = indicators.get(fold(text["indicator"]))
        if v["indicator"] is None:
            row.error("indicator", lambda: _("“%(value)s” is not an indicator: use its code or name.") % {"value": text["indicator"]})
    if value in text:
        v["value"] = _number(row, value, cells[value])
        if v["value"] is not None and v["value"] < 0:
            row.error(value, lambda: _("“%(value)s” is negative.") % {"value": text[value]})
    v["note"] = text.get("note", "")
    return text


def _place(row: SheetRow, text: dict, resolver: UnitResolver, day) -> None:
    """The province (as of `day`) and, when given, one of its districts: the unit a row is about."""
    v = row.values
    v["province"] = v["unit"] = None
    if "province" not in text or day is None:
        return
    v["province"] = v["unit"] = resolver.province(row, text["province"], day, day)
    if v["province"] is not None and "district" in text:
        v["unit"] = resolver.below(row, "district", text["district"], v["province"], day, day) or v["province"]


def parse_target_rows(dataset: tablib.Dataset) -> tuple[list[SheetRow], list[str]]:
    """Every row of a plan-and-target sheet: one target per row, with its plan's details."""
    resolver, indicators = UnitResolver(provinces_named(dataset, TARGET_COLUMNS)), _indicators()

    def parse(row: SheetRow, cells: dict) -> SheetRow:
        text = _common(row, cells, TARGET_REQUIRED, indicators, "target")
        v = row.values
        v["plan"] = " ".join(text.get("plan", "").split())
        for column in ("starts_on", "ends_on", "plan_date", "deadline"):
            v[column] = _date(row, column, cells[column]) if column in text else None
        v["plan_number"] = text.get("plan_number", "")
        v["plan_kind"] = PLAN_KINDS.get(fold(text.get("plan_kind", "ke hoach")))
        if v["plan_kind"] is None:
            row.error("plan_kind", lambda: _("“%(value)s” is not a plan kind: đề án, kế hoạch or năm.") % {"value": text["plan_kind"]})
        v["deadline"] = v["deadline"] or v["ends_on"]
        _place(row, text, resolver, v["starts_on"])
        return row

    return read_rows(dataset, TARGET_COLUMNS, tuple((c,) for c in TARGET_REQUIRED), parse)


def parse_figure_rows(dataset: tablib.Dataset) -> tuple[list[SheetRow], list[str]]:
    """Every row of a published-figure sheet: a value of an indicator for a unit as of a date, with its source."""
    resolver, indicators = UnitResolver(provinces_named(dataset, FIGURE_COLUMNS)), _indicators()

    def parse(row: SheetRow, cells: dict) -> SheetRow:
        text = _common(row, cells, FIGURE_REQUIRED, indicators)
        v = row.values
        v["as_of"] = _date(row, "as_of", cells["as_of"]) if "as_of" in text else None
        v["source"] = " ".join(text.get("source", "").split())
        v["source_url"] = text.get("source_url", "")
        _place(row, text, resolver, v["as_of"])
        return row

    return read_rows(dataset, FIGURE_COLUMNS, tuple((c,) for c in FIGURE_REQUIRED), parse)
