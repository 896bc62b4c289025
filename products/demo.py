"""The demo register: real named products from the news, plus generated products marked as demo.

Everything is read from `fixtures/demo/`: `decisions.csv` (real decisions named by the sources and
clearly numbered DEMO-… ones), `named_ratings.csv` (the products of `fixtures/sources/`, with the
year or decision the demo gives them where the sources leave it open, said in each rating's note),
and `generated.csv` (how many demo products each decision rates, at which stars, and how many new
demo producers of each type it brings). Together they reproduce the published totals of DESIGN.md.
"""

import csv
import datetime
import itertools
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from provinces.models import AdminUnit
from provinces.text import fold

from .models import SCORE_BANDS, Producer, Product, ProductGroup, Rating, RatingDecision

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"
REFERENCE_FIXTURES = ("product_groups", "indicators", "plans", "reported_figures")
DEMO_PREFIX = "[DEMO]"
PRODUCER_LABELS = {
    Producer.Type.COOPERATIVE: "HTX minh hoạ",
    Producer.Type.HOUSEHOLD: "Hộ kinh doanh minh hoạ",
    Producer.Type.COOPERATIVE_GROUP: "Tổ hợp tác minh hoạ",
    Producer.Type.ENTERPRISE: "Công ty minh hoạ",
}
# Mostly food, as in the real registers, with every group present.
GROUP_CYCLE = (1, 1, 2, 3, 1, 2, 4, 1, 3, 5, 1, 6)


def _rows(name: str) -> list[dict]:
    with open(DEMO_DIR / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _unit(slug: str) -> AdminUnit:
    return AdminUnit.objects.get(slug=slug)


def _decisions() -> dict[str, RatingDecision]:
    decisions = {}
    for row in _rows("decisions.csv"):
        decision, _ = RatingDecision.objects.update_or_create(
            issuing_body=row["issuing_body"], number=row["number"], date=datetime.date.fromisoformat(row["date"]),
            level=row["level"],
            defaults={
                "year_only": row["year_only"] == "1",
                "issuer": _unit(row["issuer"]) if row["issuer"] else None,
                "is_demo": row["is_demo"] == "1",
                "source_url": row["source_url"],
                "note": row["note"],
            },
        )
        decisions[row["key"]] = decision
    return decisions


def _score(stars: int, index: int) -> Decimal:
    low, high = SCORE_BANDS[stars]
    return Decimal(low + index * 7 % (min(high, 100) - low))


def _rate(product, decision, stars, **fields):
    Rating.objects.update_or_create(product=product, decision=decision, defaults={"stars": stars, **fields})


def _named(decisions, groups) -> int:
    count = 0
    for row in _rows("named_ratings.csv"):
        province = _unit(row["province"])
        district = AdminUnit.objects.named(row["district"]).filter(parent=province).first() if row["district"] else None
        commune = None
        if district and row["commune"]:
            commune = AdminUnit.objects.named(row["commune"]).filter(parent=district).first()
        location = {"province": province, "district": district, "commune": commune}
        # Names are matched as the sources spell them, give or take case and accents.
        producer, _ = Producer.objects.get_or_create(
            province=province, search_name=fold(row["producer"]),
            defaults={"name": row["producer"], "type": row["producer_type"], **location},
        )
        product, _ = Product.objects.update_or_create(
            producer=producer, search_name=fold(row["product"]),
            defaults={
                "name": row["product"], "group": groups[int(row["group"])], "source_url": row["source_url"], **location,
            },
        )
        _rate(
            product, decisions[row["decision"]], int(row["stars"]),
            score=Decimal(row["score"]) if row["score"] else None,
            expires=datetime.date.fromisoformat(row["expires"]) if row["expires"] else None,
            note=row["note"],
        )
        count += 1
    return count


class _DemoProvince:
    """Deterministic demo producers and products of one province, numbered in file order."""

    def __init__(self, province: AdminUnit):
        self.province = province
        self.code = "".join(word[0] for word in province.search_name.split()).upper()
        self.places = self._places(province)
        self.producers: list[Producer] = []
        self.product_count = 0

    @staticmethod
    def _places(province):
        """(district, commune) pairs, cycling through districts so every district gets some."""
        districts = list(province.children.filter(level=AdminUnit.Level.DISTRICT).order_by("code"))
        communes = defaultdict(list)
        for commune in AdminUnit.objects.filter(parent__in=districts).order_by("code"):
            communes[commune.parent_id].append(commune)
        rounds = max(len(c) for c in communes.values())
        return [
            (d, communes[d.pk][i % len(communes[d.pk])]) for i in range(rounds) for d in districts
        ]

    def add_producers(self, spec: str, district: AdminUnit | None) -> list[Producer]:
        places = [p for p in self.places if district is None or p[0] == district]
        added = []
        for part in filter(None, spec.split(";")):
            kind, number = part.split("=")
            for _ in range(int(number)):
                index = len(self.producers)
                place_district, commune = places[index % len(places)]
                producer, _ = Producer.objects.get_or_create(
                    province=self.province,
                    name=f"{DEMO_PREFIX} {PRODUCER_LABELS[kind]} {self.code}-{index + 1:03d}",
                    defaults={"type": kind, "district": place_district, "commune": commune, "is_demo": True},
                )
                self.producers.append(producer)
                added.append(producer)
        return added

    def add_products(self, pool: list[Producer], decision, stars: int, count: int, groups) -> None:
        for producer in itertools.islice(itertools.cycle(pool), count):
            index = self.product_count
            self.product_count += 1
            product, _ = Product.objects.get_or_create(
                producer=producer,
                name=f"{DEMO_PREFIX} Sản phẩm minh hoạ {self.code}-{index + 1:03d}",
                defaults={
                    "province": self.province, "district": producer.district, "commune": producer.commune,
                    "group": groups[GROUP_CYCLE[index % len(GROUP_CYCLE)]], "is_demo": True,
                    "traceable": index % 3 == 0, "ecommerce_channels": "Shopee, Voso" if index % 2 == 0 else "",
                },
            )
            _rate(product, decision, stars, score=_score(stars, index), note="Dữ liệu demo")


def _generated(decisions, groups) -> int:
    provinces: dict[str, _DemoProvince] = {}
    count = 0
    for row in _rows("generated.csv"):
        demo = provinces.setdefault(row["province"], _DemoProvince(_unit(row["province"])))
        decision = decisions[row["decision"]]
        district = decision.issuer if decision.level == RatingDecision.Level.DISTRICT else None
        new = demo.add_producers(row["new_producers"], district)
        pool = new or [p for p in demo.producers if district is None or p.district_id == district.pk]
        demo.add_products(pool, decision, int(row["stars"]), int(row["count"]), groups)
        count += int(row["count"])
    return count


@transaction.atomic
def seed_demo() -> dict[str, int]:
    """Load the reference fixtures and build the demo register; idempotent.

    Needs the administrative units (`load_admin_units`).
    """
    call_command("loaddata", *REFERENCE_FIXTURES, verbosity=0)
    groups = {g.code: g for g in ProductGroup.objects.filter(scheme=ProductGroup.Scheme.CURRENT)}
    decisions = _decisions()
    return {"named ratings": _named(decisions, groups), "demo products": _generated(decisions, groups)}
