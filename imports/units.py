"""Unit names as a sheet types them, resolved to the administrative units valid on a row's date."""

import difflib
import re
from collections import defaultdict

import tablib
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from products.models import RatingDecision
from provinces.models import AdminUnit
from provinces.text import fold, fold_unit_name

from .rows import PLACE_COLUMNS, SheetRow, blank, cached_unit_name_keys, map_headers, unquote
from .titles import central_city


class UnitResolver:
    """Unit names as typed, resolved to the unit valid on the row's date.

    The units below the provinces a sheet names are read in one query per level, the first time a
    district or commune is looked up, so resolving costs the same few queries for any number of rows.
    """

    def __init__(self, province_names=None):
        self.provinces = list(AdminUnit.objects.provinces())
        self.province_index = _index(self.provinces)
        # Only these provinces can be picked (whatever the date), so only their units are loaded.
        self.named = [p for p in self.provinces if province_names is None or p.search_name in province_names]
        self.below_index = {}  # level -> {parent id: {search name: [units]}}

    @staticmethod
    def _valid(units, start, end):
        return [
            u for u in units
            if (u.valid_from is None or u.valid_from <= end) and (u.valid_to is None or u.valid_to >= start)
        ]

    def _pick(self, row, column, name, candidates, start, end, scope_names, below=None):
        """The unit `name` means on the row's days, or None with an error on the row. Where several
        match, the names `below` it in the row ({column: name}) decide: see _holding."""
        if not candidates:
            # Looked for only when the error will be worded (SheetRow.word_errors).
            close = []
            if row.word_errors:  # as the units are named, accents and all; those of the row's date first
                keys = difflib.get_close_matches(fold_unit_name(name), sorted(scope_names), n=3, cutoff=0.6)
                close = list(dict.fromkeys(unit.name for key in keys
                                           for unit in self._valid(scope_names[key], start, end) or scope_names[key]))
            row.error(column, lambda: _("No unit named “%(name)s”.%(hint)s") % {
                "name": name, "hint": _(" Did you mean: %(names)s?") % {"names": ", ".join(close)} if close else ""})
            return None
        # The day the row counts from first (a year alone: its 31/12), then any day from `start`.
        on_day = self._valid(candidates, end, end) or self._valid(candidates, start, end)
        if not on_day:
            current = [u for u in candidates if u.valid_to is None]
            if len(current) == 1:
                row.warn(column, lambda: _("No “%(name)s” existed on that date; the current unit %(unit)s is used.") % {
                    "name": name, "unit": current[0]})
                return current[0]
            on_day = candidates
        if len(on_day) > 1 and below:
            holding = self._holding(on_day, below, start, end)
            if len(holding) == 1:
                chosen = holding[0]
                row.warn(column, lambda: _("“%(name)s” matches several units; %(unit)s [%(slug)s] is used, the only "
                                           "one that contains %(below)s.") % {
                    "name": name, "unit": chosen, "slug": chosen.slug,
                    "below": ", ".join(f"“{lower}”" for lower in below.values())})
                return chosen
        if len(on_day) > 1:
            row.error(column, lambda: _("“%(name)s” matches several units: %(units)s.") % {
                "name": name, "units": "; ".join(f"{u} [{u.slug}]" for u in on_day)})
            return None
        return on_day[0]

    def _holding(self, units: list, below: dict, start, end) -> list:
        """Those of `units` in which every name of `below` ({"district"|"commune": name}) is found:
        as a unit of the row's days if any of `units` holds them so, else as a unit of any day."""
        for dated in (True, False):
            holding = [unit for unit in units if self._holds(unit, below, start, end, dated)]
            if holding:
                return holding
        return []

    def _holds(self, unit, below: dict, start, end, dated: bool) -> bool:
        for column, name in below.items():
            found = self._named(self._scope(column, unit), name)
            if not (self._valid(found, start, end) if dated else found):
                return False
        return True

    @staticmethod
    def _named(index: dict, name: str) -> list:
        return next((index[key] for key in cached_unit_name_keys(name) if key in index), [])

    def province(self, row, name, start, end, below=None):
        candidates = self._named(self.province_index, name)
        return self._pick(row, "province", name, candidates, start, end, self.province_index, below)

    def below(self, row, column, name, parent, start, end, below=None):
        units = self._scope(column, parent)
        return self._pick(row, column, name, self._named(units, name), start, end, units, below)

    def _scope(self, column: str, parent) -> dict:
        """{search name: [units]} of the districts or communes (`column`) in `parent`'s scope."""
        level = AdminUnit.Level.DISTRICT if column == "district" else AdminUnit.Level.COMMUNE
        if level not in self.below_index:
            self.below_index[level] = self._load(level)
        return self.below_index[level].get(parent.pk, {})

    def _load(self, level) -> dict:
        """{parent id: {search name: [units]}} for every district or commune of the named provinces.

        A unit is in a parent's scope when the parent is its parent or grandparent, or its parent's
        successor, or (for a legacy province) when its parent is the parent's successor: a legacy
        province's communes may since belong to the new province.
        """
        parents = AdminUnit.objects.filter(pk__in=[p.pk for p in self.named])
        if level == AdminUnit.Level.COMMUNE:
            parents |= AdminUnit.objects.filter(pk__in=_in_scope(AdminUnit.Level.DISTRICT, parents).values("pk"))
        predecessors = defaultdict(list)  # successor id -> the parents it succeeded
        for pk, successor_id in parents.filter(successor__isnull=False).values_list("pk", "successor"):
            predecessors[successor_id].append(pk)
        units = _in_scope(level, parents).annotate(
            grandparent_id=F("parent__parent"), parent_successor_id=F("parent__successor")
        )
        # The model's order, then ids: "matches several units" lists them the same way on every database.
        units = units.order_by(*AdminUnit._meta.ordering, "pk")
        index = defaultdict(lambda: defaultdict(list))
        for unit in units:
            scopes = {unit.parent_id, unit.grandparent_id, unit.parent_successor_id, *predecessors[unit.parent_id]}
            for parent_id in scopes - {None}:
                index[parent_id][unit.search_name].append(unit)
        return index


def _in_scope(level, parents):
    """Units of `level` below `parents` (a queryset of units): see UnitResolver._load."""
    scope = (Q(parent__in=parents) | Q(parent__parent__in=parents) | Q(parent__successor__in=parents)
             | Q(parent__in=parents.filter(successor__isnull=False).values("successor")))
    return AdminUnit.objects.filter(scope, level=level)


def _index(units) -> dict:
    index = defaultdict(list)
    for unit in units:
        index[unit.search_name].append(unit)
    return index


def provinces_named(dataset: tablib.Dataset, columns: dict = PLACE_COLUMNS) -> set[str] | None:
    """The folded province names anywhere in the sheet: they bound the districts and communes worth
    loading. None (load them all) when the sheet names no province of its own."""
    given = (getattr(dataset, "given", None) or {}).get("province")
    if given:
        return set(cached_unit_name_keys(given))
    at = {name: index for index, name in map_headers(dataset.headers or [], columns)[0].items()}.get("province")
    if at is None:
        return None
    return {
        key
        for raw in dataset
        if at < len(raw) and not blank(raw[at])
        for key in cached_unit_name_keys(str(unquote(raw[at])).strip())
    }



def locate(row: SheetRow, text: dict, resolver: UnitResolver, start, end) -> None:
    """The row's province, district and commune (values), resolved on the days from `start` to `end`;
    a province or district name matching several units is decided by the names below it."""
    v = row.values
    below = {column: text[column] for column in ("district", "commune") if column in text}
    v["province"] = province = resolver.province(row, text["province"], start, end, below)
    v["district"] = v["commune"] = None
    if province is None:
        return
    if "district" in text:
        commune = {"commune": text["commune"]} if "commune" in text else None
        v["district"] = resolver.below(row, "district", text["district"], province, start, end, commune)
    if "commune" in text:
        v["commune"] = resolver.below(row, "commune", text["commune"], v["district"] or province, start, end)
    if v["level"] == RatingDecision.Level.DISTRICT and not v["district"]:
        row.error("district", lambda: _("A district-level decision needs the district."))


# What a part of an address is, by its first word(s), folded: a province, a district (before
# 1/7/2025), a commune, or a city, which is a province when it ends the address and a district else.
ADDRESS_KINDS = {
    "tinh": "province", "t.": "province", "huyen": "district", "quan": "district", "thi xa": "district",
    "h.": "district", "q.": "district", "tx.": "district", "tx": "district", "xa": "commune", "phuong": "commune",
    "thi tran": "commune", "x.": "commune", "p.": "commune", "tt.": "commune", "tt": "commune",
    "thanh pho": "city", "tp.": "city", "tp": "city",
}
# The last part of an address that names no unit.
COUNTRY_WORDS = {"viet nam", "vietnam", "vn", "nuoc chxhcn viet nam"}
# The abbreviations written out, so the unit's name is matched as if typed in full.
ABBREVIATIONS = {"t.": "tỉnh ", "h.": "huyện ", "q.": "quận ", "tx.": "thị xã ", "tx": "thị xã ", "x.": "xã ",
                 "p.": "phường ", "tt.": "thị trấn ", "tt": "thị trấn ", "tp.": "thành phố ", "tp": "thành phố "}
_ADDRESS_KIND_RE = re.compile(r"^(" + "|".join(sorted(map(re.escape, ADDRESS_KINDS), key=len, reverse=True))
                              + r")(?:\s+|(?<=\.))")


def address_units(address: str, districts: bool) -> dict[str, str]:
    """The province, district and commune an address names ("Thôn 3, xã Côn Minh, huyện Na Rì, tỉnh
    Bắc Kạn"), read from its right: each part by its prefix (written out when abbreviated: "TP.",
    "H.", "X."), or, without one, by its place: the last a province, then a district while there
    were `districts` (before 1/7/2025), then a commune. What lies left of the commune is not a unit;
    the country ("Việt Nam") and, from 1/7/2025, a former district ("huyện Pác Nặm") are passed over."""
    found = {}
    for part in reversed([part.strip() for part in re.split(r"[,;]", address) if part.strip()]):
        folded = fold(part)
        if folded in COUNTRY_WORDS:
            continue
        match = _ADDRESS_KIND_RE.match(folded)
        kind = ADDRESS_KINDS[match.group(1)] if match else None
        if match and match.group(1) in ABBREVIATIONS:
            part = ABBREVIATIONS[match.group(1)] + part[match.end():].strip()
        if kind == "city":  # a centrally run city (thành phố Hà Nội) is a province; thành phố Bắc Kạn is not
            kind = "province" if not found and central_city(folded[match.end():]) else "district"
        if kind is None:
            kind = next(level for level in ("province", "district", "commune")
                        if level not in found and (level != "district" or districts))
        if kind == "district" and not districts and "commune" not in found:
            continue
        if kind in found or ("commune" in found):
            break
        found[kind] = part
        if kind == "commune":
            break
    return found
