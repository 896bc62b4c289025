import datetime

import pytest

from products.models import Producer, ProductGroup, RatingDecision
from tests.conftest import Register, unit


@pytest.fixture(autouse=True)
def public(public_dashboard):
    """These tests read the pages as everyone may once the dashboard is public; who may read them
    when it is not is tested in tests/accounts/."""


@pytest.fixture
def register(bac_kan, food):
    """Products in Bắc Kạn (two districts, communes, no district), Thái Nguyên (which Bắc Kạn became)
    and Cao Bằng; two groups; every producer type; stars 2 to 5; an upgrade, a downgrade, an expired
    and a revoked certificate."""
    drinks = ProductGroup.objects.get(scheme="2022", code=2)
    make = Register(bac_kan, food)
    ba_be, town = unit("ba-be-061"), unit("bac-kan-058")

    def product(name, kind, group=food, province=bac_kan, **where):
        producer = make.producer(name=f"Chủ thể {name}", type=kind, province=province)
        return make.product(name, producer=producer, group=group, province=province, **where)

    coop, firm, home = Producer.Type.COOPERATIVE, Producer.Type.ENTERPRISE, Producer.Type.HOUSEHOLD
    mien = product("Miến dong", coop, district=ba_be, commune=unit("banh-trach-01891-cu"))
    make.rate(mien, "2021-03-01", 3)  # certificate lapses 01/03/2024
    make.rate(product("Mật ong", firm, drinks, district=ba_be, commune=unit("cao-thuong-01900-cu")), "2022-05-01", 4)
    gao = product("Gạo nếp", coop, district=town, commune=unit("duc-xuan-01840-cu"))
    make.rate(gao, "2020-06-01", 3)
    make.rate(gao, "2023-02-01", 4)
    make.rate(product("Trà shan", home, drinks, district=town), "2022-01-10", 3, revoked_on=datetime.date(2023, 1, 5))
    national = make.decision("2023-04-01", level=RatingDecision.Level.NATIONAL)
    make.rate(product("Rượu men lá", firm), national, 5)
    make.rate(product("Bánh gai", home), "2023-09-01", 3)
    make.rate(product("Măng khô", coop, district=ba_be), "2022-07-01", 2)
    nam = product("Nấm hương", coop, district=ba_be)
    make.rate(nam, "2021-01-04", 3)
    make.rate(nam, "2023-03-01", 2)
    thai_nguyen, cao_bang = unit("thai-nguyen"), unit("cao-bang-cu")
    make.rate(product("Chè Tân Cương", coop, province=thai_nguyen, commune=unit("ba-be-01906")),
              make.decision("2025-08-01", issuer=thai_nguyen), 4)
    make.rate(product("Chè búp", firm, drinks, province=thai_nguyen),
              make.decision("2025-09-02", issuer=thai_nguyen), 3)
    bao_lac = {"district": unit("bao-lac-043"), "commune": unit("bao-lac-01321-cu")}
    make.rate(product("Hạt dẻ", coop, province=cao_bang, **bao_lac), make.decision("2024-01-10", issuer=cao_bang), 3)
