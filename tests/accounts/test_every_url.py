"""Every URL the project serves, walked as each kind of user: allowed or refused by the roles.

The routes come from the URLconf and `admin.site._registry`: a new model or URL fails
`test_every_url_is_walked_or_explained` (or finds no ACCESS rule) until it is given a rule here.
Records are in province A (Bắc Kạn); staff_b work on province B (Cao Bằng).
"""

import datetime
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from simple_history.admin import SimpleHistoryAdmin
from django.urls import URLResolver, get_resolver, reverse

from products.models import ImportRecord
from targets.models import Indicator, Plan, ReportedFigure, Target

USERS = ["anonymous", "staff_a", "staff_b", "leader", "administrator"]
SIGNED_IN = {"staff_a", "staff_b", "leader", "administrator"}
EVERYONE = {"anonymous", *SIGNED_IN}
SEES_A = {"staff_a", "leader", "administrator"}


class Access(NamedTuple):
    """What each role may do with a model's admin: None, "read", "upload" (add and read),
    "write" (add, change, read), "unlock" (read and delete, never add) or "all" (and delete)."""

    staff: str | None
    leadership: str | None
    admin: str = "all"
    scoped: bool = True  # staff of province B do not see province A's records


ACCESS = {
    "products.producer": Access("write", "read"),
    "products.product": Access("write", "read"),
    "products.ratingdecision": Access("write", "read"),
    "products.rating": Access("write", "read"),
    "products.importrecord": Access("upload", "read"),
    "products.productgroup": Access("read", "read", scoped=False),
    "provinces.adminunit": Access("read", "read", admin="read"),
    "targets.plan": Access("read", "read"),
    "targets.indicator": Access("read", "read", scoped=False),
    "targets.reportedfigure": Access("read", "read"),
    "targets.target": Access("read", "read"),
    # Audit trails across records, read in scope as the records are.
    **{f"{app}.historical{model}": Access("read", "read", admin="read") for app, model in (
        ("products", "producer"), ("products", "product"), ("products", "ratingdecision"), ("products", "rating"),
        ("targets", "plan"), ("targets", "target"), ("targets", "reportedfigure"))},
    # Login throttling's records: an administrator reads them and deletes a lockout to lift it.
    "axes.accessattempt": Access(None, None, admin="unlock", scoped=False),
    "axes.accesslog": Access(None, None, admin="unlock", scoped=False),
    "axes.accessfailurelog": Access(None, None, admin="unlock", scoped=False),
    "auth.user": Access(None, None, scoped=False),
    "auth.group": Access(None, None, scoped=False),
}
LEVELS = {
    "changelist": {"read", "upload", "write", "unlock", "all"},
    "change": {"read", "upload", "write", "unlock", "all"},
    "history": {"read", "upload", "write", "unlock", "all"},
    "export": {"read", "upload", "write", "unlock", "all"},
    "add": {"upload", "write", "all"},
    "delete": {"unlock", "all"},
}
OBJECT_KINDS = {"change", "delete", "history"}


def may(access: Access, kind: str, user: str) -> bool:
    level = {"staff_a": access.staff, "staff_b": access.staff, "leader": access.leadership,
             "administrator": access.admin}.get(user)
    sees = kind not in OBJECT_KINDS or not access.scoped or user != "staff_b"
    return level in LEVELS[kind] and sees


REGISTRY = admin.site._registry
MODEL_ROUTES = [(m._meta.label_lower, kind) for m in REGISTRY for kind in ("changelist", "add", "change", "delete", "history")]
EXPORTS = [(m._meta.label_lower, action) for m, model_admin in REGISTRY.items()
           for action in ("export_xlsx", "export_csv") if action in (model_admin.actions or [])]
APP_LABELS = sorted({m._meta.app_label for m in REGISTRY})

# name: (request as ("get"|"post", url, data), who may)
EXTRA = {
    "admin:index": (lambda ctx: ("get", reverse("admin:index"), {}), SIGNED_IN),
    "admin:login": (lambda ctx: ("get", reverse("admin:login"), {}), EVERYONE),
    "admin:password_change": (lambda ctx: ("get", reverse("admin:password_change"), {}), SIGNED_IN),
    "admin:password_change_done": (lambda ctx: ("get", reverse("admin:password_change_done"), {}), SIGNED_IN),
    "admin:jsi18n": (lambda ctx: ("get", reverse("admin:jsi18n"), {}), SIGNED_IN),
    "admin:autocomplete": (lambda ctx: ("get", reverse("admin:autocomplete"), {
        "app_label": "products", "model_name": "product", "field_name": "producer", "term": ""}), SIGNED_IN),
    # The "view on site" link of Bắc Kạn leads to its dashboard.
    "admin:view_on_site": (lambda ctx: ("get", reverse("admin:view_on_site", args=[ctx.unit_type, ctx.bac_kan.pk]), {}), SEES_A),
    "admin:auth_user_password_change": (
        lambda ctx: ("get", reverse("admin:auth_user_password_change", args=[ctx.record("auth.user").pk]), {}), {"administrator"}),
    "admin:products_importrecord_upload": (
        lambda ctx: ("get", reverse("admin:products_importrecord_upload"), {}), {"staff_a", "staff_b", "administrator"}),
    "admin:products_importrecord_template": (
        lambda ctx: ("get", reverse("admin:products_importrecord_template", args=["products"]), {}),
        {"staff_a", "staff_b", "administrator"}),
    "admin:products_importrecord_rejected": (
        lambda ctx: ("get", reverse("admin:products_importrecord_rejected", args=[ctx.record("products.importrecord").pk]), {}),
        {"staff_a", "administrator"}),  # to fix and import again, as typed (personal data included)
    "admin:products_importrecord_confirm": (
        lambda ctx: ("post", reverse("admin:products_importrecord_confirm", args=[ctx.record("products.importrecord").pk]), {}),
        {"staff_a", "administrator"}),
    "dashboard:overview": (lambda ctx: ("get", reverse("dashboard:overview"), {}), SIGNED_IN),
    "dashboard:overview_table": (lambda ctx: ("get", reverse("dashboard:overview_table", args=["csv"]), {}), SIGNED_IN),
    "dashboard:province": (lambda ctx: ("get", reverse("dashboard:province", args=["bac-kan"]), {}), SEES_A),
    "dashboard:progress_json": (lambda ctx: ("get", reverse("dashboard:progress_json", args=["bac-kan"]), {}), SEES_A),
    "dashboard:table": (lambda ctx: ("get", reverse("dashboard:table", args=["bac-kan", "by-group", "csv"]), {}), SEES_A),
    "provinces:provinces_json": (lambda ctx: ("get", reverse("provinces:provinces_json"), {}), EVERYONE),
}
# One past version of an audited record (its audit trail's page links to each).
EXTRA |= {
    f"admin:{m._meta.app_label}_{m._meta.model_name}_simple_history": (
        lambda ctx, label=m._meta.label_lower: ("get", reverse(
            f"admin:{label.replace('.', '_')}_simple_history",
            args=[ctx.record(label).pk, ctx.record(label).history.latest().pk]), {}),
        {user for user in USERS if may(ACCESS[m._meta.label_lower], "history", user)},
    )
    for m, model_admin in REGISTRY.items() if isinstance(model_admin, SimpleHistoryAdmin)
}
NOT_WALKED = {
    "admin:logout": "POST only: ends the session and shows nothing",
    "set_language": "the language switch: stores a preference and redirects",
    "favicon.ico": "a redirect to a static file",
    "admin/(?P<url>.*)$": "the admin's catch-all: a 404, or a redirect that adds a slash",
    **{f"admin/{m._meta.app_label}/{m._meta.model_name}/<path:object_id>/": "an old change address: redirects to the change URL"
       for m in REGISTRY},
}


def served_routes() -> list[str]:
    """The name (namespace:name) of every URL pattern, or its pattern when it has no name."""
    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace]))
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name
            else:
                yield prefix + str(pattern.pattern)
    return list(walk(get_resolver().url_patterns, "", ""))


def test_every_url_is_walked_or_explained():
    walked = {f"admin:{label.replace('.', '_')}_{kind}" for label, kind in MODEL_ROUTES} | set(EXTRA) | {"admin:app_list"}
    assert [route for route in served_routes() if route not in walked and route not in NOT_WALKED] == []


def test_every_admin_model_has_an_access_rule():
    assert {m._meta.label_lower for m in REGISTRY} <= set(ACCESS)


class Context:
    """Records of province A, made on demand."""

    def __init__(self, make, bac_kan, staff_a, administrator):
        self.bac_kan = bac_kan
        self.unit_type = ContentType.objects.get_for_model(bac_kan).pk
        self.factories = {
            "provinces.adminunit": lambda: bac_kan,
            "products.producer": lambda: make.producer(),
            "products.product": lambda: make.product(),
            "products.ratingdecision": lambda: make.decision("2021-12-29"),
            "products.rating": lambda: make.rate(make.product(), "2021-12-29", 3),
            "products.productgroup": lambda: make.group,
            "products.importrecord": lambda: ImportRecord.objects.create(
                user=staff_a, filename="ds.csv", sha256="0" * 64, content=SHEET_A.encode()),
            "targets.plan": lambda: plan(bac_kan),
            "targets.indicator": lambda: Indicator.objects.get(code="products"),
            "targets.target": lambda: Target.objects.create(
                plan=self.record("targets.plan"), indicator=Indicator.objects.get(code="products"), unit=bac_kan,
                deadline=datetime.date(2025, 12, 31), value=200),
            "axes.accessattempt": lambda: AccessAttempt.objects.create(
                username="lan", ip_address="10.0.0.7", user_agent="", get_data="", post_data="", http_accept="", path_info="",
                failures_since_start=5),
            "axes.accesslog": lambda: AccessLog.objects.create(username="lan", ip_address="10.0.0.7", user_agent=""),
            "axes.accessfailurelog": lambda: AccessFailureLog.objects.create(
                username="lan", ip_address="10.0.0.7", user_agent="", locked_out=True),
            "targets.reportedfigure": lambda: ReportedFigure.objects.create(
                unit=bac_kan, indicator=Indicator.objects.get(code="products"), as_of=datetime.date(2020, 12, 31),
                value=131, source_name="Báo Bắc Kạn"),
            **{f"{label.split('.')[0]}.historical{label.split('.')[1]}": (lambda label=label: self.record(label).history.latest())
               for label in ("products.producer", "products.product", "products.ratingdecision", "products.rating",
                             "targets.plan", "targets.target", "targets.reportedfigure")},
            "auth.user": lambda: administrator,
            "auth.group": lambda: Group.objects.get(name="staff"),
        }
        self.made = {}

    def record(self, label):
        if label not in self.made:
            self.made[label] = self.factories[label]()
        return self.made[label]


SHEET_A = "Tỉnh,Chủ thể,Tên sản phẩm,Số sao,Ngày quyết định\nBắc Kạn,HTX Tài Hoan,Miến dong,4,29/12/2021\n"


def plan(unit) -> Plan:
    return Plan.objects.create(unit=unit, name="Đề án OCOP 2021–2025", kind=Plan.Kind.PROGRAMME,
                               starts_on=datetime.date(2021, 1, 1), ends_on=datetime.date(2025, 12, 31))


@pytest.fixture
def ctx(make, bac_kan, staff_a, administrator):
    return Context(make, bac_kan, staff_a, administrator)


@pytest.fixture
def as_user(request, client):
    def log_in(user):
        if user != "anonymous":
            client.force_login(request.getfixturevalue(user))
        return client
    return log_in


def allowed(client, method, url, data) -> bool:
    """Whether the page was served: refused is 403/404/405, or being sent to the login page or
    to the admin index (the admin's answer to a record the user may not see)."""
    response = getattr(client, method)(url, data, follow=True)
    if response.status_code in (403, 404, 405):
        return False
    assert response.status_code == 200, (url, response.status_code)
    requested, landed = urlsplit(url).path, response.request["PATH_INFO"]
    login, index = reverse("admin:login"), reverse("admin:index")
    if landed == login:
        return requested == login
    if landed == index:
        return requested in (index, login)
    return True


def model_request(ctx, label, kind):
    name = f"admin:{label.replace('.', '_')}_{kind}"
    args = [ctx.record(label).pk] if kind in OBJECT_KINDS else []
    return "get", reverse(name, args=args), {}


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize(("label", "kind"), MODEL_ROUTES)
def test_each_models_admin_pages_open_only_to_the_roles_allowed(ctx, as_user, label, kind, user):
    assert allowed(as_user(user), *model_request(ctx, label, kind)) == may(ACCESS[label], kind, user)


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize(("label", "action"), EXPORTS)
def test_exports_open_only_to_the_roles_that_read_the_list(ctx, as_user, label, action, user):
    url = reverse(f"admin:{label.replace('.', '_')}_changelist")
    data = {"action": action, "index": 0, "_selected_action": [ctx.record(label).pk]}
    assert allowed(as_user(user), "post", url, data) == may(ACCESS[label], "export", user)


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("app_label", APP_LABELS)
def test_an_apps_admin_page_opens_to_the_roles_that_read_one_of_its_models(as_user, app_label, user):
    readable = [access for label, access in ACCESS.items() if label.startswith(f"{app_label}.")]
    expected = user != "anonymous" and any(may(access, "changelist", user) for access in readable)
    assert allowed(as_user(user), "get", reverse("admin:app_list", args=[app_label]), {}) == expected


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("route", sorted(EXTRA))
def test_other_pages_open_only_to_the_users_allowed(ctx, as_user, route, user):
    build, who = EXTRA[route]
    assert allowed(as_user(user), *build(ctx)) == (user in who)
