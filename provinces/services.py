"""Loading administrative units from the `vietnam-provinces` package (legacy and current lists)."""

from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify

from .models import LEGACY_END, REFORM_DATE, AdminUnit
from .text import fold, fold_unit_name

PREFIXES = ("thành phố", "tỉnh", "huyện", "quận", "thị xã", "thị trấn", "xã", "phường", "đặc khu")
Level = AdminUnit.Level


@dataclass(frozen=True)
class UnitRow:
    level: str
    code: int
    name: str
    division_type: str
    legacy: bool
    parent_key: tuple | None = None

    @property
    def key(self) -> tuple:
        return (self.level, self.code, self.legacy)


def unit_name(name: str) -> str:
    """`name` with its kind written as the other units' are ("Thành phố Bắc Kạn", "Xã Bắc Sơn"): the
    package writes a few "Thành Phố …" and one "xã …"."""
    lowered = name.lower()
    for prefix in PREFIXES:
        if lowered.startswith(prefix + " "):
            return prefix.capitalize() + name[len(prefix):]
    return name


def short_name(name: str) -> str:
    lowered = name.lower()
    for prefix in PREFIXES:
        if lowered.startswith(prefix + " "):
            return name[len(prefix) + 1 :].strip()
    return name


def _package_rows() -> list[UnitRow]:
    from vietnam_provinces import Province, Ward, legacy

    rows = [
        UnitRow(Level.PROVINCE, int(p.code), p.name, str(p.division_type), True) for p in legacy.Province.iter_all()
    ]
    rows += [
        UnitRow(
            Level.DISTRICT, int(d.code), d.name, str(d.division_type), True,
            (Level.PROVINCE, int(d.province_code), True),
        )
        for d in legacy.District.iter_all()
    ]
    rows += [
        UnitRow(
            Level.COMMUNE, int(w.code), w.name, str(w.division_type), True,
            (Level.DISTRICT, int(w.district_code), True),
        )
        for w in legacy.Ward.iter_all()
    ]
    rows += [UnitRow(Level.PROVINCE, int(p.code), p.name, str(p.division_type), False) for p in Province.iter_all()]
    rows += [
        UnitRow(
            Level.COMMUNE, int(w.code), w.name, str(w.division_type), False,
            (Level.PROVINCE, int(w.province_code), False),
        )
        for w in Ward.iter_all()
    ]
    return rows


def _successor_keys() -> dict[tuple, tuple]:
    """Legacy unit key -> current unit key, from the package's 2025 conversion tables.

    A province split between new provinces (Tiền Giang) goes to the one that took most of its
    communes. A commune split between new communes gets no successor: no single unit holds it.
    """
    from vietnam_provinces._province_conversion_2025 import OLD_TO_NEW as PROVINCES
    from vietnam_provinces._ward_conversion_2025 import OLD_TO_NEW as WARDS

    communes_taken = Counter()
    for entry in WARDS.values():
        for new in entry.new_wards:
            communes_taken[(entry.old_ward.province_code, new.province_code)] += 1
    successors = {}
    for old_code, entry in PROVINCES.items():
        new_codes = [ref.code for ref in entry.new_provinces]
        best = max(new_codes, key=lambda new: communes_taken[(old_code, new)])
        successors[(Level.PROVINCE, old_code, True)] = (Level.PROVINCE, best, False)
    for old_code, entry in WARDS.items():
        if len(entry.new_wards) == 1:
            successors[(Level.COMMUNE, old_code, True)] = (Level.COMMUNE, entry.new_wards[0].code, False)
    return successors


def _slugs(rows: list[UnitRow]) -> dict[tuple, str]:
    """Stable, unique slugs: provinces by name ("bac-kan"; a legacy one sharing a current name gets
    "-cu", e.g. "bac-ninh-cu"), districts and communes by name without its kind (kinds changed often:
    huyện → thị xã) and official code ("na-ri-066", legacy communes "con-minh-02029-cu")."""
    slugs = {}
    current_provinces = {slugify(fold(short_name(r.name))) for r in rows if r.level == Level.PROVINCE and not r.legacy}
    for r in rows:
        if r.level == Level.PROVINCE:
            slug = slugify(fold(short_name(r.name)))
            if r.legacy and slug in current_provinces:
                slug += "-cu"
        else:
            width = 3 if r.level == Level.DISTRICT else 5
            suffix = "-cu" if r.legacy and r.level == Level.COMMUNE else ""
            slug = f"{slugify(fold(short_name(r.name)))}-{r.code:0{width}d}{suffix}"
        slugs[r.key] = slug
    return slugs


@transaction.atomic
def load_admin_units() -> dict[str, int]:
    """Create or update every legacy and current unit with its parent and successor; idempotent.

    Returns {"created": n, "updated": n, "unchanged": n}.
    """
    rows = _package_rows()
    slugs = _slugs(rows)
    existing = {
        (u.level, u.code, u.valid_to is not None): u
        for u in AdminUnit.objects.filter(valid_to__isnull=True) | AdminUnit.objects.filter(valid_to=LEGACY_END)
    }
    counts = Counter()
    # Parents before children, so each level can point at saved ids.
    for level in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE):
        to_create, to_update = [], []
        for r in (r for r in rows if r.level == level):
            values = {
                "name": unit_name(r.name),
                "short_name": short_name(r.name),
                "division_type": r.division_type,
                "slug": slugs[r.key],
                "search_name": fold_unit_name(r.name),
                "parent_id": existing[r.parent_key].pk if r.parent_key else None,
                "valid_from": None if r.legacy else REFORM_DATE,
                "valid_to": LEGACY_END if r.legacy else None,
            }
            unit = existing.get(r.key)
            if unit is None:
                unit = AdminUnit(level=r.level, code=r.code, **values)
                existing[r.key] = unit
                to_create.append(unit)
            elif any(getattr(unit, field) != value for field, value in values.items()):
                for field, value in values.items():
                    setattr(unit, field, value)
                to_update.append(unit)
            else:
                counts["unchanged"] += 1
        AdminUnit.objects.bulk_create(to_create, batch_size=1000)
        AdminUnit.objects.bulk_update(to_update, list(values), batch_size=1000)
        counts["created"] += len(to_create)
        counts["updated"] += len(to_update)
    _link_successors(existing, _successor_keys())
    return {key: counts[key] for key in ("created", "updated", "unchanged")}


def _link_successors(units: dict[tuple, AdminUnit], successors: dict[tuple, tuple]) -> None:
    changed = []
    for key, unit in units.items():
        successor = units.get(successors.get(key))
        successor_id = successor.pk if successor else None
        if unit.successor_id != successor_id:
            unit.successor_id = successor_id
            changed.append(unit)
    AdminUnit.objects.bulk_update(changed, ["successor"], batch_size=1000)
