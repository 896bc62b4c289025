"""Writers of the same records take turns: the second waits a bounded time, then says so in words.

Two imports of the same province's products, or an import and an edit in the admin, each recompute
the products' rating periods (store_sequence) from what they read; unserialised, each sees only its
own new ratings and both periods stand. So:

- PostgreSQL: an import takes a transaction-level advisory lock per province it writes to and per
  decision it may create (serialise_writers), before it reads what exists; a decision saved one by
  one takes its key's. Whoever writes a product's ratings first locks the product's row (lock_rows,
  through models.lock_products): an import before it writes, a rating saved one by one before it
  is saved, and every recomputation of periods. All wait at most settings.WRITE_WAIT_SECONDS.
- SQLite: every transaction takes the database's write lock when it begins (transaction_mode
  IMMEDIATE, settings) and waits for it at most settings.WRITE_WAIT_SECONDS (the busy timeout); WAL
  lets readers go on meanwhile.

A wait that runs out (or a deadlock PostgreSQL breaks) becomes a ValidationError worded for the
user (waiting_for_writers), which the upload page and `import_ocop` show like any refused sheet.
"""

import contextlib
import itertools
import sqlite3
import time
import zlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.utils.translation import gettext_lazy as _

from .bilingual import in_both, in_both_text

# The first of PostgreSQL's two advisory lock keys: what the second one numbers.
_PROVINCE, _DECISION = 1501, 1502
# SQLITE_BUSY and SQLITE_LOCKED (extended codes keep them in their low byte); PostgreSQL's
# lock_not_available (lock_timeout ran out) and deadlock_detected.
_SQLITE_WAITS, _POSTGRESQL_WAITS = {5, 6}, {"55P03", "40P01"}


def _bound_the_wait(cursor) -> None:
    # Until the transaction ends: it covers the locks taken after this one too.
    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{settings.WRITE_WAIT_SECONDS}s"])


def serialise_writers(*, provinces=(), decisions=(), using: str = "default") -> None:
    """Wait until no other transaction writes to these provinces (ids) or may create these decisions
    (RatingDecision.unique_key tuples, told apart by their values' str(): a level may come as a str
    or as its choice), and keep them until this transaction ends.

    Call it inside the transaction, before reading the records to be written. The locks are taken
    in one order, so two writers never hold one each while waiting for the other's.
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return  # SQLite: the transaction holds the database's write lock since it began
    keys = sorted({(_PROVINCE, int(pk)) for pk in provinces}
                  | {(_DECISION, zlib.crc32("\x1f".join(map(str, key)).encode()) & 0x7FFFFFFF) for key in decisions})
    if not keys:
        return
    with connection.cursor() as cursor:
        _bound_the_wait(cursor)
        for chunk in itertools.batched(keys, 1000):
            # Volatile functions of the select list run after the sort: the locks come in key order.
            cursor.execute(
                "SELECT pg_advisory_xact_lock(a, b) FROM unnest(%s::int[], %s::int[]) AS k(a, b) ORDER BY a, b",
                [[a for a, _b in chunk], [b for _a, b in chunk]],
            )


def hold_for_tests() -> None:
    """Tests of concurrent writers (settings.OCOP_TEST_WRITE_PAUSE) make a writer pause here, after
    reading what exists and before writing, so that a second one surely arrives meanwhile."""
    if pause := settings.OCOP_TEST_WRITE_PAUSE:
        time.sleep(pause)


def lock_rows(queryset) -> None:
    """Lock the rows of `queryset` against other writers (not against readers, nor against rows
    that merely refer to them) until the transaction ends, in id order; on PostgreSQL. Outside a
    transaction each statement commits at once: there is nothing to hold."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        _bound_the_wait(cursor)
    list(queryset.select_for_update(no_key=True).order_by("pk").values_list("pk", flat=True))


def another_writer(error: Exception) -> bool:
    """Whether a database error is a wait for another writer that ran out."""
    cause = error.__cause__
    if getattr(cause, "sqlite_errorcode", None) is not None:
        return cause.sqlite_errorcode & 0xFF in _SQLITE_WAITS
    return _sqlstate(error) in _POSTGRESQL_WAITS


def _sqlstate(error: Exception) -> str | None:
    """PostgreSQL's code for the error Django wrapped (psycopg's `sqlstate`); None for another database's."""
    return getattr(error.__cause__, "sqlstate", None)


def _refusal(make) -> ValidationError:
    """A writer's refusal in Vietnamese and English (`make` builds the words, called in each)."""
    return ValidationError(in_both_text(make), code="busy")


def _busy_words() -> str:
    return _(
        "Another import or edit of the same records is running and did not finish within "
        "%(seconds)s seconds. Nothing was written: try again in a moment."
    ) % {"seconds": settings.WRITE_WAIT_SECONDS}


def busy() -> ValidationError:
    """The refusal of a writer that waited for another one too long."""
    return _refusal(_busy_words)


def busy_texts() -> dict[str, str]:
    """busy()'s words, {"vi": …, "en": …}."""
    return in_both(_busy_words)


@contextlib.contextmanager
def waiting_for_writers():
    """Around a transaction (outside its atomic block): a wait for another writer that ran out
    becomes busy(), a ValidationError, instead of the database's error. So does a record that
    another writer created meanwhile, on PostgreSQL (unique_violation): writers check what exists
    before they write, so only a writer that took no lock (a rating entered one by one while an
    import creates the same) can meet one. On SQLite writers never overlap: one there is a bug."""
    try:
        yield
    except OperationalError as error:
        if not another_writer(error):
            raise
        raise busy() from error
    except IntegrityError as error:
        if _sqlstate(error) != "23505":  # unique_violation
            raise
        raise _refusal(lambda: _("Another import or edit wrote the same records at the same time. Nothing was "
                                 "written: try again.")) from error


def _sqlite_has_json() -> bool:
    with contextlib.closing(sqlite3.connect(":memory:")) as probe:
        try:
            probe.execute("""SELECT JSON('{"a": "b"}')""")
        except sqlite3.OperationalError:
            return False
    return True


# Every SQLite transaction queues for the write lock (IMMEDIATE), Django's probe of the JSON
# functions too, which the system checks of every command run in a transaction: a command started
# during a long import would wait, then report "SQLite does not support JSONFields". The functions
# are the library's, not the database's: probed once in memory, they need no lock.
SQLiteWrapper.features_class.supports_json_field = _sqlite_has_json()
