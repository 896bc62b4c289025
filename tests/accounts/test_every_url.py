"""The scope matrix: every URL the project serves × every role × a record of province A, of province B
and one shared by both, by GET and by POST (forms and their inline formsets posted back as the
administrator sees them, exports, imports, downloads, JSON).

The routes come from the URLconf and `admin.site._registry`: a new model or URL fails
`test_every_url_is_walked_or_explained` (or finds no ACCESS rule) until it is given a rule here.

Each case asserts the answer (ok, login, 403 forbidden, 404 hidden, saved, refused) and that nothing
leaked: no page, download or JSON shows a record of a province outside the user's scope (their
names carry the marker QQB) or, to leadership, a producer's personal data (marker QQP); and no
POST changed, created or deleted a record the user may not write.
A: Bắc Kạn (until 30/06/2025); B: Cao Bằng.
"""

import datetime
import io
import re
import zipfile
from typing import NamedTuple

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver, reverse
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ScopedAdminMixin
from imports.models import ColumnMapping, ImportRecord
from products.models import Producer, Product, Rating, RatingDecision
from targets.models import Indicator, Plan, ReportedFigure, Target
from tests.conftest import Register, member, unit

ROLES = ["anonymous", "staff_a", "staff_ab", "leader_a", "leader", "administrator"]
# The provinces each role's scope covers ("a", "b"), and what it is.
SCOPE = {"anonymous": set(), "staff_a": {"a"}, "staff_ab": {"a", "b"}, "leader_a": {"a"}, "leader": {"a", "b"},
         "administrator": {"a", "b"}}
KIND = {"staff_a": "staff", "staff_ab": "staff", "leader_a": "leadership", "leader": "leadership",
        "administrator": "admin"}
PERSONAL = {"staff_a", "staff_ab", "administrator"}  # may read a producer's phone, address, tax code


class Access(NamedTuple):
    """What each role may do with a model's admin: None, "read", "upload" (add and read),
    "write" (add, change, read), "unlock" (read and delete, never add) or "all" (and delete)."""

    staff: str | None
    leadership: str | None
    admin: str = "all"
    scoped: bool = True  # its records belong to a province; others are national reference data


ACCESS = {
    "products.producer": Access("write", "read"),
    "products.product": Access("write", "read"),
    "products.ratingdecision": Access("write", "read"),
    "products.rating": Access("write", "read"),
    "imports.importrecord": Access("upload", "read"),
    "imports.columnmapping": Access("write", None),
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
    "save": {"write", "all"},
    "delete": {"unlock", "all"},
}
OBJECT_KINDS = {"change", "delete", "history"}
# The records each model is walked with, and the provinces a user's scope must cover to see each;
# "national": every role that reads the model (a national decision, reference data).
SHARED = {"products.producer": {"a"},  # of A, with a product in A and one in B
          "products.ratingdecision": "national",  # with a rating in A and one in B
          "imports.importrecord": {"a", "b"}}  # a sheet with rows of A and of B
HISTORY_OF = {f"{app}.historical{model}": f"{app}.{model}" for app, model in (
    ("products", "producer"), ("products", "product"), ("products", "ratingdecision"), ("products", "rating"),
    ("targets", "plan"), ("targets", "target"), ("targets", "reportedfigure"))}


def objects_of(label: str) -> dict:
    base = HISTORY_OF.get(label, label)
    if not ACCESS[label].scoped:
        return {"any": "national"}
    return {"a": {"a"}, "b": {"b"}, **({"shared": SHARED[base]} if base in SHARED else {})}


def level(access: Access, role: str) -> str | None:
    return {"staff": access.staff, "leadership": access.leadership, "admin": access.admin}.get(KIND.get(role))


def sees(role: str, need) -> bool:
    return role != "anonymous" and (need == "national" or need <= SCOPE[role])


def writes(role: str, need) -> bool:
    """Whether the role's scope lets it write the record (a national decision: administrators only)."""
    return sees(role, need) and (need != "national" or role == "administrator")


def expect_object(label: str, obj: str, kind: str, method: str, role: str) -> set[str]:
    """The answers allowed for `kind` (change, delete, history) of record `obj` of `label`."""
    access, need = ACCESS[label], objects_of(label)[obj]
    if role == "anonymous":
        return {"login"}
    lvl = level(access, role)
    if access.scoped and not sees(role, need):
        return {"hidden"}  # exactly as for a missing record
    if method == "get":
        return {"ok"} if lvl in LEVELS[kind] else {"forbidden"}
    if kind == "delete":
        return {"saved", "refused"} if lvl in LEVELS["delete"] else {"forbidden"}  # refused: a protected record
    if kind == "change":
        if lvl == "unlock":
            return {"saved", "forbidden"}  # axes' pages are all read-only fields: posted back, nothing to change
        if lvl not in LEVELS["save"] or not writes(role, need) or label == "imports.importrecord":
            return {"forbidden"}
        if label not in POSTED_BACK:
            return {"refused"}  # an empty form
        # The form as the administrator sees it: the shared producer's product in B is not the user's.
        return {"refused"} if (label, obj) in NAMES_B and "b" not in SCOPE[role] else {"saved"}
    return {"forbidden"}


# The forms posted back with every value the administrator's page shows (text edited, so a save shows).
POSTED_BACK = ["products.producer", "products.product", "products.ratingdecision", "products.rating",
               "targets.plan", "targets.target", "targets.reportedfigure"]
NAMES_B = {("products.producer", "shared"), ("products.ratingdecision", "shared")}

REGISTRY = admin.site._registry
MODEL_ROUTES = [(m._meta.label_lower, kind) for m in REGISTRY
                for kind in ("changelist", "add", "change", "delete", "history")]
EXPORTS = [(m._meta.label_lower, action) for m, model_admin in REGISTRY.items()
           for action in ("export_xlsx", "export_csv") if action in (model_admin.actions or [])]
APP_LABELS = sorted({m._meta.app_label for m in REGISTRY})
AUDITED = [m._meta.label_lower for m, model_admin in REGISTRY.items() if isinstance(model_admin, SimpleHistoryAdmin)]


def autocompletes() -> list[tuple[str, str]]:
    """(model label, field) of every autocomplete, the inlines' included."""
    found = set()
    for model, model_admin in REGISTRY.items():
        for source in [model_admin, *(inline(model, admin.site) for inline in model_admin.inlines)]:
            found |= {(source.model._meta.label_lower, name) for name in source.autocomplete_fields}
    return sorted(found)


AUTOCOMPLETES = autocompletes()

# Routes walked by their own tests below, beside each model's pages, PAGES and PROVINCE_PAGES.
WALKED_BY_NAME = {
    "admin:autocomplete", "admin:app_list", "admin:imports_importrecord_rejected", "admin:imports_importrecord_confirm",
    "admin:imports_importrecord_status", "admin:imports_importrecord_cancel", "admin:imports_importrecord_columns",
    *(f"admin:{label.replace('.', '_')}_simple_history" for label in AUDITED),
}
NOT_WALKED = {
    "admin:logout": "POST only: ends the session and shows nothing",
    "set_language": "the language switch: stores a preference and redirects",
    "favicon.ico": "a redirect to a static file",
    "admin/(?P<url>.*)$": "the admin's catch-all: a 404, or a redirect that adds a slash",
    "^admin/products/importrecord/(?P<rest>.*)$": "the import pages' old addresses: redirect to the new ones",
    **{f"admin/{m._meta.app_label}/{m._meta.model_name}/<path:object_id>/":
       "an old change address: redirects to the change URL"
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
    walked = ({f"admin:{label.replace('.', '_')}_{kind}" for label, kind in MODEL_ROUTES}
              | WALKED_BY_NAME | set(PAGES) | set(PROVINCE_PAGES))
    assert [route for route in served_routes() if route not in walked and route not in NOT_WALKED] == []


def test_every_admin_model_has_an_access_rule():
    assert {m._meta.label_lower for m in REGISTRY} <= set(ACCESS)


D = datetime.date.fromisoformat
HEADER = "Tỉnh,Chủ thể,Tên sản phẩm,Số sao,Ngày quyết định,Cấp công nhận\n"
ROW_A = "Bắc Kạn,HTX QQA nhập,Miến QQA nhập,4,29/12/2021,tỉnh\n"
ROW_B = "Cao Bằng,HTX QQB nhập,Trà QQB nhập,4,15/01/2026,tỉnh\n"
ROW_NATIONAL = "Bắc Kạn,HTX QQA nhập,Miến QQA nhập,5,29/12/2023,quốc gia\n"


class Context:
    """The records of the matrix, made on demand: record(label, obj), obj in "a", "b", "shared", "any"."""

    def __init__(self, request):
        self.request = request
        bac_kan, cao_bang, food = unit("bac-kan"), unit("cao-bang"), request.getfixturevalue("food")
        self.units = {"a": bac_kan, "b": cao_bang}
        self.make = {"a": Register(bac_kan, food), "b": Register(cao_bang, food)}
        self.made = {}
        self.users = {}

    def user(self, role: str):
        if role not in self.users:
            self.users[role] = {
                "staff_a": lambda: self.request.getfixturevalue("staff_a"),
                "staff_b": lambda: self.request.getfixturevalue("staff_b"),
                "staff_ab": lambda: member("can-bo-hai-tinh", "staff", "bac-kan", "cao-bang"),
                "leader_a": lambda: member("lanh-dao-bac-kan", "leadership", "bac-kan"),
                "leader": lambda: self.request.getfixturevalue("leader"),
                "administrator": lambda: self.request.getfixturevalue("administrator"),
            }[role]()
        return self.users[role]

    def record(self, label: str, obj: str):
        if (label, obj) not in self.made:
            self.made[label, obj] = self._make(label, obj)
        return self.made[label, obj]

    def everything(self) -> None:
        for label in ACCESS:
            for obj in objects_of(label):
                self.record(label, obj)

    def _make(self, label, obj):
        if label in HISTORY_OF:
            return self.record(HISTORY_OF[label], obj).history.latest()
        make, place = self.make.get(obj), self.units.get(obj)
        tag = {"a": "QQA", "b": "QQB"}.get(obj)
        products = Indicator.objects.get(code="products")
        if obj == "shared":
            return self._shared(label)
        match label:
            case "products.producer":
                return make.producer(f"HTX {tag}", phone=f"QQP-{tag}", tax_code=f"MST-QQP-{tag}")
            case "products.product":
                return make.product(f"Sản phẩm {tag}", producer=self.record("products.producer", obj))
            case "products.ratingdecision":
                return make.decision("2021-12-29" if obj == "a" else "2026-01-15", number=f"1/QĐ-{tag}")
            case "products.rating":
                return make.rate(self.record("products.product", obj), self.record("products.ratingdecision", obj), 3,
                                 certificate_number=f"GCN-{tag}")
            case "imports.importrecord":
                uploader = self.user("staff_a" if obj == "a" else "staff_b")
                return self._import(uploader, ROW_A if obj == "a" else ROW_B,
                                    [unit("bac-kan" if obj == "a" else "cao-bang-cu")])
            case "imports.columnmapping":
                return ColumnMapping.objects.create(province=place, name=f"Cách {tag}", columns={"Tên SP": "product"})
            case "provinces.adminunit":
                return place
            case "targets.plan":
                return Plan.objects.create(unit=place, name=f"Đề án {tag}", kind=Plan.Kind.PROGRAMME,
                                           starts_on=D("2021-01-01"), ends_on=D("2025-12-31"))
            case "targets.target":
                return Target.objects.create(plan=self.record("targets.plan", obj), indicator=products, unit=place,
                                             deadline=D("2025-12-31"), value=200, note=f"Ghi chú {tag}")
            case "targets.reportedfigure":
                return ReportedFigure.objects.create(unit=place, indicator=products, as_of=D("2020-12-31"), value=131,
                                                     source_name=f"Báo {tag}")
        return self._reference(label)

    def _shared(self, label):
        a, b = self.make["a"], self.make["b"]
        match label:
            case "products.producer":
                producer = a.producer("HTX Hai Tỉnh", phone="QQP-chung")
                a.product("Miến QQA chung", producer=producer)
                b.product("Trà QQB chung", producer=producer, province=self.units["b"])
                return producer
            case "products.ratingdecision":
                decision = a.decision("2023-12-29", number="QG-1/QĐ", level=RatingDecision.Level.NATIONAL)
                a.rate(a.product("Miến QQA quốc gia", producer=a.producer("HTX QQA quốc gia")), decision, 5)
                b.rate(b.product("Trà QQB quốc gia", producer=b.producer("HTX QQB quốc gia")), decision, 5)
                return decision
            case "imports.importrecord":
                return self._import(self.user("staff_ab"), ROW_A + ROW_B, [unit("bac-kan"), unit("cao-bang-cu")])

    def _import(self, uploader, rows, provinces):
        # Row 2 has an error, so the rejected rows carry it back.
        record = ImportRecord.objects.create(user=uploader, filename="ds.csv", sha256="0" * 64,
                                             content=(HEADER + rows).encode(),
                                             errors=[{"row": 2, "column": "stars", "vi": "sai", "en": "wrong"}])
        record.provinces.set(provinces)
        return record

    def _reference(self, label):
        return {
            "products.productgroup": lambda: self.make["a"].group,
            "targets.indicator": lambda: Indicator.objects.get(code="products"),
            "axes.accessattempt": lambda: AccessAttempt.objects.create(
                username="lan", ip_address="10.0.0.7", user_agent="", get_data="", post_data="", http_accept="",
                path_info="", failures_since_start=5),
            "axes.accesslog": lambda: AccessLog.objects.create(username="lan", ip_address="10.0.0.7", user_agent=""),
            "axes.accessfailurelog": lambda: AccessFailureLog.objects.create(
                username="lan", ip_address="10.0.0.7", user_agent="", locked_out=True),
            "auth.user": lambda: self.user("administrator"),
            "auth.group": lambda: Group.objects.get(name="staff"),
        }[label]()


@pytest.fixture
def ctx(request, db):
    return Context(request)


def client_of(client, ctx, role):
    if role != "anonymous":
        client.force_login(ctx.user(role))
    return client


# --- What a response is, and what it shows --------------------------------------------------------------

def outcome(response, method: str) -> str:
    status = response.status_code
    assert status < 500, (response.request["PATH_INFO"], status)
    if status == 302 and response.url.startswith(reverse("admin:login")) and "next=" in response.url:
        return "login"
    return {403: "forbidden", 404: "hidden", 405: "forbidden"}.get(status) or (
        ("saved" if status == 302 else "refused") if method == "post" else "ok")


def text_of(response) -> str:
    """What the user receives, readable: a page, JSON, csv, or every part of an .xlsx."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            return " ".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())
    return content.decode("utf-8", "replace")


# Random tokens hold a marker now and then: a CSRF token (a long run of letters and digits: a page with
# two, about once in 2,000) or the CSP nonce of a page's scripts and styles (22 characters, so a run of
# 1,750 pages finds "QQB" in one about once in ten). Both are left out of what is searched.
TOKEN = re.compile(r'[A-Za-z0-9]{32,}|nonce="[^"]*"')


def leaks(response, role: str) -> list[str]:
    text = TOKEN.sub("", text_of(response))
    found = []
    if "b" not in SCOPE[role] and "QQB" in text:
        found.append("a record of province B")
    if role not in PERSONAL and "QQP" in text:
        found.append("personal data")
    return found


# The records a user may not write, with every value: equal before and after each POST.
WRITTEN = [Producer, Product, RatingDecision, Rating, Plan, Target, ReportedFigure]


def untouchable(ctx, role: str) -> dict:
    request = RequestFactory().post("/")
    request.user = ctx.user(role) if role != "anonymous" else None
    state = {}
    for model in WRITTEN:
        model_admin = REGISTRY[model]
        may_change = (role != "anonymous"
                      and request.user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}"))
        path = getattr(model_admin, "scope_paths", ("pk",))[0]
        for obj in model.objects.select_related(*([path] if path != "pk" else [])):
            if not (may_change
                    and (not isinstance(model_admin, ScopedAdminMixin) or model_admin.may_write(request, obj))):
                state[model._meta.label_lower, obj.pk] = model_to_dict(obj)
    return state


def request(client, ctx, role, method, url, data=None, **kwargs):
    """The response, asserted free of leaks; a POST asserted to leave untouched what the role may not write."""
    before = untouchable(ctx, role) if method == "post" else None
    response = getattr(client, method)(url, data or {}, **kwargs)
    assert leaks(response, role) == [], url
    if before is not None:
        assert untouchable(ctx, role) == before, url
    return response


# --- Posting a form back as the administrator's page shows it -------------------------------------------

def values_of(form, edit: bool) -> dict:
    data = {}
    for name, field in form.fields.items():
        value, key = form[name].value(), form.add_prefix(name)
        if isinstance(field, forms.BooleanField):
            if value:
                data[key] = "on"
            continue
        if isinstance(value, (list, tuple)):
            data[key] = [str(v) for v in value]
            continue
        if isinstance(value, datetime.date):
            value = value.strftime("%d/%m/%Y")
        value = "" if value is None else str(value)
        if edit and value and type(field) is forms.CharField and not isinstance(field.widget, forms.HiddenInput):
            value += " sửa"  # a change that shows in the record once saved
        data[key] = value
    return data


def posted_back(context) -> dict:
    """The change form and its inline formsets, with every value shown and each text edited."""
    data = values_of(context["adminform"].form, edit=True)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        data |= values_of(formset.management_form, edit=False)
        for form in formset.forms:
            data |= values_of(form, edit=form in formset.initial_forms)
    return data


def admins_form(client, ctx, url) -> dict:
    client.force_login(ctx.user("administrator"))
    data = posted_back(client.get(url).context)
    client.logout()
    return data


# --- The matrix -------------------------------------------------------------------------------------------

def object_cases():
    for label, kind in MODEL_ROUTES:
        if kind not in OBJECT_KINDS:
            continue
        for obj in objects_of(label):
            for method in ("get", "post") if kind != "history" else ("get",):
                yield pytest.param(label, obj, kind, method, id=f"{label}-{kind}-{obj}-{method}")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("label", "obj", "kind", "method"), list(object_cases()))
def test_a_records_pages_answer_each_role_by_its_scope(ctx, client, label, obj, kind, method, role):
    record = ctx.record(label, obj)
    url = reverse(f"admin:{label.replace('.', '_')}_{kind}", args=[record.pk])
    data = {}
    if method == "post":
        data = {"post": "yes"} if kind == "delete" else admins_form(client, ctx, url) if label in POSTED_BACK else {}
    response = request(client_of(client, ctx, role), ctx, role, method, url, data)
    assert outcome(response, method) in expect_object(label, obj, kind, method, role)


def test_a_missing_record_answers_as_one_out_of_scope(ctx, client):
    client = client_of(client, ctx, "staff_a")
    theirs = ctx.record("products.product", "b")
    answers = {pk: client.get(reverse("admin:products_product_history", args=[pk])).status_code
               for pk in (theirs.pk, 987654)}
    assert answers == {theirs.pk: 404, 987654: 404}


# Lists, exports and autocompletes show many records at once: each role walks them all over one
# register holding every record of the matrix (made once, not once per URL).

def answered(client, ctx, role, method, url, data, wanted: set[str]) -> list:
    """[] when the answer is one of `wanted`, else [(url, data, answer)]; leaks are asserted by request()."""
    response = request(client, ctx, role, method, url, data)
    answer = outcome(response, method)
    if method == "post" and response.status_code == 200:  # an export: a file, or the list with a message
        answer = "ok" if response.has_header("Content-Disposition") else "no file"
    return [] if answer in wanted else [(url, data, answer)]


def page_answer(label: str, kind: str, role: str) -> set[str]:
    """The answer to `role` on a page of `kind` of the model's admin that names no record."""
    return {"login"} if role == "anonymous" else {"ok"} if level(ACCESS[label], role) in LEVELS[kind] else {"forbidden"}


@pytest.mark.parametrize("role", ROLES)
def test_each_list_shows_each_role_only_its_scope(ctx, client, role):
    ctx.everything()
    client, wrong = client_of(client, ctx, role), []
    for label in sorted(ACCESS):
        wanted = page_answer(label, "changelist", role)
        url = reverse(f"admin:{label.replace('.', '_')}_changelist")
        wrong += answered(client, ctx, role, "get", url, {}, wanted)
        # a search matching both provinces' records
        wrong += answered(client, ctx, role, "get", url, {"q": "QQ"}, wanted)
    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_each_add_page_opens_to_the_roles_that_add(ctx, client, role):
    client, wrong = client_of(client, ctx, role), []
    for label in sorted(ACCESS):
        wanted = page_answer(label, "add", role)
        wrong += answered(client, ctx, role, "get", reverse(f"admin:{label.replace('.', '_')}_add"), {}, wanted)
    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_every_export_of_everything_holds_only_the_roles_scope(ctx, client, role):
    ctx.everything()
    client, wrong = client_of(client, ctx, role), []
    for label, action in EXPORTS:
        url = reverse(f"admin:{label.replace('.', '_')}_changelist")
        wanted = page_answer(label, "export", role)
        for obj in objects_of(label):  # each record selected by its id, then every row the list holds
            data = {"action": action, "index": 0, "_selected_action": [ctx.record(label, obj).pk]}
            wrong += answered(client, ctx, role, "post", url, data, wanted)
        wrong += answered(client, ctx, role, "post", url, data | {"select_across": 1}, wanted)
    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_every_autocomplete_offers_only_the_roles_scope(ctx, client, role):
    ctx.everything()
    client, wrong = client_of(client, ctx, role), []
    for label, field in AUTOCOMPLETES:
        app_label, model_name = label.split(".")
        for term in ("", "QQ"):  # QQ: in the names of both provinces' records
            params = {"app_label": app_label, "model_name": model_name, "field_name": field, "term": term}
            wrong += answered(client, ctx, role, "get", reverse("admin:autocomplete"), params,
                              {"login"} if role == "anonymous" else {"ok"})
    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("label", "obj"), [(label, obj) for label in AUDITED for obj in objects_of(label)])
def test_every_past_version_answers_by_scope(ctx, client, label, obj, role):
    record = ctx.record(label, obj)
    url = reverse(f"admin:{label.replace('.', '_')}_simple_history", args=[record.pk, record.history.latest().pk])
    response = request(client_of(client, ctx, role), ctx, role, "get", url)
    assert outcome(response, "get") in expect_object(label, obj, "history", "get", role)


def may_import(role) -> bool:
    return KIND.get(role) in ("staff", "admin")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("obj", ["a", "b", "shared"])
def test_an_imports_rejected_rows_reach_only_who_imports_in_its_whole_scope(ctx, client, obj, role):
    record = ctx.record("imports.importrecord", obj)
    url = reverse("admin:imports_importrecord_rejected", args=[record.pk])
    response = request(client_of(client, ctx, role), ctx, role, "get", url)
    need = objects_of("imports.importrecord")[obj]
    wanted = ("login" if role == "anonymous" else "hidden" if not sees(role, need)
              else "ok" if may_import(role) else "forbidden")
    assert outcome(response, "get") == wanted


def posted_to_import(ctx, client, obj: str, role: str, route: str) -> str:
    """POST to an import's `route` as `role`: answered (and returned) as for who imports in the
    import's whole scope, hidden outside it."""
    record = ctx.record("imports.importrecord", obj)
    url = reverse(f"admin:imports_importrecord_{route}", args=[record.pk])
    response = request(client_of(client, ctx, role), ctx, role, "post", url)
    need = objects_of("imports.importrecord")[obj]
    wanted = ("login" if role == "anonymous" else "hidden" if not sees(role, need)
              else "saved" if may_import(role) else "forbidden")
    assert outcome(response, "post") == wanted
    return wanted


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("obj", ["a", "b", "shared"])
def test_an_import_is_confirmed_only_by_who_imports_in_its_whole_scope(ctx, client, obj, role):
    record = ctx.record("imports.importrecord", obj)
    ImportRecord.objects.filter(pk=record.pk).update(errors=[], preview={"columns": [], "rows": []})
    wanted = posted_to_import(ctx, client, obj, role, "confirm")
    assert (ImportRecord.objects.get(pk=record.pk).status == ImportRecord.Status.IMPORTED) == (wanted == "saved")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("obj", ["a", "b", "shared"])
def test_an_imports_progress_is_read_by_who_reads_the_import(ctx, client, obj, role):
    record = ctx.record("imports.importrecord", obj)
    url = reverse("admin:imports_importrecord_status", args=[record.pk])
    response = request(client_of(client, ctx, role), ctx, role, "get", url)
    need = objects_of("imports.importrecord")[obj]
    assert outcome(response, "get") == ("login" if role == "anonymous" else "hidden" if not sees(role, need) else "ok")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("obj", ["a", "b", "shared"])
def test_an_import_is_cancelled_only_by_who_imports_in_its_whole_scope(ctx, client, obj, role):
    record = ctx.record("imports.importrecord", obj)
    ImportRecord.objects.filter(pk=record.pk).update(status=ImportRecord.Status.QUEUED)
    wanted = posted_to_import(ctx, client, obj, role, "cancel")
    cancelled = ImportRecord.objects.get(pk=record.pk).status == ImportRecord.Status.CANCELLED
    assert cancelled == (wanted == "saved")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("obj", ["a", "b", "shared"])
def test_an_imports_columns_are_chosen_only_by_who_imports_in_its_whole_scope(ctx, client, obj, role):
    wanted = posted_to_import(ctx, client, obj, role, "columns")
    record = ctx.record("imports.importrecord", obj)
    assert bool(ImportRecord.objects.get(pk=record.pk).preview) == (wanted == "saved")  # checked again


@pytest.mark.parametrize("role", ROLES)
def test_an_upload_writes_only_the_rows_the_role_may_write(ctx, client, role):
    ctx.everything()
    file = SimpleUploadedFile("ds.csv", (HEADER + ROW_A + ROW_B + ROW_NATIONAL).encode())
    client = client_of(client, ctx, role)
    response = request(client, ctx, role, "post", reverse("admin:imports_importrecord_upload"),
                       {"file": file, "skip_invalid": "on"})
    assert outcome(response, "post") == ("login" if role == "anonymous"
                                         else "saved" if may_import(role) else "forbidden")
    if outcome(response, "post") == "saved":
        record = ImportRecord.objects.latest("pk")
        request(client, ctx, role, "post", reverse("admin:imports_importrecord_confirm", args=[record.pk]))
        refused = {(e["row"], e["column"]) for e in ImportRecord.objects.get(pk=record.pk).errors}
        assert refused == {"staff_a": {(3, "province"), (4, "level")}, "staff_ab": {(4, "level")},
                           "administrator": set()}[role]


# Pages of no record, and pages of a province: (request, the answer for each role).
SIGNED_IN = {role: "ok" for role in ROLES if role != "anonymous"} | {"anonymous": "login"}
IMPORTERS = {role: "ok" if may_import(role) else "forbidden" for role in ROLES} | {"anonymous": "login"}
PAGES = {
    "admin:index": (lambda ctx: reverse("admin:index"), SIGNED_IN),
    "admin:login": (lambda ctx: reverse("admin:login"), SIGNED_IN | {"anonymous": "ok"}),
    "admin:password_change": (lambda ctx: reverse("admin:password_change"), SIGNED_IN),
    "admin:password_change_done": (lambda ctx: reverse("admin:password_change_done"), SIGNED_IN),
    "admin:jsi18n": (lambda ctx: reverse("admin:jsi18n"), SIGNED_IN),
    "admin:auth_user_password_change": (
        lambda ctx: reverse("admin:auth_user_password_change", args=[ctx.record("auth.user", "any").pk]),
        {role: "forbidden" for role in ROLES} | {"anonymous": "login", "administrator": "ok"}),
    "admin:imports_importrecord_upload": (lambda ctx: reverse("admin:imports_importrecord_upload"), IMPORTERS),
    "admin:imports_importrecord_template": (
        lambda ctx: reverse("admin:imports_importrecord_template", args=["products"]), IMPORTERS),
    "dashboard:overview": (lambda ctx: reverse("dashboard:overview"), SIGNED_IN),
    "dashboard:overview_table": (lambda ctx: reverse("dashboard:overview_table", args=["csv"]), SIGNED_IN),
    "provinces:provinces_json": (lambda ctx: reverse("provinces:provinces_json"), {role: "ok" for role in ROLES}),
    # Health checks: open to every monitor, and they say nothing of the register.
    "healthz": (lambda ctx: reverse("healthz"), {role: "ok" for role in ROLES}),
    "readyz": (lambda ctx: reverse("readyz"), {role: "ok" for role in ROLES}),
}
PROVINCE_PAGES = {
    "admin:view_on_site": lambda ctx, unit: reverse(
        "admin:view_on_site", args=[ContentType.objects.get_for_model(unit).pk, unit.pk]),
    "dashboard:province": lambda ctx, unit: reverse("dashboard:province", args=[unit.slug]),
    "dashboard:progress_json": lambda ctx, unit: reverse("dashboard:progress_json", args=[unit.slug]),
    "dashboard:table": lambda ctx, unit: reverse("dashboard:table", args=[unit.slug, "by-group", "csv"]),
    "dashboard:products": lambda ctx, unit: reverse("dashboard:products", args=[unit.slug]),
    "dashboard:products_download": lambda ctx, unit: reverse("dashboard:products_download", args=[unit.slug, "csv"]),
    "dashboard:products_json": lambda ctx, unit: reverse("dashboard:products_json", args=[unit.slug]),
    "dashboard:producers": lambda ctx, unit: reverse("dashboard:producers", args=[unit.slug]),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(PAGES))
def test_other_pages_open_only_to_the_roles_allowed(ctx, client, route, role):
    url, answers = PAGES[route]
    response = request(client_of(client, ctx, role), ctx, role, "get", url(ctx))
    assert outcome(response, "get") == answers[role]


# A visitor is sent to log in, but by a script's JSON address refused in JSON (core.errors).
JSON_PAGES = {"dashboard:progress_json", "dashboard:products_json"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("obj", ["a", "b"])
@pytest.mark.parametrize("route", sorted(PROVINCE_PAGES))
def test_a_provinces_pages_open_only_to_the_roles_whose_scope_has_it(ctx, client, route, obj, role):
    url = PROVINCE_PAGES[route](ctx, ctx.units[obj])
    response = request(client_of(client, ctx, role), ctx, role, "get", url)
    visitor = "forbidden" if route in JSON_PAGES else "login"
    assert outcome(response, "get") == (visitor if role == "anonymous" else "ok" if obj in SCOPE[role] else "hidden")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("app_label", APP_LABELS)
def test_an_apps_admin_page_opens_to_the_roles_that_read_one_of_its_models(ctx, client, app_label, role):
    readable = [access for label, access in ACCESS.items() if label.startswith(f"{app_label}.")]
    response = request(client_of(client, ctx, role), ctx, role, "get", reverse("admin:app_list", args=[app_label]))
    if role == "anonymous":
        wanted = {"login"}
    else:
        readable_here = any(level(access, role) in LEVELS["changelist"] for access in readable)
        wanted = {"ok"} if readable_here else {"forbidden", "hidden"}
    assert outcome(response, "get") in wanted
