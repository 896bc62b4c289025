"""What a kind of sheet is: everything the pipeline needs to know about one of them."""

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import tablib
from django.utils.functional import Promise

from ..rows import SheetRow
from ..template import Template


def no_check(rows: list[SheetRow], scope: set[int] | None) -> None:
    """The rows need no checks across rows beyond the pipeline's own."""


@dataclass(frozen=True)
class SheetKind:
    """One kind of sheet the import reads (see CONTRIBUTING.md, "Adding a sheet kind").

    `parse(dataset, as_of)` checks every row and returns them with the headers it did not know;
    `check(rows, scope)` adds the errors that need all the rows (or the importing user's `scope`,
    ids of provinces, None for all); `write(valid rows, record, written)` writes them in the
    pipeline's transaction, telling `written(done)` how many are written every batch of rows or so
    (never a query a row), and counts "created", "updated" and "unchanged".
    """

    name: str  # stored on ImportRecord.kind; import_ocop's --kind
    label: Promise  # what the upload page calls it
    columns: dict[str, tuple[str, ...]]  # column -> the header spellings it answers to (folded)
    labels: dict[str, Promise]  # column -> its name in the messages
    headers: list[str]  # the header row of its blank sheet (Vietnamese), as the upload page lists it
    permissions: tuple[str, ...]  # what a user needs to import it: the rights to write what it writes
    parse: Callable[[tablib.Dataset, datetime.date], tuple[list[SheetRow], list[str]]]
    write: Callable[..., Counter]
    template: Callable[[], Template]  # the blank sheet to fill in, with an example row
    template_name: str  # the blank sheet's file name, without .xlsx
    check: Callable[[list[SheetRow], set[int] | None], None] = no_check
    # Tables an import this large (REFRESH_STATISTICS_ROWS) has the database read its statistics of again.
    models: tuple = field(default=())
    # What the preview shows of each row: (key of a row's values, the column whose label heads it);
    # empty: the kind's columns, as the rows hold them.
    preview: tuple[tuple[str, str], ...] = ()

    def shown(self) -> tuple[tuple[str, str], ...]:
        return self.preview or tuple((column, column) for column in self.columns)
