"""The plan-and-target sheet: a target a row, with its plan's details (the plan, by province and name,
is created or updated from its rows, which must agree; each target is matched by indicator, unit and
deadline). Its row helpers serve the published-figure sheet too."""

import datetime
from collections import Counter
from decimal import Decimal, InvalidOperation

import tablib
from django.utils.translation import gettext_lazy as _

from core.locks import serialise_writers
from provinces.text import fold
from targets.models import Indicator, Plan, Target

from ..rows import PLACE_COLUMNS, PLACE_LABELS, SheetRow, filled, parse_date, read_rows
from ..template import Template
from ..units import UnitResolver, provinces_named
from ..writers import save_row, told, unheard
from .base import SheetKind

TARGET_COLUMNS = {
    "province": PLACE_COLUMNS["province"],
    "plan": ("ke hoach", "plan", "ten ke hoach", "de an"),
    "plan_kind": ("loai ke hoach", "plan kind", "loai"),
    "plan_number": ("so van ban", "document number", "so quyet dinh", "decision number"),
    "plan_date": ("ngay van ban", "document date", "ngay quyet dinh", "decision date", "ngay ban hanh"),
    "starts_on": ("tu ngay", "starts on", "bat dau", "start"),
    "ends_on": ("den ngay", "ends on", "ket thuc", "end"),
    "indicator": ("chi tieu", "indicator"),
    "district": PLACE_COLUMNS["district"],
    "deadline": ("han", "deadline", "thoi han"),
    "target": ("muc tieu", "target", "gia tri muc tieu"),
    "note": ("ghi chu", "note"),
}
TARGET_REQUIRED = ("province", "plan", "starts_on", "ends_on", "indicator", "target")
TARGET_HEADERS = ["Tỉnh", "Kế hoạch", "Loại kế hoạch", "Số văn bản", "Ngày văn bản", "Từ ngày", "Đến ngày",
                  "Chỉ tiêu", "Huyện", "Hạn", "Mục tiêu", "Ghi chú"]
LABELS = {
    **PLACE_LABELS, "plan": _("Plan"), "plan_kind": _("Plan kind"), "plan_number": _("Document number"),
    "plan_date": _("Document date"), "starts_on": _("Starts on"), "ends_on": _("Ends on"), "indicator": _("Indicator"),
    "deadline": _("Deadline"), "target": _("Target"), "note": _("Note"),
}
PLAN_KINDS = {
    "de an": Plan.Kind.PROGRAMME, "programme": Plan.Kind.PROGRAMME, "program": Plan.Kind.PROGRAMME,
    "ke hoach": Plan.Kind.PLAN, "plan": Plan.Kind.PLAN,
    "nam": Plan.Kind.YEAR, "hang nam": Plan.Kind.YEAR, "ke hoach nam": Plan.Kind.YEAR, "year": Plan.Kind.YEAR,
}


def indicators_by_name() -> dict[str, Indicator]:
    """Indicators by code, Vietnamese name and English name, folded."""
    return {fold(key): i for i in Indicator.objects.all() for key in (i.code, i.name, i.name_en)}


def number_cell(row: SheetRow, column: str, value) -> Decimal | None:
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


def date_cell(row: SheetRow, column: str, value):
    try:
        return parse_date(value)
    except ValueError:
        row.error(column, lambda: _("“%(value)s” is not a date: write dd/mm/yyyy.") % {"value": value})
        return None


def common(row: SheetRow, cells: dict, required: tuple[str, ...], indicators, value: str = "value") -> dict:
    text = filled(row, cells, required)
    v = row.values
    if "indicator" in text:
        v["indicator"] = indicators.get(fold(text["indicator"]))
        if v["indicator"] is None:
            row.error(
                "indicator",
                lambda: _("“%(value)s” is not an indicator: use its code or name.") % {"value": text["indicator"]},
            )
    if value in text:
        v["value"] = number_cell(row, value, cells[value])
        if v["value"] is not None and v["value"] < 0:
            row.error(value, lambda: _("“%(value)s” is negative.") % {"value": text[value]})
    v["note"] = text.get("note", "")
    return text


def place(row: SheetRow, text: dict, resolver: UnitResolver, day) -> None:
    """The province (as of `day`) and, when given, one of its districts: the unit a row is about."""
    v = row.values
    v["province"] = v["unit"] = None
    if "province" not in text or day is None:
        return
    v["province"] = v["unit"] = resolver.province(row, text["province"], day, day)
    if v["province"] is not None and "district" in text:
        v["unit"] = resolver.below(row, "district", text["district"], v["province"], day, day) or v["province"]


def parse(dataset: tablib.Dataset, as_of: datetime.date) -> tuple[list[SheetRow], list[str]]:
    """Every row of a plan-and-target sheet: one target per row, with its plan's details."""
    resolver, indicators = UnitResolver(provinces_named(dataset, TARGET_COLUMNS)), indicators_by_name()

    def parse_row(row: SheetRow, cells: dict) -> SheetRow:
        text = common(row, cells, TARGET_REQUIRED, indicators, "target")
        v = row.values
        v["plan"] = " ".join(text.get("plan", "").split())
        for column in ("starts_on", "ends_on", "plan_date", "deadline"):
            v[column] = date_cell(row, column, cells[column]) if column in text else None
        v["plan_number"] = text.get("plan_number", "")
        v["plan_kind"] = PLAN_KINDS.get(fold(text.get("plan_kind", "ke hoach")))
        if v["plan_kind"] is None:
            row.error(
                "plan_kind",
                lambda: _("“%(value)s” is not a plan kind: đề án, kế hoạch or năm.") % {"value": text["plan_kind"]},
            )
        v["deadline"] = v["deadline"] or v["ends_on"]
        place(row, text, resolver, v["starts_on"])
        return row

    return read_rows(dataset, TARGET_COLUMNS, tuple((c,) for c in TARGET_REQUIRED), parse_row)


PLAN_COLUMNS = {"name": "plan", "kind": "plan_kind", "decision_number": "plan_number", "decision_date": "plan_date",
                "starts_on": "starts_on", "ends_on": "ends_on", "unit": "province", "__all__": "ends_on"}


def write(rows: list[SheetRow], record=None, written=unheard) -> Counter:
    counts, plans, first_row = Counter(), {}, {}
    serialise_writers(provinces={row.values["province"].pk for row in rows})
    for row in told(rows, written):
        v = row.values
        plan_fields = {"kind": v["plan_kind"], "decision_number": v["plan_number"], "decision_date": v["plan_date"],
                       "starts_on": v["starts_on"], "ends_on": v["ends_on"]}
        key = (v["province"].pk, v["plan"].casefold())
        if key not in plans:
            plan = (
                Plan.objects.filter(unit=v["province"], name__iexact=v["plan"]).first()
                or Plan(unit=v["province"], name=v["plan"])
            )
            if save_row(row, plan, plan_fields, PLAN_COLUMNS, record) is None:
                continue
            plans[key], first_row[key] = plan, row.number
        plan = plans[key]
        if any(getattr(plan, field) != value for field, value in plan_fields.items()):
            row.error("plan", lambda: _("The plan's details differ from row %(row)s.") % {"row": first_row[key]})
            continue
        identity = {"plan": plan, "indicator": v["indicator"], "unit": v["unit"], "deadline": v["deadline"]}
        target = Target.objects.filter(**identity).first() or Target(**identity)
        outcome = save_row(
            row, target, {"value": v["value"], "note": v["note"]},
            {"unit": "district", "value": "target", "deadline": "deadline", "note": "note", "__all__": "target"},
            record,
        )
        if outcome:
            counts[outcome] += 1
    return counts


def indicator_names() -> list[str]:
    return list(Indicator.objects.order_by("order", "code").values_list("name", flat=True))


def template() -> Template:
    """The blank plan-and-target sheet, with an example row."""
    example = ["Bắc Kạn", "Kế hoạch thực hiện Chương trình OCOP năm 2024", "Kế hoạch", "12/KH-UBND",
               datetime.date(2024, 1, 5), datetime.date(2024, 1, 1), datetime.date(2024, 12, 31),
               "Sản phẩm OCOP đạt 3 sao trở lên", None, None, 25, None]
    return Template(
        title="Chỉ tiêu", headers=TARGET_HEADERS, example=example,
        choices={"Loại kế hoạch": ["Đề án", "Kế hoạch", "Năm"], "Chỉ tiêu": indicator_names()},
        date_headers=("Ngày văn bản", "Từ ngày", "Đến ngày", "Hạn"),
    )


KIND = SheetKind(
    name="targets", label=_("Plans and targets"), columns=TARGET_COLUMNS, labels=LABELS, headers=TARGET_HEADERS,
    permissions=("targets.add_plan", "targets.change_plan", "targets.add_target", "targets.change_target"),
    parse=parse, write=write, template=template, template_name="mau-ke-hoach-chi-tieu",
    preview=(("province", "province"), ("plan", "plan"), ("indicator", "indicator"), ("unit", "district"),
             ("deadline", "deadline"), ("value", "target"), ("note", "note")),
)
