"""Accent- and case-free keys for matching Vietnamese names as people type them."""

import re
import unicodedata

# Prefixes that name the kind of unit rather than the unit ("Tỉnh Bắc Kạn" is "Bắc Kạn").
UNIT_PREFIXES = (
    "thanh pho",
    "tinh",
    "tp.",
    "tp",
    "huyen",
    "quan",
    "thi xa",
    "thi tran",
    "xa",
    "phuong",
    "dac khu",
)
_prefix_re = re.compile(r"^(?:%s)\s+" % "|".join(re.escape(p) for p in UNIT_PREFIXES))


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced: "  Miến  DONG " -> "mien dong".

    Tone marks are dropped entirely, so old and new tone placement ("Thuỷ"/"Thủy") and NFC/NFD
    input fold to the same key.
    """
    decomposed = unicodedata.normalize("NFD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return " ".join(stripped.lower().split())


def fold_unit_name(name: str) -> str:
    """fold() without the leading unit kind: "Tỉnh Bắc Kạn" and "bac kan" give "bac kan"."""
    return _prefix_re.sub("", fold(name), count=1)


def unit_name_keys(name: str) -> tuple[str, ...]:
    """The search names a typed unit name may mean, the literal one first.

    "Huyện Quản Bạ" is "quan ba", and so is "Quản Bạ" (not "ba": its first word only looks like
    "quận"); "Tỉnh Bắc Kạn" is "bac kan". Look the keys up in order and take the first that matches.
    """
    folded = fold(name)
    stripped = _prefix_re.sub("", folded, count=1)
    return (folded,) if stripped == folded else (folded, stripped)
