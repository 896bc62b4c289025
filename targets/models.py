from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.audit import audited
from core.constraints import ConstraintErrorsOnFields
from provinces.models import AdminUnit


class Indicator(models.Model):
    """Something a plan sets a target for: counted from the register, or reported by hand."""

    class Source(models.TextChoices):
        COUNTED = "counted", _("Counted from the register")
        REPORTED = "reported", _("Reported figure")

    class Period(models.TextChoices):
        STOCK = "stock", _("Cumulative, as of the date")
        FLOW = "flow", _("New within the plan period")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    source = models.CharField(_("source"), max_length=10, choices=Source)
    period = models.CharField(_("period"), max_length=10, choices=Period, default=Period.STOCK)
    unit_label = models.CharField(_("unit of measure"), max_length=40, default="sản phẩm")
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Manager(models.Manager):
        def get_by_natural_key(self, code):
            return self.get(code=code)

    objects = Manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self):
        return (self.code,)


class PlanManager(models.Manager):
    def get_by_natural_key(self, unit_slug, name):
        return self.get(unit__slug=unit_slug, name=name)


class Plan(ConstraintErrorsOnFields, models.Model):
    """A province's programme plan (Đề án, Kế hoạch) with its period and decision."""

    class Kind(models.TextChoices):
        PROGRAMME = "programme", _("Multi-year programme (Đề án)")
        PLAN = "plan", _("Multi-year plan (Kế hoạch)")
        YEAR = "year", _("Yearly plan")

    unit = models.ForeignKey(
        AdminUnit, models.PROTECT, related_name="plans", verbose_name=_("province"),
        limit_choices_to={"level": AdminUnit.Level.PROVINCE},
    )
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    budget_million_vnd = models.DecimalField(
        _("budget (million VND)"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = PlanManager()
    history = audited()
    constraint_fields = {"plan_unique_name": "name", "plan_ends_after_start": "ends_on"}

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["unit", "-ends_on", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "name"], name="plan_unique_name", violation_error_code="plan_unique_name",
                violation_error_message=_("This province already has a plan of this name."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="plan_ends_after_start",
                violation_error_code="plan_ends_after_start",
                violation_error_message=_("A plan must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.decision_number})" if self.decision_number else self.name

    def natural_key(self):
        return (self.unit.slug, self.name)

    natural_key.dependencies = ["provinces.adminunit"]


class Target(ConstraintErrorsOnFields, models.Model):
    """A plan's goal for one indicator in one unit (the province, or each district) by a deadline."""

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="targets", verbose_name=_("plan"))
    indicator = models.ForeignKey(Indicator, models.PROTECT, related_name="targets", verbose_name=_("indicator"))
    unit = models.ForeignKey(
        AdminUnit, models.PROTECT, related_name="targets", verbose_name=_("unit"),
        help_text=_("The plan's province, or one district for a per-district target."),
    )
    deadline = models.DateField(_("deadline"))
    value = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Manager(models.Manager):
        def get_by_natural_key(self, unit_slug, plan_name, indicator_code, target_unit_slug, deadline):
            return self.get(
                plan__unit__slug=unit_slug, plan__name=plan_name,
                indicator__code=indicator_code, unit__slug=target_unit_slug, deadline=deadline,
            )

    objects = Manager()
    history = audited()
    constraint_fields = {"target_unique": "deadline", "target_value_positive": "value"}

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        # To the last tie (pk): progress.json lists targets in this order on every database.
        ordering = ["plan", "indicator__order", "unit__search_name", "deadline", "indicator__code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "indicator", "unit", "deadline"], name="target_unique",
                violation_error_code="target_unique",
                violation_error_message=_("The plan already has a target for this indicator, unit and deadline."),
            ),
            models.CheckConstraint(
                condition=Q(value__gt=0), name="target_value_positive", violation_error_code="target_value_positive",
                violation_error_message=_("A target must be greater than 0."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value:g} — {self.unit.short_name}"

    def natural_key(self):
        return (*self.plan.natural_key(), self.indicator.code, self.unit.slug, self.deadline.isoformat())

    natural_key.dependencies = ["targets.plan", "targets.indicator"]

    def clean(self) -> None:
        super().clean()
        # The plan may be new and unsaved (a plan entered with its targets): check it too.
        plan = self.plan if Target.plan.is_cached(self) or self.plan_id else None
        if plan is not None and plan.unit_id and self.unit_id:
            unit = self.unit
            if unit.pk != plan.unit_id and unit.parent_id != plan.unit_id:
                raise ValidationError(
                    {"unit": _("The target's unit must be the plan's province or one of its districts.")}
                )
        if plan is not None and plan.starts_on and self.deadline and not plan.starts_on < self.deadline:
            raise ValidationError({"deadline": _("The deadline must fall after the plan starts.")})


class ReportedFigure(ConstraintErrorsOnFields, models.Model):
    """A published figure (as of a date, with its source), kept apart from counts of the register."""

    unit = models.ForeignKey(AdminUnit, models.PROTECT, related_name="reported_figures", verbose_name=_("unit"))
    indicator = models.ForeignKey(
        Indicator, models.PROTECT, related_name="reported_figures", verbose_name=_("indicator")
    )
    as_of = models.DateField(_("as of"))
    as_of_label = models.CharField(
        _("as published"), max_length=40, blank=True, help_text=_("The date as the source gives it, e.g. “7/2023”."),
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    source_name = models.CharField(_("source"), max_length=255)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Manager(models.Manager):
        def get_by_natural_key(self, unit_slug, indicator_code, as_of, source_name):
            return self.get(unit__slug=unit_slug, indicator__code=indicator_code, as_of=as_of, source_name=source_name)

    objects = Manager()
    history = audited()
    constraint_fields = {"reported_figure_unique": "as_of", "reported_figure_non_negative": "value"}

    class Meta:
        verbose_name = _("reported figure")
        verbose_name_plural = _("reported figures")
        ordering = ["unit", "indicator", "as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "indicator", "as_of", "source_name"], name="reported_figure_unique",
                violation_error_code="reported_figure_unique",
                violation_error_message=_(
                    "This source's figure for this unit, indicator and date is already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0), name="reported_figure_non_negative",
                violation_error_code="reported_figure_non_negative",
                violation_error_message=_("A figure cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.short_name} {self.as_of:%d/%m/%Y} {self.indicator}: {self.value:g}"

    def natural_key(self):
        return (self.unit.slug, self.indicator.code, self.as_of.isoformat(), self.source_name)

    natural_key.dependencies = ["provinces.adminunit", "targets.indicator"]
