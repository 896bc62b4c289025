import datetime
from functools import cache, wraps
from urllib.parse import quote

import tablib
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.scope import province_ids
from core.bilingual import in_both
from core.caching import cached_figures, figures_key, revalidated, today
from core.downloads import attachment
from core.errors import SIGN_IN_FIRST, error_response, wants_json
from products.models import Producer
from provinces.models import AdminUnit
from targets.progress import Actuals, unit_progress

from . import charts, lists
from .dashboard import ProvinceDashboard, Table, in_language
from .forms import NOTED_FILTERS, AsOfForm, ProductFilterForm
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


def lazily(parts, *names: str) -> dict:
    """{name: parts()[name], computed only when the template reads it}: a page's counts, which a
    cached fragment (core.caching.figures_key) spares. `parts` is called once (functools.cache)."""
    return {name: SimpleLazyObject(lambda name=name: parts()[name]) for name in names}


def _login_unless_public(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.OCOP_PUBLIC_DASHBOARD and not request.user.is_authenticated:
            # A script reading progress.json gets an error it can read, not the login page's HTML.
            if wants_json(request):
                return error_response(request, 403, SIGN_IN_FIRST)
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
    form = AsOfForm(request.GET, today=today(request))
    return form, form.day() if form.is_valid() else form.today


def _query(request, as_of: datetime.date) -> str:
    """The page's query string for its download links, naming the day the page shows."""
    query = request.GET.copy()
    if "as_of" in query:
        query["as_of"] = f"{as_of:%Y-%m-%d}"
    return query.urlencode()


def _refused(form: AsOfForm) -> HttpResponse:
    return HttpResponseBadRequest(form.refusal(), content_type="text/plain; charset=utf-8")


def _json_refusal(request, make_form=None) -> JsonResponse:
    """400 to a JSON request whose parameters were refused: "error" and "status" as every JSON error
    (core.errors), and each field's errors under "errors"."""
    make_form = make_form or (lambda: AsOfForm(request.GET, today=today(request)))
    return JsonResponse({"error": in_both(lambda: make_form().refusal()), "status": 400,
                         "errors": _errors_in_both(request, make_form)}, status=400)


def _errors_in_both(request, make_form=None) -> dict:
    """The as_of form's (or `make_form()`'s) errors as JSON (Django's shape), each message in
    Vietnamese then English, and each language apart under "vi" and "en": a script may be read by either."""
    make_form = make_form or (lambda: AsOfForm(request.GET, today=today(request)))
    texts = in_both(lambda: make_form().errors.get_json_data())
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


@require_safe
@_login_unless_public
@revalidated
def progress_json(request, slug):
    unit = _province(request, slug)
    form = AsOfForm(request.GET, today=today(request))
    if not form.is_valid():
        return _json_refusal(request)
    as_of = form.day()
    return JsonResponse(cached_figures(request, "progress", lambda: _progress(unit, as_of)))


def _progress(unit: AdminUnit, as_of: datetime.date) -> dict:
    """progress.json's answer."""
    # One Actuals for the totals and the targets, as the province page counts: the unit's lineage,
    # its producers on `as_of` and on each plan's eve, and its totals on `as_of`, are looked up once.
    actuals = Actuals(unit)
    actuals.want_producers(unit, as_of)
    progress = unit_progress(unit, as_of, actuals)
    totals = actuals.totals(unit, as_of)
    return {
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
    }


@require_safe
@_login_unless_public
@revalidated
def province(request, slug):
    unit = _province(request, slug)
    form, as_of = _as_of(request)

    @cache
    def parts() -> dict:
        page = ProvinceDashboard(unit, as_of, request.GET.get("plan"))
        tables = {t.slug.replace("-", "_"): t for t in page.tables()}
        place = tables["by_district" if unit.is_legacy else "by_province"]
        producer_links = [row_links[1] for row_links in tables["by_producer_type"].links]
        figures = {
            "chart-progress": charts.progress_figure(page.progress_chart),
            "chart-place": charts.stacked_bars_figure(place.lines, links=place.links),
            "chart-group": charts.stacked_bars_figure(tables["by_group"].lines, links=tables["by_group"].links),
            "chart-producers": charts.bars_figure(
                tables["by_producer_type"].lines, title=_("Producers"), links=producer_links
            ),
        }
        return {"page": page, "tables": tables, "place": place, "figures": figures}
    # Counted only when the template's cached fragment (figures_key) is not in the cache.
    return render(request, "dashboard/province.html", {
        "unit": unit, "form": form, "as_of": as_of, "query": _query(request, as_of),
        "figures_key": figures_key(request),
        **lazily(parts, "page", "tables", "place", "figures"),
    }, status=200 if form.is_valid() else 400)


@require_safe
@_login_unless_public
@revalidated
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


@require_safe
@_login_unless_public
@revalidated
def overview_download(request, fmt):
    form, as_of = _as_of(request)
    if not form.is_valid():
        return _refused(form)
    return download(overview_table(_overview_rows(request, as_of), as_of), f"ocop-{as_of:%Y-%m-%d}", fmt)


@require_safe
@_login_unless_public
@revalidated
def overview(request):
    form, as_of = _as_of(request)

    @cache
    def parts() -> dict:
        rows = _overview_rows(request, as_of)
        ranked = [r for r in rows if r.rank]
        links = [[None, *(lists.product_link(r.unit, as_of, stars=s) for s in (3, 4, 5)),
                  lists.product_link(r.unit, as_of)] for r in ranked]
        figure = charts.stacked_bars_figure([r.line for r in ranked], links=links)
        return {"rows": rows, "lines": overview_table(rows, as_of).lines,
                "figures": {"chart-ranking": figure} if ranked else {}}
    # Counted only when the template's cached fragment (figures_key) is not in the cache.
    return render(request, "dashboard/overview.html", {
        "form": form, "as_of": as_of, "query": _query(request, as_of), "figures_key": figures_key(request),
        **lazily(parts, "rows", "lines", "figures"),
    }, status=200 if form.is_valid() else 400)


LIST_PAGE_SIZE = 50


def _list_form(request, unit) -> ProductFilterForm:
    return ProductFilterForm(request.GET, unit, today=today(request))


def _list_query(form: ProductFilterForm, as_of: datetime.date) -> str:
    """The list's filters as a query string (the day it shows written out), for its downloads and pages."""
    return lists.link("dashboard:products", form.province, as_of, **form.filters()).split("?", 1)[1]


def _removals(form: ProductFilterForm, as_of: datetime.date, route: str) -> dict[str, str]:
    """{filter: the list's address without it, the others kept} for the filters shown only as a note
    (NOTED_FILTERS), so that each can be taken off."""
    filters = form.filters()
    return {
        name: lists.link(route, form.province, as_of, **{k: v for k, v in filters.items() if k not in dropped})
        for name, dropped in NOTED_FILTERS.items() if any(k in filters for k in dropped)
    }


def _product_rows(found, user) -> list[dict]:
    return [
        {
            "name": product.name, "producer": lists.shown_producer(product.producer, user),
            "stars": product.stars_on, "group": product.group.code,
            "group_name": in_language(product.group.name, product.group.name_en),
            "commune": lists.place(product), "decision": product.decision_number,
            "recognised_on": product.decided_on, "expires_on": product.expires_on,
        }
        for product in found
    ]


@require_safe
@_login_unless_public
@revalidated
def product_list(request, slug):
    unit = _province(request, slug)
    form = _list_form(request, unit)
    valid = form.is_valid()
    as_of = form.day() if valid else form.today
    context = {"unit": unit, "form": form, "as_of": as_of, "kind": "products"}
    if valid:
        found = lists.products(unit, as_of, form.cleaned_data)
        page = Paginator(lists.listed_products(found), LIST_PAGE_SIZE).get_page(request.GET.get("page"))
        context |= {"page": page, "rows": _product_rows(page.object_list, request.user),
                    "query": _list_query(form, as_of), "remove": _removals(form, as_of, "dashboard:products")}
    return render(request, "dashboard/products.html", context, status=200 if valid else 400)


@require_safe
@_login_unless_public
@revalidated
def product_download(request, slug, fmt):
    unit = _province(request, slug)
    form = _list_form(request, unit)
    if not form.is_valid():
        return _refused(form)
    as_of = form.day()
    rows = _product_rows(lists.listed_products(lists.products(unit, as_of, form.cleaned_data)), request.user)
    columns = [_("Product"), _("Producer"), _("Stars"), _("Group"), _("Commune, district or province"),
               _("Decision"), _("Decided on"), _("Certificate expires")]
    data = tablib.Dataset(
        *[[r["name"], r["producer"], r["stars"], f"{r['group']}. {r['group_name']}", r["commune"], r["decision"],
           r["recognised_on"] and f"{r['recognised_on']:%d/%m/%Y}", r["expires_on"] and f"{r['expires_on']:%d/%m/%Y}"]
          for r in rows],
        headers=columns, title=_("Products")[:31],
    )
    return attachment(data, fmt, f"{unit.slug}-products-{as_of:%Y-%m-%d}")


@require_safe
@_login_unless_public
@revalidated
def products_json(request, slug):
    unit = _province(request, slug)
    form = _list_form(request, unit)
    if not form.is_valid():
        return _json_refusal(request, lambda: _list_form(request, unit))
    as_of = form.day()
    found = lists.listed_products(lists.products(unit, as_of, form.cleaned_data))
    results = [
        {key: row[key] for key in ("name", "producer", "stars", "group", "commune", "decision", "recognised_on")}
        for row in _product_rows(found, request.user)
    ]
    return JsonResponse({"as_of": as_of, "count": len(results), "results": results})


@require_safe
@_login_unless_public
@revalidated
def producer_list(request, slug):
    unit = _province(request, slug)
    form = _list_form(request, unit)
    valid = form.is_valid()
    as_of = form.day() if valid else form.today
    context = {"unit": unit, "form": form, "as_of": as_of, "kind": "producers"}
    if valid:
        found = lists.producers(unit, as_of, form.cleaned_data)
        page = Paginator(found, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
        context |= {
            "page": page, "query": _list_query(form, as_of), "remove": _removals(form, as_of, "dashboard:producers"),
            "rows": [{"name": lists.shown_producer(p, request.user), "type": p.get_type_display(),
                      "place": (p.commune or p.province).name} for p in page.object_list],
        }
    return render(request, "dashboard/producers.html", context, status=200 if valid else 400)
