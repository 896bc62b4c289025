import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from accounts.models import Membership
from accounts.services import assign_role
from products.models import Producer, Product, ProductGroup, Rating, RatingDecision
from provinces.models import AdminUnit
from provinces.services import load_admin_units
from tests.processes import Databases


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database holds the real administrative units (and the reference data, which its
    migrations install)."""
    with django_db_blocker.unblock():
        load_admin_units()


@pytest.fixture(autouse=True)
def no_server_cache(settings):
    """Nothing is kept between tests: on PostgreSQL the register's version changes only at commit,
    which a test never reaches (tests/ocop_dashboard/test_caching.py turns a cache on)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@pytest.fixture(scope="module")
def databases(django_db_setup, django_db_blocker, tmp_path_factory):
    """Copies of the test database for manage.py processes (tests.processes), dropped after the module."""
    made = Databases(tmp_path_factory.mktemp("databases"))
    with django_db_blocker.unblock():
        yield made
        made.drop()


def unit(slug: str) -> AdminUnit:
    return AdminUnit.objects.get(slug=slug)


def upgraded_between(products, start: datetime.date, end: datetime.date, *, to_stars: int | None = None):
    """Those of `products` upgraded (Rating.is_upgrade) by a decision between start and end: the
    products behind flow_series' upgrade counts, which the tests check it against."""
    upgrades = Rating.objects.filter(is_upgrade=True, product=OuterRef("pk"), decided_on__range=(start, end))
    if to_stars is not None:
        upgrades = upgrades.filter(stars=to_stars)
    return products.filter(Exists(upgrades))


@pytest.fixture
def bac_kan(db):
    return unit("bac-kan")


@pytest.fixture
def na_ri(db):
    return unit("na-ri-066")


@pytest.fixture
def food(db):
    return ProductGroup.objects.get(scheme="2022", code=1)


class Register:
    """Builds register records in tests with the fewest words: make.product("Miến dong", ...)."""

    def __init__(self, province, group):
        self.province, self.group = province, group

    def producer(self, name="HTX Tài Hoan", type=Producer.Type.COOPERATIVE, **fields):
        fields.setdefault("province", self.province)
        return Producer.objects.create(name=name, type=type, **fields)

    def product(self, name="Miến dong", producer=None, **fields):
        producer = producer or self.producer(name=f"Chủ thể {name}")
        fields.setdefault("province", producer.province)
        fields.setdefault("group", self.group)
        return Product.objects.create(name=name, producer=producer, **fields)

    def decision(self, date, number="", level=RatingDecision.Level.PROVINCE, issuer=None, **fields):
        if isinstance(date, str):
            date = datetime.date.fromisoformat(date)
        if level != RatingDecision.Level.NATIONAL:
            issuer = issuer or self.province
        body = fields.pop("issuing_body", f"UBND {issuer.name}" if issuer else "Bộ NN&PTNT")
        return RatingDecision.objects.create(
            number=number or f"{date:%Y%m%d}/QĐ", date=date, level=level, issuer=issuer, issuing_body=body, **fields
        )

    def rate(self, product, decision, stars, **fields):
        if isinstance(decision, str):
            decision = RatingDecision.objects.filter(date=decision, level="province").first() or self.decision(decision)
        return Rating.objects.create(product=product, decision=decision, stars=stars, **fields)


@pytest.fixture
def make(bac_kan, food):
    return Register(bac_kan, food)


@pytest.fixture
def cao_bang(db):
    return unit("cao-bang")


@pytest.fixture
def public_dashboard(settings):
    settings.OCOP_PUBLIC_DASHBOARD = True


def member(username: str, role: str, *slugs: str):
    """A user with a role and provinces, and no password: tests log in with client.force_login."""
    user = get_user_model().objects.create(username=username)
    assign_role(user=user, role=role, units=[unit(slug) for slug in slugs])
    return user


@pytest.fixture
def staff_a(db):
    """Office staff of Bắc Kạn (until 30/06/2025)."""
    return member("can-bo-bac-kan", Membership.Role.STAFF, "bac-kan")


@pytest.fixture
def staff_b(db):
    """Office staff of Cao Bằng (since 01/07/2025, so also of the Cao Bằng before it)."""
    return member("can-bo-cao-bang", Membership.Role.STAFF, "cao-bang")


@pytest.fixture
def leader(db):
    """Leadership with no province: reads the whole country."""
    return member("lanh-dao", Membership.Role.LEADERSHIP)


@pytest.fixture
def administrator(db):
    return member("quan-tri", Membership.Role.ADMIN)


@pytest.fixture
def login(client):
    """login(user) -> the test client, logged in as `user`."""
    def log_in(user):
        client.force_login(user)
        return client
    return log_in
