"""The producer sheet: a producer a row, matched by province and name. Blank optional cells keep
what is stored."""

import datetime
from collections import Counter

import tablib
from django.utils.translation import gettext_lazy as _

from core.locks import serialise_writers
from products.exports import PRODUCER_HEADERS
from products.models import Producer
from provinces.text import fold

from ..rows import PLACE_LABELS, SheetRow, filled, read_rows
from ..template import Template
from ..units import UnitResolver, locate, provinces_named
from ..writers import save_row, told, unheard
from .base import SheetKind
from .products import COLUMNS, producer_type
from .products import LABELS as PRODUCT_LABELS

PRODUCER_COLUMNS = {
    **{key: COLUMNS[key] for key in ("province", "district", "commune", "producer", "producer_type")},
    "tax_code": ("ma so thue", "tax code", "mst"),
    "phone": ("dien thoai", "so dien thoai", "phone", "sdt"),
    "address": ("dia chi", "address"),
    "ocop_products": ("so san pham ocop", "ocop products"),  # in our exports; counted, never imported
}
LABELS = {**PLACE_LABELS, **{key: PRODUCT_LABELS[key] for key in ("producer", "producer_type")},
          "tax_code": _("Tax code"), "phone": _("Phone"), "address": _("Address"),
          "ocop_products": _("OCOP products")}
PRODUCER_REQUIRED = ("province", "producer")


def parse(dataset: tablib.Dataset, as_of: datetime.date) -> tuple[list[SheetRow], list[str]]:
    """Every row of a producer sheet, checked; unit names resolve to the units valid on `as_of`."""
    resolver = UnitResolver(provinces_named(dataset, PRODUCER_COLUMNS))

    def parse_row(row: SheetRow, cells: dict) -> SheetRow:
        text = filled(row, cells, PRODUCER_REQUIRED)
        v = row.values
        v["producer"] = " ".join(text.get("producer", "").split())
        v["producer_type"] = producer_type(text.get("producer_type"), v["producer"])
        if v["producer_type"] is None:
            row.error(
                "producer_type", lambda: _("“%(value)s” is not a producer type.") % {"value": text["producer_type"]}
            )
        v.update({column: text[column] for column in ("tax_code", "phone", "address") if column in text})
        if "province" in text:
            v["level"] = None
            locate(row, text, resolver, as_of, as_of)
        return row

    return read_rows(dataset, PRODUCER_COLUMNS, tuple((c,) for c in PRODUCER_REQUIRED), parse_row)


def write(rows: list[SheetRow], record=None, written=unheard) -> Counter:
    counts = Counter()
    serialise_writers(provinces={row.values["province"].pk for row in rows})
    for row in told(rows, written):
        v = row.values
        wanted = {"type": v["producer_type"], "district": v["district"], "commune": v["commune"],
                  **{key: v[key] for key in ("tax_code", "phone", "address") if key in v}}
        producer = (Producer.objects.filter(province=v["province"], search_name=fold(v["producer"])).first()
                    or Producer(name=v["producer"], province=v["province"]))
        outcome = save_row(row, producer, wanted, {"name": "producer", "type": "producer_type"}, record)
        if outcome:
            counts[outcome] += 1
    return counts


def template() -> Template:
    """The blank producer sheet, with an example row."""
    example = [
        "Bắc Kạn", "Na Rì", "Côn Minh", "Hợp tác xã Tài Hoan", "Hợp tác xã", "4700000000", "0209 3888 000",
        "Thôn Nà Đon",
    ]
    return Template(title="Chủ thể", headers=PRODUCER_HEADERS, example=example,
                     choices={"Loại hình chủ thể": list(Producer.TYPE_WORDS.values())})


KIND = SheetKind(
    name="producers", label=_("Producers"), columns=PRODUCER_COLUMNS, labels=LABELS, headers=PRODUCER_HEADERS,
    permissions=("products.add_producer", "products.change_producer"),
    parse=parse, write=write, template=template, template_name="mau-chu-the-ocop",
)
