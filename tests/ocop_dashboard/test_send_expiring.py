import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from accounts.models import Membership
from tests.conftest import Register, member

pytestmark = pytest.mark.django_db
# Rated on 1/3/2023: certificates until 1/3/2026, 45 days after this day.
AS_OF = "2026-01-15"


def send(as_of=AS_OF, *args) -> list:
    call_command("send_expiring", "--as-of", as_of, *args, stdout=StringIO())
    return mail.outbox


def with_email(user, address):
    user.email = address
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def register(make, cao_bang, food, staff_a, staff_b):
    make.rate(make.product("Miến dong Na Rì"), "2023-03-01", 3)
    Register(cao_bang, food).rate(Register(cao_bang, food).product("Hạt dẻ Trùng Khánh"), "2023-03-01", 4)
    with_email(staff_a, "bac-kan@example.vn")
    with_email(staff_b, "cao-bang@example.vn")


def test_each_provinces_staff_get_one_email_of_their_own(register):
    assert sorted(message.to[0] for message in send()) == ["bac-kan@example.vn", "cao-bang@example.vn"]


def test_nobody_gets_another_provinces_products(register):
    by_address = {message.to[0]: message.body for message in send()}
    assert "Miến dong Na Rì" in by_address["bac-kan@example.vn"]
    assert "Hạt dẻ Trùng Khánh" not in by_address["bac-kan@example.vn"]
    assert "Miến dong Na Rì" not in by_address["cao-bang@example.vn"]


def test_the_email_is_in_vietnamese_then_english_with_dates_as_d_m_y(register):
    [message] = [m for m in send() if m.to == ["bac-kan@example.vn"]]
    assert message.subject.startswith("Giấy chứng nhận OCOP hết hạn trong 90 ngày tới: 1 sản phẩm")
    assert " / OCOP certificates expiring in the next 90 days: 1 product" in message.subject
    assert message.body.count("- 01/03/2026 — Miến dong Na Rì (3★") == 2


def test_nothing_is_sent_when_no_certificate_expires_within_90_days(register):
    assert send("2025-11-30") == []  # 1/3/2026 is 91 days after 30/11/2025


def test_only_office_staff_are_written_to(register, bac_kan):
    with_email(member("lanh-dao-bac-kan", Membership.Role.LEADERSHIP, "bac-kan"), "lanh-dao@example.vn")
    assert "lanh-dao@example.vn" not in [message.to[0] for message in send()]


def test_a_certificate_expiring_on_the_90th_day_is_sent(register):
    assert len(send("2025-12-01")) == 2  # 1/3/2026 is 90 days after 1/12/2025


def test_a_dry_run_sends_nothing(register):
    assert send(AS_OF, "--dry-run") == []


def test_the_email_lists_what_the_province_page_lists(register, client, public_dashboard):
    page = client.get("/tinh/bac-kan/", {"as_of": AS_OF}).context["page"]
    [message] = [m for m in send() if m.to == ["bac-kan@example.vn"]]
    listed = [line.split(" — ")[1].split(" (")[0] for line in message.body.split("— — —")[0].splitlines()
              if line.startswith("- ")]
    assert listed == [product.name for product in page.expiring()] and datetime.date(2026, 3, 1) > page.as_of
