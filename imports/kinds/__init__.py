"""The registry of sheet kinds: each is one module of this package and one line here."""

from . import figures, producers, products, targets
from .base import SheetKind

KINDS: dict[str, SheetKind] = {kind.name: kind for kind in (
    products.KIND,
    producers.KIND,
    targets.KIND,
    figures.KIND,
)}
DEFAULT = products.KIND.name
# Every column's name in the messages, whichever sheet it comes from.
COLUMN_LABELS = {column: label for kind in KINDS.values() for column, label in kind.labels.items()}


def may_import(user, name: str) -> bool:
    """Whether `user` has the rights to write what a sheet of this kind writes."""
    return user.has_perms(KINDS[name].permissions)
