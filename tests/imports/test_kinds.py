"""The registry of sheet kinds: what every kind must declare, and what kinds must agree on."""

import pytest

from imports.kinds import COLUMN_LABELS, KINDS


@pytest.mark.parametrize("kind", KINDS.values(), ids=KINDS.keys())
def test_every_column_of_a_kind_has_a_label(kind):
    assert set(kind.columns) <= set(kind.labels)


def test_a_column_two_kinds_share_has_one_label():
    # Messages name a column through one table for every kind: a second meaning would show the wrong name.
    for kind in KINDS.values():
        for column, label in kind.labels.items():
            assert str(COLUMN_LABELS[column]) == str(label), (kind.name, column)
