"""The product sheet: a rating a row, with its producer, product and decision (decision annexes,
yearly lists, old registers, our own exports). A year alone means "some day that year": the rating
counts from 31/12 of that year."""

import bisect
import datetime
import functools
from collections import Counter
from decimal import InvalidOperation

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from accounts.scope import refusal
from core.db import in_chunks
from core.locks import hold_for_tests, serialise_writers
from products.exports import HEADERS, LEVEL_WORDS
from products.models import Producer, Product, ProductGroup, Rating, RatingDecision, year_end
from products.sequence import lock_products, store_sequence
from provinces.models import REFORM_DATE
from provinces.text import fold

from ..rows import (
    LANGUAGES,
    PLACE_COLUMNS,
    PLACE_LABELS,
    UNWORDED,
    RowError,
    SheetRow,
    blank,
    cached_fold,
    filled,
    in_both,
    map_headers,
    parse_date,
    parse_score,
    parse_stars,
    read_rows,
)
from ..table import section_district
from ..template import Template
from ..titles import decision_in_title, issuer_values
from ..units import UnitResolver, address_units, locate, provinces_named
from ..writers import BATCH_SIZE, Tally, create_with_history, unheard
from .base import SheetKind

COLUMNS = {
    **PLACE_COLUMNS,
    "commune": ("xa", "commune", "xa/phuong", "phuong/xa", "xa/phuong/thi tran"),
    "producer": ("chu the", "producer", "ten chu the", "ten co so", "chu the ocop", "ten chu the ocop",
                 "producer name"),
    "producer_type": ("loai hinh chu the", "producer type", "loai hinh"),
    "product": ("ten san pham", "product", "san pham", "ten san pham ocop", "product name"),
    "group": ("nhom san pham", "group", "nhom", "phan nhom", "bo san pham", "nhom/phan nhom", "nhom, phan nhom",
              "phan nhom san pham"),
    "stars": ("so sao", "stars", "hang sao", "xep hang", "xep hang sao", "ket qua xep hang", "hang"),
    "score": ("diem", "score", "so diem", "tong diem", "diem danh gia"),
    "decision_number": ("so quyet dinh", "decision number", "quyet dinh"),
    "decision_date": ("ngay quyet dinh", "decision date"),
    "year": ("nam cong nhan", "year", "nam"),
    "level": ("cap cong nhan", "level", "cap"),
    "expires": ("ngay het han", "expires", "het han"),
    # The producer's address as an annex gives it: where its product is, when no unit columns say.
    "address": ("dia chi", "dia chi chu the", "address", "dia chi san xuat"),
}
REQUIRED = ("province", "producer", "product", "stars")
PLACES = ("province", "district", "commune")
LABELS = {
    **PLACE_LABELS, "producer": _("Producer"), "producer_type": _("Producer type"), "product": _("Product"),
    "group": _("Product group"), "stars": _("Stars"), "score": _("Score"), "decision_number": _("Decision number"),
    "decision_date": _("Decision date"), "year": _("Year"), "level": _("Level"), "expires": _("Expires"),
    "address": _("Address"),
}
PRODUCER_TYPES = {
    **{kind.value: kind for kind in Producer.Type}, **{fold(word): kind for kind, word in Producer.TYPE_WORDS.items()},
    "cong ty": Producer.Type.ENTERPRISE, "htx": Producer.Type.COOPERATIVE, "tht": Producer.Type.COOPERATIVE_GROUP,
    "cooperative group": Producer.Type.COOPERATIVE_GROUP, "ho kinh doanh": Producer.Type.HOUSEHOLD,
    "ho san xuat": Producer.Type.HOUSEHOLD, "co so": Producer.Type.HOUSEHOLD,
}
# With no type given, a producer's name often says it ("Công ty …", "HTX …"); else a household.
NAME_PREFIXES = tuple((word, kind) for word, kind in PRODUCER_TYPES.items()
                      if word in {"cong ty", "doanh nghiep", "hop tac xa", "htx", "to hop tac"})
LEVELS = {
    "tinh": RatingDecision.Level.PROVINCE,
    "cap tinh": RatingDecision.Level.PROVINCE,
    "province": RatingDecision.Level.PROVINCE,
    "huyen": RatingDecision.Level.DISTRICT,
    "cap huyen": RatingDecision.Level.DISTRICT,
    "district": RatingDecision.Level.DISTRICT,
    "quoc gia": RatingDecision.Level.NATIONAL,
    "trung uong": RatingDecision.Level.NATIONAL,
    "national": RatingDecision.Level.NATIONAL,
}


def _groups() -> dict[str, ProductGroup]:
    groups = {}
    for group in ProductGroup.objects.select_related("maps_to"):
        current = group.current
        groups[fold(group.name)] = current
        if group.scheme == ProductGroup.Scheme.CURRENT:
            groups[str(group.code)] = current
            groups[fold(group.name_en)] = current
    return groups


def producer_type(value, producer_name):
    if not blank(value):
        return PRODUCER_TYPES.get(cached_fold(str(value)))
    name = fold(producer_name)
    return next((kind for prefix, kind in NAME_PREFIXES if name.startswith(prefix)), Producer.Type.HOUSEHOLD)


def parse(dataset: tablib.Dataset, as_of: datetime.date) -> tuple[list[SheetRow], list[str]]:
    """Every data row of a product sheet, checked; and the headers that were not recognised. (Units
    resolve on each row's decision date; `as_of` is today, after which no decision may be dated.)"""
    resolver, groups, rules = UnitResolver(provinces_named(dataset)), _groups(), RatingRules()
    required = (("province", "address"), *((column,) for column in REQUIRED[1:]), ("decision_date", "year"))
    sections = _district_sections(dataset)
    return read_rows(dataset, COLUMNS, required,
                     lambda row, cells: _parse_row(row, cells, resolver, groups, rules, sections, as_of),
                     from_title=decision_in_title)


def _district_sections(dataset: tablib.Dataset) -> list[tuple[int, str]]:
    """(row, district) of each section line naming a district ("I. Huyện Ba Bể"), in order, when the
    sheet has no district column: the rows under it lie in that district (said in a note)."""
    if "district" in map_headers(dataset.headers or [], COLUMNS)[0].values():
        return []
    sections = [(number, district) for number, line in getattr(dataset, "sections", [])
                if (district := section_district(line)) and "district" in issuer_values(district)]
    if sections:
        dataset.notes = [*getattr(dataset, "notes", []), in_both(lambda: str(_(
            "The rows under a section line naming a district (such as “%(line)s”, row %(row)s) are placed in "
            "that district, when dated before 1/7/2025 and their address names none.") % {
            "line": sections[0][1], "row": sections[0][0]}))]
    return sections


TEXT_LIMITS = {
    "producer": Producer._meta.get_field("name").max_length,
    "product": Product._meta.get_field("name").max_length,
    "decision_number": RatingDecision._meta.get_field("number").max_length,
}




def _parse_row(row: SheetRow, cells: dict, resolver: UnitResolver, groups, rules: "RatingRules",
               sections=(), today: datetime.date | None = None) -> SheetRow:
    text = filled(row, cells, REQUIRED[1:] if "address" in cells else REQUIRED)
    v = row.values
    # When: a decision date, or a year alone (counting from 31/12 of that year).
    if "decision_date" in text:
        try:
            v["date"] = parse_date(cells["decision_date"])
            v["year_only"] = False
        except ValueError:
            row.error(
                "decision_date",
                lambda: _("“%(value)s” is not a date: write dd/mm/yyyy.") % {"value": text["decision_date"]},
            )
    elif "year" in text:
        try:
            year = int(float(text["year"].replace(",", ".")))
            if not 1990 <= year <= 2100:
                raise ValueError(year)
            v["date"], v["year_only"] = year_end(year), True
        except (ValueError, OverflowError):  # OverflowError: "inf", or more digits than a float holds
            row.error("year", lambda: _("“%(value)s” is not a year.") % {"value": text["year"]})
    else:
        row.error("decision_date", lambda: _("A decision date or a year is required."))
    if "date" in v and today and RatingDecision.future_date_error(v["date"], v["year_only"], today):
        row.error("year" if "year" in text and "decision_date" not in text else "decision_date",
                  lambda: RatingDecision.future_date_error(v["date"], v["year_only"], today))
    for column, parse, message in (
        ("stars", parse_stars, _("“%(value)s” is not a number of stars from 1 to 5.")),
        ("score", parse_score, _("“%(value)s” is not a score from 0 to 100.")),
        ("expires", parse_date, _("“%(value)s” is not a date: write dd/mm/yyyy.")),
    ):
        if column in text:
            try:
                v[column] = parse(cells[column])
            except (ValueError, InvalidOperation):
                row.error(column, lambda: message % {"value": text[column]})
    v["level"] = LEVELS.get(cached_fold(text.get("level", ""))) or (
        RatingDecision.Level.NATIONAL if v.get("stars") == 5 else RatingDecision.Level.PROVINCE)
    if "level" in text and cached_fold(text["level"]) not in LEVELS:
        row.error("level", lambda: _("“%(value)s” is not a level: tỉnh, huyện or quốc gia.") % {"value": text["level"]})
    if "group" not in text:
        row.warn("group", lambda: _("No product group given: group 1 (food) is used."))
    v["group"] = (
        groups.get(cached_fold(text.get("group", "1")).split(".")[0])
        or groups.get(cached_fold(text.get("group", "")))
    )
    if v["group"] is None:
        row.error(
            "group", lambda: _("“%(value)s” is not a product group (1–6 or its name).") % {"value": text["group"]}
        )
    v["producer_type"] = producer_type(text.get("producer_type"), text.get("producer", ""))
    if v["producer_type"] is None:
        row.error("producer_type", lambda: _("“%(value)s” is not a producer type.") % {"value": text["producer_type"]})
    for column, limit in TEXT_LIMITS.items():
        v[column] = " ".join(text.get(column, "").split())
        if len(v[column]) > limit:
            row.error(column, lambda: _("The cell holds %(length)s characters; at most %(limit)s fit.") % {
                "length": len(v[column]), "limit": limit})
    if "date" in v:
        above = bisect.bisect_right(sections, (row.number, "\uffff")) - 1  # the last section line above the row
        _place(row, text, resolver, v, sections[above][1] if above >= 0 else None)
    if "date" in v and "stars" in v:
        _check_rating(row, v, rules)
    return row



def _place(row: SheetRow, text: dict, resolver: UnitResolver, v: dict, section_district=None) -> None:
    """The row's units on its date, from the unit columns, else from the address (and a problem with
    a unit read from the address is said of the address), else the district from the section line
    above the row while there were districts."""
    start, end = (datetime.date(v["date"].year, 1, 1), v["date"]) if v["year_only"] else (v["date"], v["date"])
    from_address = {}
    if "address" in text and not all(level in text for level in PLACES):
        from_address = {level: name for level, name in address_units(text["address"], end < REFORM_DATE).items()
                        if level not in text}
        text.update(from_address)
    if section_district and "district" not in text and end < REFORM_DATE:
        text["district"] = section_district
    if "province" not in text:
        if "address" in text:
            row.error("address", lambda: _("The address names no province (nor does the title or the upload)."))
        elif not any(error.column == "province" for error in row.errors):  # not yet refused by filled()
            row.error("province", lambda: _("This cell is required."))
        return
    errors, warnings = len(row.errors), len(row.warnings)
    locate(row, text, resolver, start, end)
    for problem in (*row.errors[errors:], *row.warnings[warnings:]):
        if problem.column in from_address:
            problem.column = "address"


class RatingRules:
    """The model's own rules (stars for the level, score band, expiry after the decision): Rating.clean().

    One scratch rating and decision, refilled for each row: two new model instances a row cost
    more than the rest of the row's checks.
    """

    def __init__(self):
        self.rating = Rating(decision=RatingDecision())

    def errors(self, v) -> dict[str, str]:
        rating = self.rating
        rating.decision.level, rating.decision.date = v["level"], v["date"]
        rating.stars, rating.score, rating.expires = v["stars"], v.get("score"), v.get("expires")
        try:
            rating.clean()
        except ValidationError as error:
            return {name: " ".join(messages) for name, messages in error.message_dict.items()}
        return {}


def _check_rating(row, v, rules: RatingRules):
    # The rules do not depend on the language: check once, and word the errors in both only when there are some.
    if not rules.errors(v):
        return
    if not row.word_errors:
        row.errors.append(RowError(row.number, "stars", UNWORDED))
        return
    texts = in_both(lambda: rules.errors(v))
    for name in texts["vi"]:
        column = name if name in ("stars", "score", "expires") else "stars"
        row.errors.append(RowError(row.number, column, {language: texts[language][name] for language in LANGUAGES}))



def _issuing_body(values) -> tuple:
    level = values["level"]
    if level == RatingDecision.Level.NATIONAL:
        return None, "Bộ Nông nghiệp và Phát triển nông thôn"
    issuer = values["district"] if level == RatingDecision.Level.DISTRICT else values["province"]
    return issuer, f"UBND {issuer.name_in_sentence}"


def _decision_key(values) -> tuple:
    issuer, _body = _issuing_body(values)
    return RatingDecision.unique_key(values["decision_number"], values["date"], values["year_only"], values["level"],
                                     issuer.pk if issuer else None)


def write(rows: list[SheetRow], record=None, written=unheard) -> Counter:
    """Create or update each valid row's rating, with its producer, product and decision; count the
    outcomes. `written(done)` is told how far the writing is, on the scale of the rows (writers.Tally).

    The records a sheet touches are read in a few queries and the new ones written in bulk
    (create_with_history), to the same end as writing the rows one by one in sheet order: rows
    naming the same producer (province and folded name) share one, as do rows naming the same
    product of a producer or the same decision; a rating whose stars, score and expiry (when
    given) are the row's is unchanged.
    """
    valid_rows = [row for row in rows if not row.errors]
    valid = [row.values for row in valid_rows]
    folded = functools.cache(fold)  # names repeat down a sheet
    keys = [((v["province"].pk, folded(v["producer"])), folded(v["product"]), _decision_key(v)) for v in valid]
    # Before reading what exists: another import of these provinces or decisions writes first, or after.
    serialise_writers(provinces={v["province"].pk for v in valid}, decisions={key for _p, _n, key in keys})
    # Stored producers, products and decisions as values ({"id": …}), new ones as the rows
    # create_with_history will write: children name a parent by either, which has its id once written.
    producers = _existing_producers({producer_key for producer_key, _name, _decision in keys})
    products, elsewhere = _existing_products(producers)
    decisions = _existing_decisions({decision_key for _producer, _name, decision_key in keys})
    ratings = _existing_ratings(products, decisions)  # model instances, for bulk_update_with_history
    hold_for_tests()
    new = {Producer: [], Product: [], RatingDecision: [], Rating: []}
    changed, counts = {}, Counter()
    record_id = record.pk if record else None

    def add(model, **row):
        new[model].append(row)
        return row

    for row, (producer_key, product_name, decision_key) in zip(valid_rows, keys, strict=True):
        values = row.values
        location = {f"{key}_id": values[key].pk if values[key] else None for key in ("province", "district", "commune")}
        # search_name, decided_on and expires as the models' fill_derived_fields() sets them on save().
        if producer_key not in producers:
            producers[producer_key] = add(Producer, name=values["producer"], search_name=producer_key[1],
                                          type=values["producer_type"], **location)
        product_key = (producer_key, product_name)
        if product_key in elsewhere:
            # The producer's product of that name is recorded in another province: a row of this
            # province never writes to it, and the name is the producer's (unique), so none is made.
            row.error(
                "product",
                lambda: _("This producer already has a product named %(name)s.") % {"name": row.values["product"]},
            )
            continue
        if product_key not in products:
            products[product_key] = add(Product, name=values["product"], search_name=product_name,
                                        producer=producers[producer_key], group_id=values["group"].pk, **location)
        if decision_key not in decisions:
            issuer, body = _issuing_body(values)
            decisions[decision_key] = add(RatingDecision, number=values["decision_number"], number_key=decision_key[0],
                                          date=values["date"],
                                          level=values["level"], issuer_id=issuer.pk if issuer else None,
                                          issuing_body=body, year_only=values["year_only"])
        wanted = {"stars": values["stars"], "score": values.get("score")}
        if values.get("expires"):
            wanted["expires"] = values["expires"]
        rating = ratings.get((product_key, decision_key))
        if rating is None:
            ratings[product_key, decision_key] = add(
                Rating, product=products[product_key], decision=decisions[decision_key], import_record_id=record_id,
                decided_on=values["date"], **{"expires": Rating.certificate_expiry(values["date"]), **wanted})
            row.outcome = "created"
        elif isinstance(rating, dict):  # created by an earlier row: it is written with the last row's values
            if all(rating[key] == value for key, value in wanted.items()):
                row.outcome = "unchanged"
            else:
                rating.update(wanted)
                row.outcome = "updated"
        elif all(getattr(rating, key) == value for key, value in wanted.items()):
            row.outcome = "unchanged"
        else:
            for key, value in wanted.items():
                setattr(rating, key, value)
            rating.import_record = record
            changed[rating.pk] = rating
            row.outcome = "updated"
        counts[row.outcome] += 1
    # Before writing anything: an edit of these products' ratings meanwhile (the admin) goes first or
    # after. (Products this import creates are seen by no one else until it commits.)
    lock_products({rating["product"]["id"] for rating in new[Rating] if "id" in rating["product"]}
                  | {rating.product_id for rating in changed.values()})
    # Each record and its audit entry, each rating changed and its entry, each rating's product's periods.
    tally = Tally(written, len(valid_rows),
                  2 * sum(map(len, new.values())) + 2 * len(changed) + len(new[Rating]) + len(changed))
    # Parents first: each insert gives its rows their ids, which their children then take.
    for model, new_rows in new.items():
        create_with_history(model, new_rows, record=record, tally=tally)
    bulk_update_with_history(list(changed.values()), Rating, ["stars", "score", "expires", "import_record"],
                             batch_size=BATCH_SIZE, default_user=record.user if record else None,
                             custom_historical_attrs={"history_import": record})
    tally(2 * len(changed))
    # New ratings reorder their products' ratings; new stars change which of them are upgrades.
    store_sequence({row["product_id"] for row in new[Rating]} | {rating.product_id for rating in changed.values()},
                   locked=True)
    tally(len(new[Rating]) + len(changed))
    return counts


def _existing_producers(keys: set) -> dict:
    """{(province id, folded name): its values} for the producers of these keys that exist already."""
    found = in_chunks(Producer.objects.order_by().values("id", "province_id", "search_name"), "search_name",
                      {name for _province, name in keys})
    return {key: p for p in found if (key := (p["province_id"], p["search_name"])) in keys}


def _existing_products(producers: dict) -> tuple[dict, set]:
    """{(producer key, folded name): its values} for the products of these existing producers recorded in
    the province of the key (the row's), and the keys of their products recorded in another province."""
    key_of = {producer["id"]: key for key, producer in producers.items()}
    found = in_chunks(
        Product.objects.order_by().values("id", "producer_id", "search_name", "province_id"), "producer", key_of
    )
    here, elsewhere = {}, set()
    for p in found:
        producer_key = key_of[p["producer_id"]]
        if p["province_id"] == producer_key[0]:
            here[producer_key, p["search_name"]] = p
        else:
            elsewhere.add((producer_key, p["search_name"]))
    return here, elsewhere


def _existing_decisions(keys: set) -> dict:
    """{decision key: its values} for the decisions of these keys that exist already."""
    decisions = {}
    found = RatingDecision.objects.order_by().values("id", "number", "date", "year_only", "level", "issuer_id")
    for d in in_chunks(found, "date", {key[1] for key in keys}):
        key = RatingDecision.unique_key(d["number"], d["date"], d["year_only"], d["level"], d["issuer_id"])
        if key in keys:
            decisions[key] = d
    return decisions


def _existing_ratings(products: dict, decisions: dict) -> dict:
    """{(product key, decision key): rating} for the existing products' ratings in these decisions."""
    product_key = {product["id"]: key for key, product in products.items()}
    decision_key = {decision["id"]: key for key, decision in decisions.items()}
    found = in_chunks(Rating.objects.order_by(), "product", product_key)
    return {(product_key[r.product_id], decision_key[r.decision_id]): r for r in found if r.decision_id in decision_key}


def duplicates(rows: list[SheetRow]) -> None:
    """Two rows rating the same product in the same decision: the later one is an error."""
    seen = {}
    for row in rows:
        v = row.values
        if row.errors or v.get("province") is None:
            continue
        key = (v["province"].pk, v["producer"].casefold(), v["product"].casefold(), _decision_key(v))
        if key in seen:
            first = seen[key]
            row.error("product", lambda: _("“%(product)s” is already rated in the same decision on row %(row)s.") % {
                "product": v["product"], "row": first})
        else:
            seen[key] = row.number


def unauthorised_decisions(rows: list[SheetRow], scope) -> None:
    """A row whose decision the user may not record in the admin's form (a national decision for
    staff, another province's) is an error on the column that says so: the forms' rule, refusal()."""
    for row in rows:
        v = row.values
        if row.errors or v.get("province") is None or refusal(scope, v["province"]) is not None:
            continue  # unreadable, or refused by _outside already
        issuer, _body = _issuing_body(v)
        if (reason := refusal(scope, issuer)) is not None:
            if issuer is None:
                column = "level"
            else:
                column = "district" if v["level"] == RatingDecision.Level.DISTRICT else "province"
            row.error(column, lambda reason=reason: reason)



def template() -> Template:
    """The blank product sheet, with a Bắc Kạn example row."""
    groups = [str(group) for group in ProductGroup.objects.filter(scheme=ProductGroup.Scheme.CURRENT).order_by("code")]
    example = [
        "Bắc Kạn", "Na Rì", "Côn Minh", "Hợp tác xã Tài Hoan", "Hợp tác xã", "Miến dong Tài Hoan", groups[0], 4, 75,
        "2616/QĐ-UBND", datetime.date(2021, 12, 29), None, "tỉnh", None,
    ]
    return Template(
        title="OCOP",
        headers=HEADERS,
        example=example,
        choices={
            "Số sao": [1, 2, 3, 4, 5],
            "Nhóm sản phẩm": groups,
            "Loại hình chủ thể": list(Producer.TYPE_WORDS.values()),
            "Cấp công nhận": list(LEVEL_WORDS.values()),
        },
        date_headers=("Ngày quyết định", "Ngày hết hạn"),
    )


def check(rows: list[SheetRow], scope: set[int] | None) -> None:
    """Two rows rating a product in one decision, and decisions the user may not record: errors."""
    duplicates(rows)
    unauthorised_decisions(rows, scope)


KIND = SheetKind(
    name="products", label=_("Products and ratings"), columns=COLUMNS, labels=LABELS, headers=HEADERS,
    permissions=("products.add_producer", "products.add_product", "products.add_rating", "products.change_rating"),
    parse=parse, check=check, write=write, template=template, template_name="mau-san-pham-ocop",
    models=(Producer, Product, RatingDecision, Rating),
    preview=(*((column, column) for column in (*PLACES, "producer", "product", "group", "stars", "score",
                                               "decision_number")), ("date", "decision_date"), ("level", "level")),
)
