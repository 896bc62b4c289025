"""Queries over more values than a statement may hold, and SQL that each database evaluates itself."""

import itertools

from django.db import NotSupportedError, connections
from django.db.models import CharField, Func


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


class MonthDay(Func):
    """A date's month and day as text, "MM-DD", in each database's own SQL. Django's `date__month`
    compiles on SQLite to a function that only Django's connections have (django_date_extract): a
    constraint using it cannot be rebuilt or checked by SQLite's own tools (`sqlite3 db .dump`
    restores nothing into that table). strftime and to_char are built in, and the day is read
    without a time zone (a date cast to `timestamp`, not `timestamptz`) or PostgreSQL's DateStyle."""

    output_field = CharField()
    arity = 1

    def as_sql(self, compiler, connection, **extra):
        raise NotSupportedError(f"MonthDay has no SQL for {connection.vendor}")

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"strftime(%s, {sql})", ("%m-%d", *params)

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"to_char(({sql})::timestamp, %s)", (*params, "MM-DD")
