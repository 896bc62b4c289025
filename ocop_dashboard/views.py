import datetime

from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from provinces.models import AdminUnit
from targets.progress import register_totals, unit_progress

from .forms import AsOfForm


def _province(slug: str) -> AdminUnit:
    return get_object_or_404(AdminUnit.objects.provinces().select_related("successor"), slug=slug)


def _progress(unit: AdminUnit, as_of: datetime.date) -> dict:
    totals = register_totals(unit, as_of)
    return {
        "totals": {
            "products": totals["products"],
            "by_stars": {str(stars): totals[f"products_{stars}star"] for stars in (3, 4, 5)},
            "products_in_force": totals["products_in_force"],
            "producers": totals["producers"],
            "producers_by_type": {
                kind: totals[f"producers_{kind}"] for kind in ("enterprise", "cooperative", "coop_group", "household")
            },
            "traceable_products": totals["traceable_products"],
            "ecommerce_products": totals["ecommerce_products"],
        },
        "targets": unit_progress(unit, as_of),
    }


def _target_json(progress) -> dict:
    target = progress.target
    return {
        "plan": str(target.plan),
        "indicator": target.indicator.code,
        "indicator_name": target.indicator.name,
        "unit": target.unit.slug,
        "deadline": target.deadline,
        "target": float(target.value),
        "actual": None if progress.actual is None else float(progress.actual),
        "percent": progress.percent,
        "expected": progress.expected,
        "status": progress.status,
    }


@require_GET
def progress_json(request, slug):
    unit = _province(slug)
    form = AsOfForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    as_of = form.day()
    progress = _progress(unit, as_of)
    return JsonResponse({
        "unit": {"slug": unit.slug, "name": unit.name, "successor": unit.successor.slug if unit.successor else None},
        "as_of": as_of,
        "totals": progress["totals"],
        "targets": [_target_json(p) for p in progress["targets"]],
    })


@require_GET
def province(request, slug):
    unit = _province(slug)
    form = AsOfForm(request.GET)
    as_of = form.day() if form.is_valid() else timezone.localdate()
    return render(request, "dashboard/province.html", {"unit": unit, "form": form, "as_of": as_of, **_progress(unit, as_of)})
