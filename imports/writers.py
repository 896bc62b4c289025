"""Writing checked rows: new records in bulk with their audit trail (create_with_history), or one
record at a time through the model's own checks (save_row)."""

import csv
import functools
import io
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import DateField, DateTimeField, Field
from django.utils import timezone

from .rows import RowError, SheetRow, in_both

# Records are written this many to a statement: one statement for a whole sheet would hold its SQL and
# parameters in memory on top of the rows (SQLite), and bulk_update's CASE grows with the batch.
BATCH_SIZE = 1000


def unheard(done: int) -> None:
    """How many rows a write has written, told to nobody."""


def told(rows: list, written) -> Iterator:
    """The rows of a write that goes one row at a time, telling `written(done)` how many are
    written every BATCH_SIZE rows."""
    for done, row in enumerate(rows):
        if done and not done % BATCH_SIZE:
            written(done)
        yield row


class Tally:
    """How far a write in bulk is, told to `written(done)` on the scale of its sheet's `rows`: the
    share of its `steps` done (a record or audit entry written, a product's periods recomputed)."""

    def __init__(self, written, rows: int, steps: int):
        self.written, self.rows, self.steps = written, rows, max(steps, 1)
        self.done = self.told = 0

    def __call__(self, steps: int) -> None:
        self.done += steps
        if (rows := min(self.rows, self.rows * self.done // self.steps)) != self.told:
            self.written(rows)
            self.told = rows


def create_with_history(model, rows: list[dict], *, record=None, tally=None) -> None:
    """Insert new records of `model`, one for each row ({attname: value}), each with its "created" entry
    in the audit trail naming the importing user and `record`: what simple-history's
    bulk_create_with_history writes, in a fraction of the time (see _insert).

    Each row is completed in place as save() would complete a new instance, and is given its "id":
    fields left out take their defaults; auto_now and auto_now_add fields one time for the whole
    import, as in the audit entries; a parent named by its foreign key's name (`producer=`), as a row
    written before or a stored record's values, gives its id. Nothing is validated and no
    fill_derived_fields() runs: the rows carry those values already. `tally(n)`, when given, is told
    of each batch of n records or audit entries written (2 × len(rows) in all).
    """
    if not rows:
        return
    using = router.db_for_write(model)
    fields = _inserted_fields(model)
    now = timezone.now()
    plain = (Field.pre_save, DateField.pre_save, DateTimeField.pre_save)
    if computed := [f.name for f in fields if type(f).pre_save not in plain]:
        raise TypeError(f"{model.__name__}.{computed[0]} is computed on save(); create_with_history cannot write it")
    stamps = {f.attname: now if isinstance(f, DateTimeField) else timezone.localdate(now)
              for f in fields if isinstance(f, DateField) and (f.auto_now or f.auto_now_add)}
    parents = [f for f in fields if f.is_relation]
    for row in rows:
        for f in parents:
            if f.name in row:
                row[f.attname] = row.pop(f.name)[f.target_field.attname]
        for f in fields:
            if f.attname not in row:
                row[f.attname] = f.get_default()
        row.update(stamps)
    pk = model._meta.pk.attname
    tally = tally or unheard
    for row, given in zip(rows, _insert(model, rows, using, tally), strict=True):
        row[pk] = given
    history = model.history.model
    user = record.user if record else history.get_default_history_user(None)
    entry = {"history_date": now, "history_type": "+", "history_change_reason": None,
             "history_user_id": user.pk if user else None, "history_import_id": record.pk if record else None}
    tracked = [f.attname for f in history.tracked_fields]
    _insert(history, [{**{name: row[name] for name in tracked}, **entry} for row in rows], using, tally, ids=False)


# Column types whose Python values both database drivers take as they are.
_AS_IS = {"AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "ForeignKey", "IntegerField",
          "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField", "TextField"}


def _inserted_fields(model) -> list:
    """The columns an INSERT gives values to: all but the primary key and generated columns."""
    return [f for f in model._meta.concrete_fields if not (f.primary_key or f.generated)]


def _insert(model, rows: list[dict], using: str, tally, *, ids: bool = True) -> list:
    """Write `rows` ({attname: value} for each of _inserted_fields) into the model's table, telling
    `tally(n)` of each batch of n rows written; with `ids`, the primary keys given to them, in order.

    On PostgreSQL with COPY (_copy). Elsewhere with bulk_create's statement, VALUES … RETURNING the
    key (whose order SQLite ≥ 3.35 keeps), up to BATCH_SIZE rows to a statement. Either way a value
    goes to the driver as it is unless its column's type needs converting (dates, times, decimals),
    and then each distinct value of the column is converted once: bulk_create prepares and
    compiles every value through its field, which was most of a 20,000-row import's time.
    """
    connection = connections[using]
    fields = _inserted_fields(model)
    columns = [_column([row[f.attname] for row in rows], f, connection) for f in fields]
    if connection.vendor == "postgresql":
        return _copy(connection, model, fields, columns, tally, ids=ids)
    pk, quote = model._meta.pk, connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    one = f"({', '.join(['%s'] * len(fields))})"
    returning = f" RETURNING {quote(pk.column)}" if ids else ""
    size = min(BATCH_SIZE, connection.ops.bulk_batch_size(fields, rows) or BATCH_SIZE)
    given = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = list(zip(*(column[start : start + size] for column in columns), strict=True))
            cursor.execute(
                f"{head}{', '.join([one] * len(batch))}{returning}", [value for row in batch for value in row]
            )
            if ids:
                given += [row[0] for row in cursor.fetchall()]
            tally(len(batch))
    return given


def _copy(connection, model, fields: list, columns: list[list], tally, *, ids: bool) -> list:
    """_insert on PostgreSQL: COPY, BATCH_SIZE rows at a time, which the database reads several
    times faster than the same rows in INSERTs. With `ids`, they are drawn from the table's
    sequence first, as an INSERT would draw them, and written with the rows."""
    quote = connection.ops.quote_name
    table, pk = model._meta.db_table, model._meta.pk.column
    names = [f.column for f in fields]
    given = []
    with connection.cursor() as cursor:
        if ids:
            cursor.execute("SELECT nextval(s) FROM pg_get_serial_sequence(%s, %s) s, generate_series(1, %s)",
                           [table, pk, len(columns[0])])
            given = [row[0] for row in cursor.fetchall()]
            names, columns = [pk, *names], [given, *columns]
        sql = f"COPY {quote(table)} ({', '.join(map(quote, names))}) FROM STDIN (FORMAT csv)"
        for start in range(0, len(columns[0]), BATCH_SIZE):
            # CSV with every value quoted but NULL, so '' stays '' (and the database reads str() of
            # each type _column leaves: numbers, True/False, ISO dates and times with their offset).
            data = io.StringIO()
            csv.writer(data, quoting=csv.QUOTE_NOTNULL, lineterminator="\n").writerows(
                zip(*(column[start : start + BATCH_SIZE] for column in columns), strict=True))

            def copy(sql, params, many, context, data=data):
                with connection.wrap_database_errors, cursor.copy(sql) as stream:  # errors as execute() turns them
                    stream.write(data.getvalue())

            # COPY has no execute(): it goes through the connection's execute wrappers (which count
            # and time statements) as execute() would, the first installed outermost, each called as
            # Django documents: wrapper(execute, sql, params, many, context).
            for wrapper in reversed(connection.execute_wrappers):
                copy = functools.partial(wrapper, copy)
            copy(sql, None, False, {"connection": connection, "cursor": cursor})
            tally(min(BATCH_SIZE, len(columns[0]) - start))
    return given


def _column(values: list, field, connection) -> list:
    """A column's values as the database driver takes them."""
    if field.get_internal_type() in _AS_IS:
        return values
    # Values are hashable in the models imported (no JSON columns).
    converted = {}  # (type, value) -> database value: 1 and 1.0, or a date and a datetime, are not one value
    for value in values:
        key = (type(value), value)
        if key not in converted:
            converted[key] = field.get_db_prep_save(value, connection)
    return [converted[type(value), value] for value in values]


def model_errors(row: SheetRow, instance, columns: dict[str, str]) -> bool:
    """Run the model's own checks on `instance`; each error goes on the row under its sheet column."""
    def messages() -> dict[str, str]:
        try:
            instance.full_clean(validate_unique=False)
        except ValidationError as error:
            return {name: " ".join(texts) for name, texts in error.message_dict.items()}
        return {}

    texts = in_both(messages)
    for name in texts["vi"]:
        row.errors.append(RowError(row.number, columns.get(name, name), {lang: texts[lang][name] for lang in texts}))
    return bool(texts["vi"])


def save_row(row: SheetRow, instance, wanted: dict, columns: dict, record=None) -> str | None:
    """Apply `wanted` to `instance` (new or stored), check it with the model's rules, save it if it changed,
    marking the save with the importing user and `record` in the audit trail.

    'created', 'updated', 'unchanged', or None when the row has errors (`columns`: field -> sheet column).
    """
    if instance.pk and all(getattr(instance, key) == value for key, value in wanted.items()):
        row.outcome = "unchanged"
        return row.outcome
    outcome = "updated" if instance.pk else "created"
    for key, value in wanted.items():
        setattr(instance, key, value)
    if model_errors(row, instance, columns):
        return None
    if record is not None:
        instance._history_user = record.user
        instance._import_record = record
    instance.save()
    row.outcome = outcome
    return outcome
