"""Writes that touch several models, each in one transaction."""

import csv
import datetime
import functools
import hashlib
import io
import itertools
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import DateField, DateTimeField, Field
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from accounts.scope import refusal
from provinces.text import fold

from . import sheets
from .locks import hold_for_tests, serialise_writers, waiting_for_writers
from .models import ImportRecord, Producer, Product, Rating, RatingDecision, in_chunks, lock_products, store_sequence
from .sheets import RowError, SheetRow, in_both, parse_producer_rows, parse_rows, read_sheet


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    written: bool = False
    provinces: set[int] = field(default_factory=set)  # ids of the provinces the sheet's rows name
    # Rows with an error (or a warning): `errors` and `warnings` list at most MAX_ERRORS of them.
    failed_rows: int = 0
    warned_rows: int = 0

    @property
    def unlisted_failed_rows(self) -> int:
        """Rows with an error none of which is listed."""
        return self.failed_rows - len({error.row for error in self.errors})


# Records are written this many to a statement: one statement for a whole sheet would hold its SQL and
# parameters in memory on top of the rows (SQLite), and bulk_update's CASE grows with the batch.
BATCH_SIZE = 1000


def _issuing_body(values) -> tuple:
    level = values["level"]
    if level == RatingDecision.Level.NATIONAL:
        return None, "Bộ Nông nghiệp và Phát triển nông thôn"
    issuer = values["district"] if level == RatingDecision.Level.DISTRICT else values["province"]
    return issuer, f"UBND {issuer.name_in_sentence}"


def _decision_key(values) -> tuple:
    issuer, _body = _issuing_body(values)
    return RatingDecision.unique_key(values["decision_number"], values["date"], values["year_only"], values["level"],
                                     issuer.pk if issuer else None)


def _write_rows(rows: list[SheetRow], record=None) -> Counter:
    """Create or update each valid row's rating, with its producer, product and decision; count the outcomes.

    The records a sheet touches are read in a few queries and the new ones written in bulk
    (create_with_history), to the same end as writing the rows one by one in sheet order: rows
    naming the same producer (province and folded name) share one, as do rows naming the same
    product of a producer or the same decision; a rating whose stars, score and expiry (when
    given) are the row's is unchanged.
    """
    valid_rows = [row for row in rows if not row.errors]
    valid = [row.values for row in valid_rows]
    folded = functools.cache(fold)  # names repeat down a sheet
    keys = [((v["province"].pk, folded(v["producer"])), folded(v["product"]), _decision_key(v)) for v in valid]
    # Before reading what exists: another import of these provinces or decisions writes first, or after.
    serialise_writers(provinces={v["province"].pk for v in valid}, decisions={key for _p, _n, key in keys})
    # Stored producers, products and decisions as values ({"id": …}), new ones as the rows
    # create_with_history will write: children name a parent by either, which has its id once written.
    producers = _existing_producers({producer_key for producer_key, _name, _decision in keys})
    products, elsewhere = _existing_products(producers)
    decisions = _existing_decisions({decision_key for _producer, _name, decision_key in keys})
    ratings = _existing_ratings(products, decisions)  # model instances, for bulk_update_with_history
    hold_for_tests()
    new = {Producer: [], Product: [], RatingDecision: [], Rating: []}
    changed, counts = {}, Counter()
    record_id = record.pk if record else None

    def add(model, **row):
        new[model].append(row)
        return row

    for row, (producer_key, product_name, decision_key) in zip(valid_rows, keys, strict=True):
        values = row.values
        location = {f"{key}_id": values[key].pk if values[key] else None for key in ("province", "district", "commune")}
        # search_name, decided_on and expires as the models' fill_derived_fields() sets them on save().
        if producer_key not in producers:
            producers[producer_key] = add(Producer, name=values["producer"], search_name=producer_key[1],
                                          type=values["producer_type"], **location)
        product_key = (producer_key, product_name)
        if product_key in elsewhere:
            # The producer's product of that name is recorded in another province: a row of this
            # province never writes to it, and the name is the producer's (unique), so none is made.
            row.error("product", lambda: _("This producer already has a product named %(name)s.") % {"name": row.values["product"]})
            continue
        if product_key not in products:
            products[product_key] = add(Product, name=values["product"], search_name=product_name,
                                        producer=producers[producer_key], group_id=values["group"].pk, **location)
        if decision_key not in decisions:
            issuer, body = _issuing_body(values)
            decisions[decision_key] = add(RatingDecision, number=values["decision_number"], date=values["date"],
                                          level=values["level"], issuer_id=issuer.pk if issuer else None,
                                          issuing_body=body, year_only=values["year_only"])
        wanted = {"stars": values["stars"], "score": values.get("score")}
        if values.get("expires"):
            wanted["expires"] = values["expires"]
        rating = ratings.get((product_key, decision_key))
        if rating is None:
            ratings[product_key, decision_key] = add(
                Rating, product=products[product_key], decision=decisions[decision_key], import_record_id=record_id,
                decided_on=values["date"], **{"expires": Rating.certificate_expiry(values["date"]), **wanted})
            counts["created"] += 1
        elif isinstance(rating, dict):  # created by an earlier row: it is written with the last row's values
            if all(rating[key] == value for key, value in wanted.items()):
                counts["unchanged"] += 1
            else:
                rating.update(wanted)
                counts["updated"] += 1
        elif all(getattr(rating, key) == value for key, value in wanted.items()):
            counts["unchanged"] += 1
        else:
            for key, value in wanted.items():
                setattr(rating, key, value)
            rating.import_record = record
            changed[rating.pk] = rating
            counts["updated"] += 1
    # Before writing anything: an edit of these products' ratings meanwhile (the admin) goes first or
    # after. (Products this import creates are seen by no one else until it commits.)
    lock_products({rating["product"]["id"] for rating in new[Rating] if "id" in rating["product"]}
                  | {rating.product_id for rating in changed.values()})
    # Parents first: each insert gives its rows their ids, which their children then take.
    for model, new_rows in new.items():
        create_with_history(model, new_rows, record=record)
    bulk_update_with_history(list(changed.values()), Rating, ["stars", "score", "expires", "import_record"],
                             batch_size=BATCH_SIZE, default_user=record.user if record else None,
                             custom_historical_attrs={"history_import": record})
    # New ratings reorder their products' ratings; new stars change which of them are upgrades.
    store_sequence({row["product_id"] for row in new[Rating]} | {rating.product_id for rating in changed.values()},
                   locked=True)
    return counts


def create_with_history(model, rows: list[dict], *, record=None) -> None:
    """Insert new records of `model`, one for each row ({attname: value}), each with its "created" entry
    in the audit trail naming the importing user and `record`: what simple-history's
    bulk_create_with_history writes, in a fraction of the time (see _insert).

    Each row is completed in place as save() would complete a new instance, and is given its "id":
    fields left out take their defaults; auto_now and auto_now_add fields one time for the whole
    import, as in the audit entries; a parent named by its foreign key's name (`producer=`), as a row
    written before or a stored record's values, gives its id. Nothing is validated and no
    fill_derived_fields() runs: the rows carry those values already.
    """
    if not rows:
        return
    using = router.db_for_write(model)
    fields = _inserted_fields(model)
    now = timezone.now()
    if computed := [f.name for f in fields if type(f).pre_save not in (Field.pre_save, DateField.pre_save, DateTimeField.pre_save)]:
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
    for row, given in zip(rows, _insert(model, rows, using), strict=True):
        row[pk] = given
    history = model.history.model
    user = record.user if record else history.get_default_history_user(None)
    entry = {"history_date": now, "history_type": "+", "history_change_reason": None,
             "history_user_id": user.pk if user else None, "history_import_id": record.pk if record else None}
    tracked = [f.attname for f in history.tracked_fields]
    _insert(history, [{**{name: row[name] for name in tracked}, **entry} for row in rows], using, ids=False)


# Column types whose Python values both database drivers take as they are.
_AS_IS = {"AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "ForeignKey", "IntegerField",
          "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField", "TextField"}


def _inserted_fields(model) -> list:
    """The columns an INSERT gives values to: all but the primary key and generated columns."""
    return [f for f in model._meta.concrete_fields if not (f.primary_key or f.generated)]


def _insert(model, rows: list[dict], using: str, *, ids: bool = True) -> list:
    """Write `rows` ({attname: value} for each of _inserted_fields) into the model's table; with
    `ids`, the primary keys given to them, in order.

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
        return _copy(connection, model, fields, columns, ids=ids)
    pk, quote = model._meta.pk, connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    one = f"({', '.join(['%s'] * len(fields))})"
    returning = f" RETURNING {quote(pk.column)}" if ids else ""
    size = min(BATCH_SIZE, connection.ops.bulk_batch_size(fields, rows) or BATCH_SIZE)
    given = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = list(zip(*(column[start : start + size] for column in columns)))
            cursor.execute(f"{head}{', '.join([one] * len(batch))}{returning}", [value for row in batch for value in row])
            if ids:
                given += [row[0] for row in cursor.fetchall()]
    return given


def _copy(connection, model, fields: list, columns: list[list], *, ids: bool) -> list:
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
                zip(*(column[start : start + BATCH_SIZE] for column in columns)))
            data.seek(0)

            def copy(sql, params, many, context, data=data):
                with connection.wrap_database_errors:  # as execute() turns the driver's errors into Django's
                    return cursor.copy_expert(sql, data)

            # COPY has no execute(); this passes it through the connection's execute wrappers
            # (which count and time statements), as execute() does.
            cursor._execute_with_wrappers(sql, None, False, executor=copy)
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


def _existing_producers(keys: set) -> dict:
    """{(province id, folded name): its values} for the producers of these keys that exist already."""
    found = in_chunks(Producer.objects.order_by().values("id", "province_id", "search_name"), "search_name",
                      {name for _province, name in keys})
    return {key: p for p in found if (key := (p["province_id"], p["search_name"])) in keys}


def _existing_products(producers: dict) -> tuple[dict, set]:
    """{(producer key, folded name): its values} for the products of these existing producers recorded in
    the province of the key (the row's), and the keys of their products recorded in another province."""
    key_of = {producer["id"]: key for key, producer in producers.items()}
    found = in_chunks(Product.objects.order_by().values("id", "producer_id", "search_name", "province_id"), "producer", key_of)
    here, elsewhere = {}, set()
    for p in found:
        producer_key = key_of[p["producer_id"]]
        if p["province_id"] == producer_key[0]:
            here[producer_key, p["search_name"]] = p
        else:
            elsewhere.add((producer_key, p["search_name"]))
    return here, elsewhere


def _existing_decisions(keys: set) -> dict:
    """{decision key: its values} for the decisions of these keys that exist already."""
    decisions = {}
    found = RatingDecision.objects.order_by().values("id", "number", "date", "year_only", "level", "issuer_id")
    for d in in_chunks(found, "date", {key[1] for key in keys}):
        key = RatingDecision.unique_key(d["number"], d["date"], d["year_only"], d["level"], d["issuer_id"])
        if key in keys:
            decisions[key] = d
    return decisions


def _existing_ratings(products: dict, decisions: dict) -> dict:
    """{(product key, decision key): rating} for the existing products' ratings in these decisions."""
    product_key = {product["id"]: key for key, product in products.items()}
    decision_key = {decision["id"]: key for key, decision in decisions.items()}
    found = in_chunks(Rating.objects.order_by(), "product", product_key)
    return {(product_key[r.product_id], decision_key[r.decision_id]): r for r in found if r.decision_id in decision_key}


def _duplicates(rows: list[SheetRow]) -> None:
    """Two rows rating the same product in the same decision: the later one is an error."""
    seen = {}
    for row in rows:
        v = row.values
        if row.errors or v.get("province") is None:
            continue
        key = (v["province"].pk, v["producer"].casefold(), v["product"].casefold(), _decision_key(v))
        if key in seen:
            first = seen[key]
            row.error("product", lambda: _("“%(product)s” is already rated in the same decision on row %(row)s.") % {
                "product": v["product"], "row": first})
        else:
            seen[key] = row.number


def _outside(rows: list[SheetRow], scope) -> None:
    """A row in a province outside `scope` (ids of the importing user's provinces) is an error."""
    for row in rows:
        province = row.values.get("province")
        if province is not None and refusal(scope, province) is not None:
            row.error("province", lambda: _("%(province)s is not one of your provinces.") % {"province": province})


def _unauthorised_decisions(rows: list[SheetRow], scope) -> None:
    """A row whose decision the user may not record in the admin's form (a national decision for
    staff, another province's) is an error on the column that says so: the forms' rule, refusal()."""
    for row in rows:
        v = row.values
        if row.errors or v.get("province") is None or refusal(scope, v["province"]) is not None:
            continue  # unreadable, or refused by _outside already
        issuer, _body = _issuing_body(v)
        if (reason := refusal(scope, issuer)) is not None:
            column = "level" if issuer is None else "district" if v["level"] == RatingDecision.Level.DISTRICT else "province"
            row.error(column, lambda reason=reason: reason)


def import_products(
    *, content: bytes, filename: str, dry_run: bool = False, skip_invalid: bool = False, record=None, scope=None
) -> ImportResult:
    """Import a product sheet. With errors and no skip_invalid, nothing is written; dry_run writes nothing.

    Ratings created or changed point at `record`, the ImportRecord of the upload, when given.
    `scope`: ids of the provinces the sheet may write to (None: any).
    """
    rows, unknown = parse_rows(read_sheet(content, filename))
    _duplicates(rows)
    _unauthorised_decisions(rows, scope)
    result = run_import(rows, unknown, lambda valid: _write_rows(valid, record), dry_run=dry_run,
                        skip_invalid=skip_invalid, scope=scope)
    if result.written and result.created + result.updated >= REFRESH_STATISTICS_ROWS:
        refresh_statistics(Producer, Product, RatingDecision, Rating)
    return result


# An import this large refreshes the planner's statistics of the register's tables at once.
REFRESH_STATISTICS_ROWS = 1000


def refresh_statistics(*models) -> None:
    """Have the database read these tables' statistics again (ANALYZE).

    The planner shapes every count by them. A register loaded into tables it last saw empty would,
    until autovacuum came round, be counted with plans made for a few rows: nested loops over every
    product for every producer, minutes at national scale. (Seen on the test suite's statistics.)
    """
    connection = connections[router.db_for_write(models[0])]
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def run_import(rows: list[SheetRow], unknown: list[str], write, *, dry_run: bool, skip_invalid: bool, scope=None) -> ImportResult:
    """Check, then write the rows of any kind of sheet with `write(valid rows) -> Counter` in one transaction.

    With errors and no skip_invalid, nothing is written; dry_run rolls the writes back after counting.
    `scope`: ids of the provinces the sheet may write to (None: any).
    """
    if scope is not None:
        _outside(rows, scope)
    result = ImportResult(unknown_columns=unknown,
                          provinces={row.values["province"].pk for row in rows if row.values.get("province") is not None})
    if any(row.errors for row in rows) and not skip_invalid:
        return _collect(result, rows)
    with waiting_for_writers(), transaction.atomic():
        counts = write([row for row in rows if not row.errors])
        _collect(result, rows)  # writing runs the models' own checks, which may add errors
        if result.errors and not skip_invalid:
            counts = Counter()  # as when the errors are found before writing: nothing would change
        result.written = not dry_run and (skip_invalid or not result.errors)
        if not result.written:
            transaction.set_rollback(True)
    result.created, result.updated, result.unchanged = counts["created"], counts["updated"], counts["unchanged"]
    return result


def _collect(result: ImportResult, rows: list[SheetRow]) -> ImportResult:
    # The first MAX_ERRORS, which are worded: a row's are worded until the rows above it have that many.
    result.errors = list(itertools.islice((error for row in rows for error in row.errors), sheets.MAX_ERRORS))
    result.warnings = list(itertools.islice((warning for row in rows for warning in row.warnings), sheets.MAX_ERRORS))
    result.failed_rows = sum(1 for row in rows if row.errors)
    result.warned_rows = sum(1 for row in rows if row.warnings)
    return result


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
        return "unchanged"
    outcome = "updated" if instance.pk else "created"
    for key, value in wanted.items():
        setattr(instance, key, value)
    if model_errors(row, instance, columns):
        return None
    if record is not None:
        instance._history_user = record.user
        instance._import_record = record
    instance.save()
    return outcome


def _write_producers(rows: list[SheetRow], record=None) -> Counter:
    counts = Counter()
    serialise_writers(provinces={row.values["province"].pk for row in rows})
    for row in rows:
        v = row.values
        wanted = {"type": v["producer_type"], "district": v["district"], "commune": v["commune"],
                  **{key: v[key] for key in ("tax_code", "phone", "address") if key in v}}
        producer = (Producer.objects.filter(province=v["province"], search_name=fold(v["producer"])).first()
                    or Producer(name=v["producer"], province=v["province"]))
        outcome = save_row(row, producer, wanted, {"name": "producer", "type": "producer_type"}, record)
        if outcome:
            counts[outcome] += 1
    return counts


def import_producers(*, content: bytes, filename: str, dry_run: bool = False, skip_invalid: bool = False,
                     record=None, scope=None, as_of: datetime.date | None = None) -> ImportResult:
    """Import a producer sheet: create producers, or update the type, place and contacts of those known
    by province and name. Blank optional cells keep what is stored."""
    rows, unknown = parse_producer_rows(read_sheet(content, filename), as_of or timezone.localdate())
    return run_import(rows, unknown, lambda valid: _write_producers(valid, record), dry_run=dry_run,
                      skip_invalid=skip_invalid, scope=scope)


def _record_result(record: ImportRecord, result: ImportResult) -> None:
    record.created, record.updated, record.unchanged = result.created, result.updated, result.unchanged
    record.failed_rows, record.warned_rows = result.failed_rows, result.warned_rows
    record.errors = [{"row": e.row, "column": e.column, **e.messages} for e in result.errors]
    record.warnings = [{"row": e.row, "column": e.column, **e.messages} for e in result.warnings]
    record.unknown_columns = result.unknown_columns


def importer(kind: str):
    """The import service for a kind of sheet (ImportRecord.Kind)."""
    if kind == ImportRecord.Kind.PRODUCTS:
        return import_products
    if kind == ImportRecord.Kind.PRODUCERS:
        return import_producers
    from targets import services  # targets builds on products, not the other way round

    return {ImportRecord.Kind.TARGETS: services.import_targets, ImportRecord.Kind.FIGURES: services.import_figures}[kind]


def preview_import(*, user, filename: str, content: bytes, skip_invalid: bool,
                   kind: str = ImportRecord.Kind.PRODUCTS, scope=None) -> ImportRecord:
    """Check an uploaded sheet and count what it would change; keep it for confirmation.

    The sheet goes through the upload gate (sheets.check_file) as it is read: ValidationError."""
    record = ImportRecord(user=user, kind=kind, filename=filename, content=content, skip_invalid=skip_invalid,
                          sha256=hashlib.sha256(content).hexdigest())
    result = importer(kind)(content=content, filename=filename, dry_run=True, skip_invalid=skip_invalid, scope=scope)
    _record_result(record, result)
    with waiting_for_writers(), transaction.atomic():
        record.save()
        record.provinces.set(result.provinces)  # who else may read the record: see ImportRecordAdmin.scope_q
    return record


def confirm_import(*, record: ImportRecord, scope=None, user=None) -> ImportResult:
    """Import a previewed sheet for real; what it writes points back at the record. `scope` as for import_products.

    Confirmed by a `user` other than the uploader and writing nothing (their scope or permissions
    refuse rows the uploader's did not), the record is left as it was: its preview is the
    uploader's, and the result says why to whoever confirmed.
    A ValidationError (locks.busy) when another writer held the same records too long: nothing written.
    """
    with waiting_for_writers(), transaction.atomic():
        result = importer(record.kind)(content=bytes(record.content), filename=record.filename,
                                       skip_invalid=record.skip_invalid, record=record, scope=scope)
        if not result.written and user is not None and user.pk != record.user_id:
            return result
        _record_result(record, result)
        if result.written:
            record.status = ImportRecord.Status.IMPORTED
        record.save()
    return result
