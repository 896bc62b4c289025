"""Imports of plans with their targets, and of published figures (same flow as the product sheet)."""

from collections import Counter

from django.utils.translation import gettext_lazy as _

from products.locks import serialise_writers
from products.services import ImportResult, run_import, save_row
from products.sheets import SheetRow, read_sheet

from .models import Plan, ReportedFigure, Target
from .sheets import parse_figure_rows, parse_target_rows

PLAN_COLUMNS = {"name": "plan", "kind": "plan_kind", "decision_number": "plan_number", "decision_date": "plan_date",
                "starts_on": "starts_on", "ends_on": "ends_on", "unit": "province", "__all__": "ends_on"}


def _write_targets(rows: list[SheetRow], record=None) -> Counter:
    counts, plans, first_row = Counter(), {}, {}
    serialise_writers(provinces={row.values["province"].pk for row in rows})
    for row in rows:
        v = row.values
        plan_fields = {"kind": v["plan_kind"], "decision_number": v["plan_number"], "decision_date": v["plan_date"],
                       "starts_on": v["starts_on"], "ends_on": v["ends_on"]}
        key = (v["province"].pk, v["plan"].casefold())
        if key not in plans:
            plan = Plan.objects.filter(unit=v["province"], name__iexact=v["plan"]).first() or Plan(unit=v["province"], name=v["plan"])
            if save_row(row, plan, plan_fields, PLAN_COLUMNS, record) is None:
                continue
            plans[key], first_row[key] = plan, row.number
        plan = plans[key]
        if any(getattr(plan, field) != value for field, value in plan_fields.items()):
            row.error("plan", lambda: _("The plan's details differ from row %(row)s.") % {"row": first_row[key]})
            continue
        target = Target.objects.filter(plan=plan, indicator=v["indicator"], unit=v["unit"], deadline=v["deadline"]).first()
        target = target or Target(plan=plan, indicator=v["indicator"], unit=v["unit"], deadline=v["deadline"])
        outcome = save_row(row, target, {"value": v["value"], "note": v["note"]},
                        {"unit": "district", "value": "target", "deadline": "deadline", "note": "note", "__all__": "target"}, record)
        if outcome:
            counts[outcome] += 1
    return counts


def import_targets(*, content: bytes, filename: str, dry_run: bool = False, skip_invalid: bool = False, record=None,
                   scope=None) -> ImportResult:
    """Import a sheet of plans and their targets, one target per row: the plan (by province and name)
    is created or updated from its rows, which must agree; each target is matched by indicator, unit and deadline."""
    rows, unknown = parse_target_rows(read_sheet(content, filename))
    return run_import(rows, unknown, lambda valid: _write_targets(valid, record), dry_run=dry_run, skip_invalid=skip_invalid, scope=scope)


def _write_figures(rows: list[SheetRow], record=None) -> Counter:
    counts = Counter()
    serialise_writers(provinces={row.values["province"].pk for row in rows})
    for row in rows:
        v = row.values
        key = {"unit": v["unit"], "indicator": v["indicator"], "as_of": v["as_of"], "source_name": v["source"]}
        figure = ReportedFigure.objects.filter(**key).first() or ReportedFigure(**key)
        outcome = save_row(row, figure, {"value": v["value"], "source_url": v["source_url"], "note": v["note"]},
                        {"unit": "province", "source_name": "source", "value": "value", "source_url": "source_url", "__all__": "value"},
                        record)
        if outcome:
            counts[outcome] += 1
    return counts


def import_figures(*, content: bytes, filename: str, dry_run: bool = False, skip_invalid: bool = False, record=None,
                   scope=None) -> ImportResult:
    """Import published figures: each is matched by unit, indicator, date and source, and its value updated."""
    rows, unknown = parse_figure_rows(read_sheet(content, filename))
    return run_import(rows, unknown, lambda valid: _write_figures(valid, record), dry_run=dry_run, skip_invalid=skip_invalid, scope=scope)
