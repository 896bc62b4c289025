import datetime
from collections import defaultdict
from functools import cached_property

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .text import fold_unit_name, unit_name_keys

# The 2025 reform: 63 provinces with districts until this day, 34 provinces without districts after.
REFORM_DATE = datetime.date(2025, 7, 1)
LEGACY_END = REFORM_DATE - datetime.timedelta(days=1)


class AdminUnitQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date) -> "AdminUnitQuerySet":
        """Units that existed on `day`."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def provinces(self) -> "AdminUnitQuerySet":
        """Province-level units, legacy and current."""
        return self.filter(level=AdminUnit.Level.PROVINCE)

    def current(self) -> "AdminUnitQuerySet":
        """Units that exist today (no end date)."""
        return self.filter(valid_to__isnull=True)

    def named(self, name: str) -> "AdminUnitQuerySet":
        """Units whose name, without its kind prefix and accents, is `name` folded the same way
        ("Quản Bạ" and "Huyện Quản Bạ" name Quản Bạ; a name matching as typed wins over one without its first word)."""
        keys = unit_name_keys(name)
        literal = self.filter(search_name=keys[0])
        return literal if len(keys) == 1 or literal.exists() else self.filter(search_name=keys[1])


class AdminUnitManager(models.Manager.from_queryset(AdminUnitQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class AdminUnit(models.Model):
    """A province, district or commune as it existed between valid_from and valid_to."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        DISTRICT = "district", _("District")
        COMMUNE = "commune", _("Commune")

    level = models.CharField(_("level"), max_length=10, choices=Level)
    code = models.PositiveIntegerField(_("official code"))
    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=100)
    division_type = models.CharField(_("kind"), max_length=30, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    search_name = models.CharField(max_length=100, editable=False, db_index=True)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    successor = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name=_("successor"),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = AdminUnitManager()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["level", "search_name", "-valid_to"]
        # The provinces (or a province's communes) in name order without reading all 14,000 units:
        # SQLite otherwise walks the search_name index through every unit (3.6 ms for the overview's 97).
        indexes = [models.Index(fields=["level", "search_name"], name="unit_level_name")]
        constraints = [
            models.UniqueConstraint(fields=["level", "code", "valid_to"], name="unit_code_unique_per_period"),
            models.UniqueConstraint(
                fields=["level", "code"], condition=Q(valid_to__isnull=True), name="unit_code_unique_current"
            ),
            models.CheckConstraint(
                condition=(
                    Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=models.F("valid_from"))
                ),
                name="unit_valid_range",
            ),
        ]

    def __str__(self) -> str:
        if self.valid_to:
            return _("%(name)s (until %(date)s)") % {"name": self.name, "date": self.valid_to.strftime("%d/%m/%Y")}
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = fold_unit_name(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("dashboard:province", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @property
    def display_name(self) -> str:
        """Short name, with "(cũ)" when a current unit has taken the same name (slug suffix "-cu")."""
        return _("%(name)s (former)") % {"name": self.short_name} if self.slug.endswith("-cu") else self.short_name

    @property
    def name_in_sentence(self) -> str:
        """The full name as it reads mid-sentence: "tỉnh Thái Nguyên"."""
        return self.name[:1].lower() + self.name[1:]

    @property
    def name_in_text(self) -> str:
        """The name mid-sentence in the active language: "tỉnh Thái Nguyên" in Vietnamese; in English the
        short name ("Thái Nguyên"), as the Vietnamese prefix reads as a foreign word there."""
        return self.display_name if (get_language() or "").startswith("en") else self.name_in_sentence

    @property
    def is_legacy(self) -> bool:
        return self.valid_to is not None

    def is_valid_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    @cached_property
    def merged_units(self) -> list["AdminUnit"]:
        """Every unit merged into this one, directly or through earlier mergers, each knowing its
        own (so their lineage_ids cost no query): Bắc Kạn and old Thái Nguyên for Thái Nguyên (2025).

        One query per generation: each unit found says whether any was merged into it, so the walk
        stops at the generation whose units have none (one query for a province of today).
        """
        merged_into, frontier = defaultdict(list), [self.pk]
        while frontier:
            found = AdminUnit.objects.filter(successor__in=frontier).annotate(
                has_merged=Exists(AdminUnit.objects.filter(successor=OuterRef("pk")))
            )
            frontier = []
            for unit in found:
                merged_into[unit.successor_id].append(unit)
                if unit.has_merged:
                    frontier.append(unit.pk)

        def walk(pk: int) -> list[AdminUnit]:
            units = []
            for unit in merged_into[pk]:
                unit.merged_units = walk(unit.pk)  # fills its cached_property
                units += [unit, *unit.merged_units]
            return units
        return walk(self.pk)

    @cached_property
    def lineage_ids(self) -> list[int]:
        """This unit and every unit merged into it, directly or through earlier mergers (merged_units).

        Records kept against a predecessor roll up into its successor: Thái Nguyên (2025) counts
        what was recorded in Bắc Kạn (until 2025).
        """
        return [self.pk, *(unit.pk for unit in self.merged_units)]

    def communes_on(self, day: datetime.date) -> AdminUnitQuerySet:
        """Communes that are part of this unit on `day`, and every earlier commune merged into them."""
        lineage = self.lineage_ids
        inside = AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNE).filter(
            Q(pk__in=lineage) | Q(parent__in=lineage) | Q(parent__parent__in=lineage)
        )
        on_day = inside.valid_on(day).values("pk")
        return AdminUnit.objects.filter(Q(pk__in=on_day) | Q(successor__in=on_day))
