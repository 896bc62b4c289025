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
_prefix_re = re.compile(rf"^(?:{'|'.join(re.escape(p) for p in UNIT_PREFIXES)})\s+")
# Characters that show nothing, or only turn the text around: every format character (Unicode
# category Cf: zero-width spaces and joiners, direction marks, overrides and isolates, the BOM, soft
# hyphen, tags), variation selectors, the combining grapheme joiner, the Hangul fillers and the Braille
# blank (U+2800). In a name they only make two names that look the same differ, or make one look like
# another. (Letters of other scripts that look like ours, Cyrillic "Н" for "H", are not caught here.)
INVISIBLE_RE = re.compile(
    "[\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u17b4\u17b5"
    "\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f\U000e0100-\U000e01ef]"
)


def clean_text(text: str) -> str:
    """`text` in NFC (tone marks composed, as most keyboards type them; Windows-1258 writes them
    apart), without invisible or direction-control characters (INVISIBLE_RE)."""
    return unicodedata.normalize("NFC", INVISIBLE_RE.sub("", text))


def clean_name(name: str) -> str:
    """A name as stored: clean_text(), single-spaced."""
    return " ".join(clean_text(name or "").split())


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced: "  Miến  DONG " -> "mien dong".

    Tone marks are dropped entirely, so old and new tone placement ("Thuỷ"/"Thủy") and NFC/NFD
    input fold to the same key.
    """
    decomposed = unicodedata.normalize("NFD", INVISIBLE_RE.sub("", text or ""))
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


def compose_text_fields(sender, instance, **kwargs) -> None:
    """Before any model is saved (pre_save, connected in ProvincesConfig.ready): its text in NFC,
    whichever form, import or code set it, so the same words are stored the same way."""
    for field in sender._meta.concrete_fields:
        value = getattr(instance, field.attname, None)
        if isinstance(value, str) and not unicodedata.is_normalized("NFC", value):
            setattr(instance, field.attname, unicodedata.normalize("NFC", value))
