"""The register written out as sheets. The product sheet has the columns the import reads, so an
export re-imports with no change (imports/kinds/products.py reads it). The producer sheet adds how
many OCOP products each producer has, which the import skips."""

import tablib

from .models import Producer, Product, Rating, RatingDecision

HEADERS = [
    "Tỉnh", "Huyện", "Xã", "Chủ thể", "Loại hình chủ thể", "Tên sản phẩm", "Nhóm sản phẩm", "Số sao", "Điểm",
    "Số quyết định", "Ngày quyết định", "Năm công nhận", "Cấp công nhận", "Ngày hết hạn",
]
PRODUCER_HEADERS = ["Tỉnh", "Huyện", "Xã", "Chủ thể", "Loại hình chủ thể", "Mã số thuế", "Điện thoại", "Địa chỉ"]
LEVEL_WORDS = {
    RatingDecision.Level.PROVINCE: "tỉnh",
    RatingDecision.Level.DISTRICT: "huyện",
    RatingDecision.Level.NATIONAL: "quốc gia",
}


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
            p.producer.name, Producer.TYPE_WORDS[p.producer.type], p.name, p.group.code, r.stars,
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
    producers = producers.select_related("province", "district", "commune").order_by(
        "province__search_name", "search_name"
    )
    products = Product.objects.all() if products is None else products
    ocop = products.filter(producer__in=producers.values("pk")).recognised_on(day).count_by("producer")
    data = tablib.Dataset(headers=PRODUCER_EXPORT_HEADERS, title="Chủ thể OCOP")
    for p in producers:
        data.append([
            p.province.name, p.district.name if p.district else "", p.commune.name if p.commune else "", p.name,
            Producer.TYPE_WORDS[p.type], *((p.tax_code, p.phone, p.address) if personal else ("", "", "")),
            ocop.get(p.pk, 0),
        ])
    return data


def standing_ratings(products, day):
    """The rating standing on `day` for each of `products` that has one (their current stars), as
    the counts find it: a product whose latest rating was revoked has none."""
    return Rating.objects.standing(day).filter(product__in=products.values("pk"))
