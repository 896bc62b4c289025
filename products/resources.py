"""Sheets written out. The product sheet has the columns the import reads, so an export re-imports
with no change (products/sheets.py reads it); so do the rows an import rejected, with their errors.
The producer sheet is for reading only, for now."""

from collections import defaultdict

import tablib
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from django.http import Http404, HttpResponse
from django.utils import translation

from .models import ImportRecord, Producer, Product, Rating, RatingDecision
from .sheets import COLUMN_LABELS, ERROR_COLUMN, LANGUAGES, PRODUCER_HEADERS, is_error_column, read_sheet

HEADERS = [
    "Tỉnh", "Huyện", "Xã", "Chủ thể", "Loại hình chủ thể", "Tên sản phẩm", "Nhóm sản phẩm", "Số sao", "Điểm",
    "Số quyết định", "Ngày quyết định", "Năm công nhận", "Cấp công nhận", "Ngày hết hạn",
]
CONTENT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv; charset=utf-8"}
LEVEL_WORDS = {RatingDecision.Level.PROVINCE: "tỉnh", RatingDecision.Level.DISTRICT: "huyện", RatingDecision.Level.NATIONAL: "quốc gia"}
PRODUCER_TYPE_WORDS = Producer.TYPE_WORDS


def rating_sheet(ratings) -> tablib.Dataset:
    """One row per rating, in the product sheet's columns."""
    ratings = ratings.select_related(
        "decision", "product__producer", "product__group", "product__province", "product__district", "product__commune"
    ).order_by("product__province__search_name", "product__search_name", "decision__date")
    data = tablib.Dataset(headers=HEADERS, title="OCOP")
    for r in ratings:
        p, d = r.product, r.decision
        data.append([
            p.province.name, p.district.name if p.district else "", p.commune.name if p.commune else "",
            p.producer.name, PRODUCER_TYPE_WORDS[p.producer.type], p.name, p.group.code, r.stars,
            float(r.score) if r.score is not None else "", d.number,
            "" if d.year_only else d.date.strftime("%d/%m/%Y"), d.date.year if d.year_only else "",
            LEVEL_WORDS[d.level], r.expires.strftime("%d/%m/%Y"),
        ])
    return data


# The producer sheet the import reads, and how many OCOP products each has (for reading only).
PRODUCER_EXPORT_HEADERS = [*PRODUCER_HEADERS, "Số sản phẩm OCOP"]


def producer_sheet(producers, day, personal: bool = True, products=None) -> tablib.Dataset:
    """One row per producer, with how many OCOP products (3★+) it has on `day` among `products` (default:
    all); two queries.

    Without `personal`, the tax code, phone and address cells are left blank (re-imported, blanks keep what is stored).
    """
    producers = producers.select_related("province", "district", "commune").order_by("province__search_name", "search_name")
    products = Product.objects.all() if products is None else products
    ocop = products.filter(producer__in=producers.values("pk")).recognised_on(day).count_by("producer")
    data = tablib.Dataset(headers=PRODUCER_EXPORT_HEADERS, title="Chủ thể OCOP")
    for p in producers:
        data.append([
            p.province.name, p.district.name if p.district else "", p.commune.name if p.commune else "", p.name,
            PRODUCER_TYPE_WORDS[p.type], *((p.tax_code, p.phone, p.address) if personal else ("", "", "")), ocop.get(p.pk, 0),
        ])
    return data


def standing_ratings(products, day):
    """The rating standing on `day` for each of `products` that has one (their current stars), as
    the counts find it: a product whose latest rating was revoked has none."""
    return Rating.objects.standing(day).filter(product__in=products.values("pk"))


def rejected_rows(record: ImportRecord) -> tablib.Dataset:
    """The rows of `record`'s sheet that had errors, as uploaded, each with its errors in a last column."""
    sheet = read_sheet(bytes(record.content), record.filename)
    errors = defaultdict(list)
    for error in record.errors:
        if error["row"] > 1:  # row 1 is the header: a missing column has no row to give back
            errors[error["row"]].append(error)
    # A rejected file uploaded again brings its old error column: replace it, not add another.
    keep = [i for i, header in enumerate(sheet.headers or []) if not is_error_column(header)]
    data = tablib.Dataset(headers=[str(sheet.headers[i] or "") for i in keep] + [ERROR_COLUMN], title="OCOP")
    for number in sorted(errors):
        cells = sheet[number - 2]  # parse_rows numbers data rows from 2
        data.append([cells[i] for i in keep] + [error_cell(errors[number])])
    return data


def error_cell(errors: list[dict]) -> str:
    """A row's errors as stored on an ImportRecord, column by column, in Vietnamese then English."""
    texts = []
    for language in LANGUAGES:
        with translation.override(language):
            texts.append("; ".join(f"{COLUMN_LABELS.get(e['column'], e['column'])}: {e.get(language, e['vi'])}" for e in errors))
    vi, en = texts
    return vi if vi == en else f"{vi} / {en}"


def inert(cell):
    """A cell as a sheet may safely hold it: text that a spreadsheet would run as a formula made text
    with a leading apostrophe, and characters a workbook may not hold (control characters, whatever
    text was stored or uploaded) replaced by U+FFFD."""
    if not isinstance(cell, str):
        return cell
    cell = ILLEGAL_CHARACTERS_RE.sub("\ufffd", cell)
    return ("'" + cell) if cell.startswith(("=", "+", "-", "@")) else cell


def export(data: tablib.Dataset, fmt: str) -> bytes:
    """xlsx, or csv with a BOM so Excel reads Vietnamese; every cell made inert(), the headers' as
    the data's (a header comes back from the uploaded file in the rejected rows)."""
    if data.headers:
        data.headers = [inert(header) for header in data.headers]
    for index, row in enumerate(list(data)):
        data[index] = [inert(cell) for cell in row]
    if fmt == "xlsx":
        return data.export("xlsx")
    return ("\ufeff" + data.export("csv")).encode("utf-8")


def attachment(data: tablib.Dataset, fmt: str, filename: str) -> HttpResponse:
    """A download of `data` as `filename.fmt` (xlsx or csv; anything else is 404)."""
    if fmt not in CONTENT_TYPES:
        raise Http404
    return download(export(data, fmt), fmt, filename)


def download(content: bytes, fmt: str, filename: str) -> HttpResponse:
    """A download of a file already built, as `filename.fmt`."""
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
