import datetime
from functools import wraps
from urllib.parse import quote

import tablib
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.scope import province_ids
from core.bilingual import in_both
from core.downloads import attachment
from products.models import Producer
from provinces.models import AdminUnit
from targets.progress import Actuals, unit_progress

from . import charts
from .dashboard import ProvinceDashboard, Table
from .forms import AsOfForm
from .overview import overview as overview_rows
from .overview import overview_table


def favicon(request):
    # Resolved per request: the hashed static name exists only once collectstatic has run.
    return HttpResponsePermanentRedirect(static("favicon.svg"))


def old_import_address(request, rest: str):
    """The import pages lived under products/ until the pipeline had its own app. Old links and
    bookmarks still work, and an upload or confirm sent to the old address keeps its method and body
    (308, not 301, which browsers turn into a GET)."""
    if any(part in {".", ".."} for part in rest.split("/")):
        raise Http404
    location = "/admin/imports/importrecord/" + quote(rest)
    if request.META.get("QUERY_STRING"):
        location += "?" + request.META["QUERY_STRING"]
    return HttpResponsePermanentRedirect(location, preserve_request=True)


def _visible(request) -> frozenset[int] | None:
    """Ids of the provinces the visitor may see on the dashboards; None for all.

    A public dashboard is the same for everyone: logging in hides nothing that logging out shows.
    """
    return None if settings.OCOP_PUBLIC_DASHBOARD else province_ids(request.user)


def _login_unless_public(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.OCOP_PUBLIC_DASHBOARD and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)
    return wrapped


def _province(request, slug: str) -> AdminUnit:
    # Another province's page is "not found", as its records are in the admin: the same answer
    # whether or not there is data, and nothing to tell apart from a mistyped address.
    provinces = AdminUnit.objects.provinces().select_related("successor")
    ids = _visible(request)
    return get_object_or_404(provinces if ids is None else provinces.filter(pk__in=ids), slug=slug)


def _overview_rows(request, as_of: datetime.date):
    ids = _visible(request)
    return [row for row in overview_rows(as_of) if ids is None or row.unit.pk in ids]


def _as_of(request) -> tuple[AsOfForm, datetime.date]:
    """The form and the day it asks for; a page whose form was refused shows today, with the reason."""
    form = AsOfForm(request.GET)
    return form, form.day() if form.is_valid() else timezone.localdate()


def _query(request, as_of: datetime.date) -> str:
    """The page's query string for its download links, naming the day the page shows."""
    query = request.GET.copy()
    if "as_of" in query:
        query["as_of"] = f"{as_of:%Y-%m-%d}"
    return query.urlencode()


def _refused(form: AsOfForm) -> HttpResponse:
    return HttpResponseBadRequest(form.refusal(), content_type="text/plain; charset=utf-8")


def _errors_in_both(request) -> dict:
    """The as_of form's errors as JSON (Django's shape), each message in Vietnamese then English,
    and each language apart under "vi" and "en": a script may be read by either."""
    texts = in_both(lambda: AsOfForm(request.GET).errors.get_json_data())
    return {
        field: [
            {
                **vi,
                "message": vi["message"] if vi["message"] == en["message"] else f"{vi['message']} / {en['message']}",
                "vi": vi["message"],
                "en": en["message"],
            }
            for vi, en in zip(errors, texts["en"][field], strict=True)
        ]
        for field, errors in texts["vi"].items()
    }


def _target_json(progress) -> dict:
    target = progress.target
    return {
        "plan": str(target.plan),
        "indicator": target.indicator.code,
        "indicator_name": target.indicator.name,  # Vietnamese, whatever the request's language: a script's key
        "indicator_name_en": target.indicator.name_en,
        "unit": target.unit.slug,
        "deadline": target.deadline,
        "target": float(target.value),
        "actual": None if progress.actual is None else float(progress.actual),
        "percent": progress.percent,
        "expected": progress.expected,
        "status": progress.status,
    }


@require_GET
@_login_unless_public
def progress_json(request, slug):
    unit = _province(request, slug)
    form = AsOfForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": _errors_in_both(request)}, status=400)
    as_of = form.day()
    # One Actuals for the totals and the targets, as the province page counts: the unit's lineage,
    # its producers on `as_of` and on each plan's eve, and its totals on `as_of`, are looked up once.
    actuals = Actuals(unit)
    actuals.want_producers(unit, as_of)
    progress = unit_progress(unit, as_of, actuals)
    totals = actuals.totals(unit, as_of)
    return JsonResponse({
        "unit": {"slug": unit.slug, "name": unit.name, "successor": unit.successor.slug if unit.successor else None},
        "as_of": as_of,
        "totals": {
            "products": totals["products"],
            "by_stars": {str(stars): totals[f"products_{stars}star"] for stars in (3, 4, 5)},
            "products_in_force": totals["products_in_force"],
            "producers": totals["producers"],
            "producers_by_type": {
                kind: totals[f"producers_{kind}"] for kind in Producer.Type.values
            },
            "traceable_products": totals["traceable_products"],
            "ecommerce_products": totals["ecommerce_products"],
        },
        "targets": [_target_json(p) for p in progress],
    })


@require_GET
@_login_unless_public
def province(request, slug):
    unit = _province(request, slug)
    form, as_of = _as_of(request)
    page = ProvinceDashboard(unit, as_of, request.GET.get("plan"))
    tables = {t.slug.replace("-", "_"): t for t in page.tables()}
    place = tables["by_district" if unit.is_legacy else "by_province"]
    figures = {
        "chart-progress": charts.progress_figure(page.progress_chart),
        "chart-place": charts.stacked_bars_figure(place.lines),
        "chart-group": charts.stacked_bars_figure(tables["by_group"].lines),
        "chart-producers": charts.bars_figure(tables["by_producer_type"].lines, title=_("Producers")),
    }
    return render(request, "dashboard/province.html", {
        "unit": unit, "form": form, "as_of": as_of, "page": page, "tables": tables, "place": place, "figures": figures,
        "query": _query(request, as_of),
    }, status=200 if form.is_valid() else 400)


@require_GET
@_login_unless_public
def table_download(request, slug, table, fmt):
    unit = _province(request, slug)
    form, as_of = _as_of(request)
    if not form.is_valid():
        return _refused(form)
    page = ProvinceDashboard(unit, as_of, request.GET.get("plan"))
    found = next((t for t in page.tables() if t.slug == table), None)
    if found is None:
        raise Http404
    return download(found, f"{unit.slug}-{table}-{as_of:%Y-%m-%d}", fmt)


def download(table: Table, filename: str, fmt: str) -> HttpResponse:
    data = tablib.Dataset(*table.rows, headers=table.columns, title=table.title[:31])
    return attachment(data, fmt, filename)


@require_GET
@_login_unless_public
def overview_download(request, fmt):
    form, as_of = _as_of(request)
    if not form.is_valid():
        return _refused(form)
    return download(overview_table(_overview_rows(request, as_of), as_of), f"ocop-{as_of:%Y-%m-%d}", fmt)


@require_GET
@_login_unless_public
def overview(request):
    form, as_of = _as_of(request)
    rows = _overview_rows(request, as_of)
    ranked = [r for r in rows if r.rank]
    figure = charts.stacked_bars_figure([r.line for r in ranked])
    return render(request, "dashboard/overview.html", {
        "form": form, "as_of": as_of, "rows": rows, "lines": overview_table(rows, as_of).lines,
        "figures": {"chart-ranking": figure} if ranked else {}, "query": _query(request, as_of),
    }, status=200 if form.is_valid() else 400)
