"""Writes that touch several models, each in one transaction."""

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from provinces.text import fold

from .models import Producer, Product, Rating, RatingDecision
from .sheets import RowError, SheetRow, parse_rows, read_sheet


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    written: bool = False


def _issuing_body(values) -> tuple:
    level = values["level"]
    if level == RatingDecision.Level.NATIONAL:
        return None, "Bộ Nông nghiệp và Phát triển nông thôn"
    issuer = values["district"] if level == RatingDecision.Level.DISTRICT else values["province"]
    return issuer, f"UBND {issuer.name_in_sentence}"


def _write_row(values) -> str:
    """Create or update one rating with its producer, product and decision; 'created', 'updated' or 'unchanged'."""
    location = {key: values[key] for key in ("province", "district", "commune")}
    producer = Producer.objects.filter(province=values["province"], search_name=fold(values["producer"])).first()
    if producer is None:
        producer = Producer.objects.create(name=values["producer"], type=values["producer_type"], **location)
    product = producer.products.filter(search_name=fold(values["product"])).first()
    if product is None:
        product = Product.objects.create(name=values["product"], producer=producer, group=values["group"], **location)
    issuer, body = _issuing_body(values)
    # A decision is known by its number, date, level and issuing unit; the body's wording may vary.
    decision = RatingDecision.objects.filter(
        number=values["decision_number"], date=values["date"], level=values["level"], issuer=issuer
    ).first() or RatingDecision.objects.create(
        number=values["decision_number"], date=values["date"], level=values["level"], issuer=issuer,
        issuing_body=body, year_only=values["year_only"],
    )
    wanted = {"stars": values["stars"], "score": values.get("score")}
    if values.get("expires"):
        wanted["expires"] = values["expires"]
    rating = Rating.objects.filter(product=product, decision=decision).first()
    if rating is None:
        Rating.objects.create(product=product, decision=decision, **wanted)
        return "created"
    if all(getattr(rating, key) == value for key, value in wanted.items()):
        return "unchanged"
    for key, value in wanted.items():
        setattr(rating, key, value)
    rating.save()
    return "updated"


def _duplicates(rows: list[SheetRow]) -> None:
    """Two rows rating the same product in the same decision: the later one is an error."""
    seen = {}
    for row in rows:
        v = row.values
        if row.errors or v.get("province") is None:
            continue
        key = (v["province"].pk, v["producer"].casefold(), v["product"].casefold(), v["decision_number"], v["date"], v["level"])
        if key in seen:
            first = seen[key]
            row.error("product", lambda: _("“%(product)s” is already rated in the same decision on row %(row)s.") % {
                "product": v["product"], "row": first})
        else:
            seen[key] = row.number


def import_products(*, content: bytes, filename: str, dry_run: bool = False, skip_invalid: bool = False) -> ImportResult:
    """Import a product sheet. With errors and no skip_invalid, nothing is written; dry_run writes nothing."""
    rows, unknown = parse_rows(read_sheet(content, filename))
    _duplicates(rows)
    result = ImportResult(unknown_columns=unknown)
    for row in rows:
        result.errors += row.errors
        result.warnings += row.warnings
    if result.errors and not skip_invalid:
        return result
    counts = Counter()
    with transaction.atomic():
        for row in rows:
            if not row.errors:
                counts[_write_row(row.values)] += 1
        if dry_run:
            transaction.set_rollback(True)
    result.created, result.updated, result.unchanged = counts["created"], counts["updated"], counts["unchanged"]
    result.written = not dry_run
    return result
