"""Queries over more values than a statement may hold."""

import itertools

from django.db import connections


def batches(values, db: str):
    """`values` in batches as large as the database's limit on a statement's parameters allows."""
    values = list(values)
    return itertools.batched(values, connections[db].features.max_query_params or len(values) or 1)


def in_chunks(queryset, field: str, values) -> list:
    """queryset.filter(field__in=values), in as many queries as the database's limit on parameters needs."""
    found = []
    for chunk in batches(values, queryset.db):
        found += queryset.filter(**{f"{field}__in": chunk})
    return found
