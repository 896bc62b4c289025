"""National-scale demo data for benchmarks: `python bench/generate.py --scale 1.0`.

At scale 1.0: ~15,000 products in the 63 legacy provinces (rated 2018–6/2025) and ~2,000 in the 34
current ones (rated 7/2025–10/2026), ~25,000 ratings, ~10,000 producers, a plan per legacy province
with province and per-district targets. Everything is marked demo and named "[BENCH] …".
Needs the administrative units and reference fixtures (`load_admin_units`, `loaddata …`).
"""

import argparse
import datetime
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocop_dashboard.settings")
os.environ.setdefault("DEBUG", "true")

LEGACY_PRODUCTS, CURRENT_PRODUCTS, PRODUCERS = 15000, 2000, 10000


def generate(scale: float, seed: int = 1) -> dict:
    """Fill the database with generated data at `scale`; returns what was created."""
    from django.db import transaction

    from products.models import Producer, Product, ProductGroup, Rating, RatingDecision
    from products.sequence import store_sequence
    from provinces.models import AdminUnit
    from provinces.text import fold
    from targets.models import Indicator, Plan, Target

    rng = random.Random(seed)
    groups = list(ProductGroup.objects.filter(scheme="2022"))
    units = list(AdminUnit.objects.all().only("pk", "level", "parent_id", "valid_to", "short_name", "name"))
    by_id = {u.pk: u for u in units}
    provinces = [u for u in units if u.level == "province"]
    communes = defaultdict(list)  # province id -> [(district, commune)]
    for u in units:
        if u.level == "commune":
            parent = by_id[u.parent_id]
            if parent.level == "district":
                communes[parent.parent_id].append((parent, u))
            else:
                communes[parent.pk].append((None, u))
    legacy = [p for p in provinces if p.valid_to]
    current = [p for p in provinces if not p.valid_to]
    counts = defaultdict(int)
    with transaction.atomic():
        decisions = {}
        for province in provinces:
            years = range(2019, 2025) if province.valid_to else range(2025, 2027)
            made = []
            for year in years:
                for month in (6, 12) if province.valid_to else ((8, 12) if year == 2025 else (5, 10)):
                    made.append(RatingDecision(
                        number=f"BENCH-{province.pk}-{year}-{month}", date=datetime.date(year, month, 20),
                        level="province", issuer=province, issuing_body=f"UBND {province.name}", is_demo=True,
                    ))
            decisions[province.pk] = made
        national = [RatingDecision(number=f"BENCH-TW-{y}", date=datetime.date(y, 11, 30), level="national",
                                   issuing_body="Bộ Nông nghiệp và Phát triển nông thôn", is_demo=True)
                    for y in range(2020, 2027)]
        for decision in [d for ds in decisions.values() for d in ds] + national:
            decision.number_key = RatingDecision.key_of_number(decision.number)  # as save() does
        RatingDecision.objects.bulk_create([d for ds in decisions.values() for d in ds] + national, batch_size=1000)
        counts["decisions"] = sum(len(ds) for ds in decisions.values()) + len(national)

        producers = defaultdict(list)
        share = {p.pk: rng.uniform(0.5, 1.5) for p in provinces}
        legacy_weight = sum(share[p.pk] for p in legacy)
        to_create = []
        for province in provinces:
            n = max(1, round(PRODUCERS * scale * (0.85 if province.valid_to else 0.15) * share[province.pk]
                             / (legacy_weight if province.valid_to else sum(share[p.pk] for p in current))))
            for i in range(n):
                district, commune = rng.choice(communes[province.pk])
                name = f"[BENCH] Chủ thể {province.pk}-{i:05d}"
                to_create.append(Producer(
                    name=name, search_name=fold(name), type=rng.choice(list(Producer.Type)), province=province,
                    district=district, commune=commune, is_demo=True,
                ))
        Producer.objects.bulk_create(to_create, batch_size=1000)
        for producer in to_create:
            producers[producer.province_id].append(producer)
        counts["producers"] = len(to_create)

        products = []
        for province, total in [(p, LEGACY_PRODUCTS) for p in legacy] + [(p, CURRENT_PRODUCTS) for p in current]:
            pool = legacy if province.valid_to else current
            n = max(1, round(total * scale * share[province.pk] / sum(share[p.pk] for p in pool)))
            for i in range(n):
                owner = rng.choice(producers[province.pk])
                name = f"[BENCH] Sản phẩm {province.pk}-{i:05d}"
                products.append(Product(
                    name=name, search_name=fold(name), producer=owner, group=rng.choice(groups), province=province,
                    district=owner.district, commune=owner.commune, traceable=rng.random() < 0.3,
                    ecommerce_channels="Shopee" if rng.random() < 0.4 else "", is_demo=True,
                ))
        Product.objects.bulk_create(products, batch_size=1000)
        counts["products"] = len(products)

        ratings = []
        for product in products:
            own = decisions[product.province_id]
            first = rng.randrange(len(own))
            stars = rng.choices((2, 3, 4), weights=(3, 72, 25))[0]
            ratings.append(_rating(product, own[first], stars, rng))
            if rng.random() < 0.5 and first + 1 < len(own):
                later = rng.randrange(first + 1, len(own))
                again = min(4, stars + (rng.random() < 0.3))
                ratings.append(_rating(product, own[later], again, rng))
            if stars == 4 and rng.random() < 0.02:
                day = own[first].date
                ratings.append(_rating(product, next(d for d in national if d.date > day), 5, rng))
        Rating.objects.bulk_create(ratings, batch_size=1000)
        store_sequence(p.pk for p in products)  # bulk_create sends no signals
        counts["ratings"] = len(ratings)

        indicators = {i.code: i for i in Indicator.objects.filter(code__in=["products", "products_5star", "producers"])}
        deadline = datetime.date(2025, 6, 30)
        plans = [Plan(unit=p, name=f"[BENCH] Kế hoạch OCOP {p.short_name} 2021–2025", kind="programme",
                      starts_on=datetime.date(2021, 1, 1), ends_on=deadline) for p in legacy]
        Plan.objects.bulk_create(plans, batch_size=1000)
        districts = defaultdict(set)
        for province_id, pairs in communes.items():
            districts[province_id].update(d for d, _c in pairs if d is not None)
        targets = []
        for plan in plans:
            n = sum(1 for p in products if p.province_id == plan.unit_id)
            targets += [Target(plan=plan, indicator=indicators["products"], unit=plan.unit, deadline=deadline,
                               value=round(n * 1.1) + 1),
                        Target(plan=plan, indicator=indicators["products_5star"], unit=plan.unit, deadline=deadline,
                               value=2),
                        Target(plan=plan, indicator=indicators["producers"], unit=plan.unit, deadline=deadline,
                               value=50)]
            targets += [Target(plan=plan, indicator=indicators["products"], unit=d, deadline=deadline, value=25)
                        for d in districts[plan.unit_id]]
        Target.objects.bulk_create(targets, batch_size=1000)
        counts["plans"], counts["targets"] = len(plans), len(targets)
    return dict(counts)


def prepared(scale: float) -> dict:
    """A fresh database as the benchmarks want it (Django set up): migrated, the administrative units
    and reference fixtures loaded, the register generated at `scale`, and on PostgreSQL its
    statistics read as autovacuum would have (bench/pages.py); what was generated."""
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("load_admin_units", verbosity=0)
    call_command("loaddata", "product_groups", "indicators", verbosity=0)
    generated = generate(scale)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return generated


def _rating(product, decision, stars, rng):
    from django.utils import timezone

    from products.models import SCORE_BANDS, Rating

    low, high = SCORE_BANDS[stars]
    revoked = decision.date + datetime.timedelta(days=400) if rng.random() < 0.01 else None
    if revoked and revoked > timezone.localdate():
        revoked = None  # a revocation is recorded once decided: none dated ahead (Rating.clean)
    rating = Rating(product=product, decision=decision, stars=stars, score=rng.randrange(low, min(high, 100)),
                    revoked_on=revoked)
    rating.fill_derived_fields()  # as save() would: its decision's date and the certificate's expiry
    return rating


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    import django

    django.setup()
    started = time.perf_counter()
    counts = generate(args.scale, args.seed)
    print(counts, f"in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
