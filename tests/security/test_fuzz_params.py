"""Property-based: random and hostile values in every GET parameter of every URL never cause a
server error, for a signed-in administrator (every admin page) and for anonymous visitors of a
public dashboard.

The URLs are those tests/accounts/test_every_url.py walks (the URLconf and the admin registry), each
with its ordinary query, to which a few of the parameters that URL reads are added or replaced.
"""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.accounts.test_every_url import (
    ACCESS,
    APP_LABELS,
    AUDITED,
    MODEL_ROUTES,
    OBJECT_KINDS,
    PAGES,
    PROVINCE_PAGES,
    REGISTRY,
    Context,
    objects_of,
    served_routes,
)

pytestmark = pytest.mark.django_db
HOSTILE = st.sampled_from([
    "", "0", "-1", "1", "2", "5", "2021", "13", "32", "9999", "10000", "99999", "9" * 20, "-" + "9" * 20, "1e999",
    "NaN",
    "abc", "none", "true", "\x00", "a\x00b", "\u202e", "Bắc Kạn", "'\"<>&%", "1,2", "__", "x" * 5000, "a " * 1500,
    "0001-01-01", "9999-12-31", "1999-12-31", "2021-12-29", "29/12/2021", "2021-02-30", "31/12/99999", "-0001-01-01",
    "products", "product", "producer", "id", "pk", "-pk", "1.2.3", "http://evil.example/", "//evil.example",
])
DAYS = st.dates().flatmap(lambda day: st.sampled_from([day.isoformat(), day.strftime("%d/%m/%Y"), str(day.year)]))
VALUE = st.one_of(HOSTILE, DAYS, st.integers(-10**25, 10**25).map(str), st.text(max_size=40))
SETTINGS = settings(deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# Read by the admin on every page, or by Django's admin views of each kind.
ADMIN_PARAMETERS = ["_changelist_filters", "_popup", "_to_field", "e"]
CHANGELIST_PARAMETERS = ["q", "o", "p", "all", "_facets"]
DASHBOARD_PARAMETERS = ["as_of", "plan", "stars", "group", "status", "unit", "unrecorded", "type", "year", "q", "page"]
AUTOCOMPLETE_PARAMETERS = ["app_label", "model_name", "field_name", "term", "page", "valid_on"]
AUTOCOMPLETES = {  # one of each kind of widget: a plain search, and units of a given day
    "admin:autocomplete": {"app_label": "products", "model_name": "product", "field_name": "producer", "term": "a"},
    "admin:autocomplete (units)": {"app_label": "products", "model_name": "ratingdecision", "field_name": "issuer",
                                   "term": "bac", "valid_on": "2021-12-29"},
}


def list_parameters(model_admin, request) -> list[str]:
    """What the list's filters and date hierarchy read from the query string."""
    changelist = model_admin.get_changelist_instance(request)
    names = {name for spec in changelist.filter_specs for name in spec.expected_parameters()}
    for entry in model_admin.list_filter:  # also those a list shows only once it has values to offer
        if isinstance(entry, type) and issubclass(entry, admin.SimpleListFilter):
            names.add(entry.parameter_name)
        elif isinstance(path := entry[0] if isinstance(entry, (tuple, list)) else entry, str):
            names |= {path, f"{path}__exact", f"{path}__id__exact", f"{path}__isnull"}
    if model_admin.date_hierarchy:
        names |= {f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day", "gte", "lt")}
    return sorted(names)


def parameters(route: str, request) -> list[str]:
    """The GET parameters the route reads (or may be sent by a link or a hand)."""
    if route.startswith("admin:autocomplete"):
        return AUTOCOMPLETE_PARAMETERS
    if route.startswith("dashboard:"):
        return DASHBOARD_PARAMETERS
    if route in ("admin:login", "admin:logout", "set_language"):
        return ["next", "language", *ADMIN_PARAMETERS]
    label, _, kind = route.partition(" ")
    if label not in ACCESS:
        return [*ADMIN_PARAMETERS, "p", "page", "next"]
    if kind == "changelist":
        model_admin = admin.site._registry[admin_model(label)]
        return [*ADMIN_PARAMETERS, *CHANGELIST_PARAMETERS, *list_parameters(model_admin, request)]
    if kind == "add":
        model = admin_model(label)
        return [*ADMIN_PARAMETERS, *(f.name for f in model._meta.get_fields() if f.concrete)]
    # An import's page pages through its rows (`?p=`, `?rows=errors`).
    return [*ADMIN_PARAMETERS, "p", "page", "next", *(["rows"] if label == "imports.importrecord" else [])]


# Each tried alone in each parameter a page reads for itself (a list's filters, a dashboard's date,
# the related records a new record's form looks up), before the random values: what broke pages once.
EDGES = ["abc", "9" * 20, "0001-01-01", "\x00"]


def swept(route: str, user: str, names: list[str]) -> list[str]:
    if user == "anonymous" and route not in PUBLIC_ROUTES:
        return []
    if route.endswith(" add"):
        fields = {f.name: f for f in admin_model(route.split(" ")[0])._meta.get_fields()}
        return [name for name in names if name in fields and fields[name].is_relation]
    return names if route.endswith(" changelist") or route.startswith(("dashboard:", "admin:autocomplete")) else []


def random_examples(route: str, user: str) -> int:
    if user == "anonymous" and route not in PUBLIC_ROUTES:
        return 3  # the login page
    return 10 if route.endswith(" changelist") or route.startswith("dashboard:") else 5


def admin_model(label: str):
    return next(model for model in admin.site._registry if model._meta.label_lower == label)


# The routes test_every_url does not walk, at an address of each.
UNWALKED = {
    "admin:logout": lambda ctx: reverse("admin:logout"),
    "set_language": lambda ctx: reverse("set_language"),
    "favicon.ico": lambda ctx: "/favicon.ico",
    "admin/(?P<url>.*)$": lambda ctx: "/admin/nothing-here",
    "^admin/products/importrecord/(?P<rest>.*)$": lambda ctx: "/admin/products/importrecord/",
    **{f"admin/{m._meta.app_label}/{m._meta.model_name}/<path:object_id>/":
       (lambda ctx, label=m._meta.label_lower: f"/admin/{label.replace('.', '/')}/{record(ctx, label).pk}/")
       for m in REGISTRY},
}


def record(ctx, label: str):
    """The matrix's record of `label` in province A (or its one record, for reference data)."""
    return ctx.record(label, "a" if "a" in objects_of(label) else "any")


def history_version(label: str):
    def url(ctx):
        obj = record(ctx, label)
        return reverse(f"admin:{label.replace('.', '_')}_simple_history", args=[obj.pk, obj.history.latest().pk])
    return url


# Every named page but each model's own, at an address of each (of province A where it has one).
NAMED = {
    **{name: build for name, (build, _answers) in PAGES.items()},
    **{name: (lambda ctx, build=build: build(ctx, ctx.units["a"])) for name, build in PROVINCE_PAGES.items()},
    "admin:imports_importrecord_rejected": lambda ctx: reverse(
        "admin:imports_importrecord_rejected", args=[record(ctx, "imports.importrecord").pk]),
    "admin:imports_importrecord_status": lambda ctx: reverse(
        "admin:imports_importrecord_status", args=[record(ctx, "imports.importrecord").pk]),
    **{f"admin:{label.replace('.', '_')}_simple_history": history_version(label) for label in AUDITED},
}


def base_request(ctx, route: str) -> tuple[str, dict]:
    """The route's URL and its ordinary query."""
    if route in UNWALKED:
        return UNWALKED[route](ctx), {}
    if route in AUTOCOMPLETES:
        return reverse("admin:autocomplete"), AUTOCOMPLETES[route]
    if route.startswith("admin:app_list "):
        return reverse("admin:app_list", args=[route.split()[1]]), {}
    if " " in route:
        label, kind = route.split(" ")
        args = [record(ctx, label).pk] if kind in OBJECT_KINDS else []
        return reverse(f"admin:{label.replace('.', '_')}_{kind}", args=args), {}
    return NAMED[route](ctx), {}


GET_EXTRAS = sorted(NAMED)
ROUTES = [f"{label} {kind}" for label, kind in MODEL_ROUTES] + [f"admin:app_list {label}" for label in APP_LABELS] + \
    GET_EXTRAS + sorted(AUTOCOMPLETES) + sorted(UNWALKED)
PUBLIC_ROUTES = [name for name in GET_EXTRAS
                 if name.startswith(("dashboard:", "provinces:")) or name == "admin:login"] + \
    ["set_language", "favicon.ico"]


@pytest.fixture
def ctx(request, db):
    """Every record of the matrix, so every list shows its filters."""
    context = Context(request)
    context.everything()
    return context


def test_every_route_is_fuzzed():
    model_pages = {f"admin:{label.replace('.', '_')}_{kind}" for label, kind in MODEL_ROUTES}
    fuzzed = set(ROUTES) | model_pages | {"admin:app_list", "admin:autocomplete"}
    # The routes left out take POST only.
    assert set(served_routes()) - fuzzed == {
        "admin:imports_importrecord_confirm", "admin:imports_importrecord_cancel", "admin:imports_importrecord_columns"}


# A date typed into a date-time filter (`?attempt_time__gte=2021-12-29`) is read at midnight, with
# Django's warning that it has no time zone: a warning (an error in this suite), not a failure.
@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime:RuntimeWarning")
@pytest.mark.parametrize("user", ["administrator", "anonymous"])
@pytest.mark.parametrize("route", ROUTES)
def test_no_get_parameter_makes_a_page_fail(client, ctx, administrator, public_dashboard, route, user):
    if user != "anonymous":
        client.force_login(administrator)
    request = RequestFactory().get("/")
    request.user = administrator
    url, base = base_request(ctx, route)
    names = parameters(route, request)

    def check(values):
        response = client.get(url, {**base, **values})
        assert response.status_code < 500, (url, values)

    test = given(values=st.dictionaries(st.sampled_from(names), VALUE, min_size=1, max_size=3))(check)
    for name in swept(route, user, names):
        for value in EDGES:
            test = example(values={name: value})(test)
    settings(SETTINGS, max_examples=random_examples(route, user))(test)()
