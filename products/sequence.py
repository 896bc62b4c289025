"""The rating sequence: where each rating sits among its product's ratings (decided_on,
superseded_on, is_upgrade, is_first_recognition), stored so that counting is one query. Writes one
by one keep it through the signal receivers here; bulk writes call store_sequence() themselves."""

import itertools
from collections import defaultdict

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from core.db import batches, in_chunks
from core.locks import lock_rows, serialise_writers

from .models import RECOGNISED_STARS, Product, Rating, RatingDecision


def sequence(ratings: list[tuple]) -> list[tuple]:
    """(decided_on, superseded_on, is_upgrade, is_first_recognition) of each rating of one product,
    given as (decision date, stars, revoked_on) in order of decision date, then id."""
    first = next((i for i, (_day, stars, _revoked) in enumerate(ratings) if stars >= RECOGNISED_STARS), None)
    stored = []
    for i, (day, stars, _revoked) in enumerate(ratings):
        previous = next((r for r in reversed(ratings[:i]) if r[0] < day and not (r[2] and r[2] <= day)), None)
        upgrade = previous is not None and RECOGNISED_STARS <= previous[1] < stars
        stored.append((day, ratings[i + 1][0] if i + 1 < len(ratings) else None, upgrade, i == first))
    return stored


def store_sequence(product_ids, *, locked: bool = False) -> None:
    """Store on every rating of these products its decision's date and where it sits among its
    product's ratings (superseded_on, is_upgrade, is_first_recognition), in one query per field
    and value that changes (an import's new ratings: one per decision date and two per flag)."""
    product_ids = set(product_ids) - {None}
    with transaction.atomic():
        # Another transaction recomputing these products' periods (an import, an edit) goes first
        # or after, never alongside: the later one reads the earlier one's ratings. (`locked`: the
        # caller holds the locks of those that others may write.)
        if not locked:
            lock_products(product_ids)
        _store_sequence(product_ids)


def lock_products(product_ids) -> None:
    """Lock these products (in id order) against other writers of their ratings until the transaction ends."""
    for chunk in batches(sorted(set(product_ids) - {None}), Product.objects.db):
        lock_rows(Product.objects.filter(pk__in=chunk))


def _store_sequence(product_ids: set) -> None:
    fields = ("decided_on", "superseded_on", "is_upgrade", "is_first_recognition")
    ratings = Rating.objects.order_by("product", "decision__date", "pk").values_list(
        "pk", "product", "decision__date", "stars", "revoked_on", *fields)
    changed = defaultdict(list)
    found = in_chunks(ratings, "product", product_ids)
    for _product, rows in itertools.groupby(found, key=lambda row: row[1]):
        rows = list(rows)
        for row, wanted in zip(rows, sequence([row[2:5] for row in rows]), strict=True):
            for field, stored, value in zip(fields, row[5:], wanted, strict=True):
                if stored != value:
                    changed[field, value].append(row[0])
    for (field, value), pks in changed.items():
        for chunk in batches(pks, Rating.objects.db):
            Rating.objects.filter(pk__in=chunk).update(**{field: value})


# A rating written one by one (forms, the admin) locks its product before it writes, as an import
# does before it writes its ratings: a writer never holds a rating the other waits for while
# waiting for the product the other holds.
@receiver(pre_save, sender=Rating)
@receiver(pre_delete, sender=Rating)
def _rating_writing(sender, instance, **kwargs):
    lock_products({instance.product_id, getattr(instance, "_stored_product_id", None)})


# Writes one by one (forms, the admin, services, the demo) keep the periods here; bulk writes,
# which send no signals, call store_sequence() themselves.
@receiver(post_save, sender=Rating)
@receiver(post_delete, sender=Rating)
def _rating_written(sender, instance, **kwargs):
    store_sequence({instance.product_id, getattr(instance, "_stored_product_id", None)})
    instance._stored_product_id = instance.product_id


@receiver(pre_save, sender=RatingDecision)
def _decision_writing(sender, instance, **kwargs):
    # An import that may create the same decision meanwhile goes first or after: it takes this key too.
    serialise_writers(decisions={instance.key})


@receiver(post_save, sender=RatingDecision)
def _decision_written(sender, instance, created, **kwargs):
    if not created:  # its date may have moved, and its ratings with it
        store_sequence(instance.ratings.values_list("product", flat=True))
