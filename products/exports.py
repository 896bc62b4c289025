"""The register written out as sheets. The product sheet has the columns the import reads, so an
export re-imports with no change (imports/kinds/products.py reads it). The producer sheet adds how
many OCOP products each producer has, which the import skips."""

import tablib
from django.db.models import Subquery

from .models import Producer, Product, Rating, RatingDecision, latest_rating

HEADERS = [
    "Tỉnh", "Huyện", "Xã", "Chủ thể", "Loại hình chủ thể", "Tên sản phẩm", "Nhóm sản phẩm", "Số sao", "Điểm",
    "Số quyết định", "Ngày quyết định", "Năm công nhận", "Cấp công nhận", "Ngày hết hạn",
]
PRODUCER_HEADERS = ["Tỉnh", "Huyện", "Xã", "Chủ thể", "Loại hình chủ thể", "Mã số thuế", "Điện thoại", "Địa chỉ"]
LEVEL_WORDS = {RatingDecision.Level.PROVINCE: "tỉnh", RatingDecision.Level.DISTRICT: "huyện", RatingDecision.Level.NATIONAL: "quốc gia"}
# The Vietnamese sheet's words, whatever the user's language: an English label ("Registered
# household") would not read back.
PRODUCER_TYPE_WORDS = {
    Producer.Type.ENTERPRISE: "Doanh nghiệp", Producer.Type.COOPERATIVE: "Hợp tác xã",
    Producer.Type.COOPERATIVE_GROUP: "Tổ hợp tác", Producer.Type.HOUSEHOLD: "Hộ sản xuất, kinh doanh",
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
    """The rating standing on `day` for each of `products` (their current stars)."""
    return Rating.objects.filter(pk__in=products.annotate(standing=Subquery(latest_rating(day).values("pk")[:1])).values("standing"))
