import datetime
import email
import email.policy
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from accounts.models import Membership
from tests.conftest import Register, member, unit

pytestmark = pytest.mark.django_db
# Rated on 1/3/2022: certificates until 1/3/2025, 45 days after this day.
AS_OF = "2025-01-15"


def send(as_of=AS_OF, *args) -> list:
    call_command("send_expiring", "--as-of", as_of, *args, stdout=StringIO())
    return mail.outbox


def output(as_of=AS_OF, *args) -> str:
    out = StringIO()
    call_command("send_expiring", "--as-of", as_of, *args, stdout=out)
    return out.getvalue()


def received_subject(message) -> str:
    """The subject as a standards-compliant reader decodes it from the bytes sent."""
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)["Subject"]


def with_email(user, address):
    user.email = address
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def register(make, food, staff_a):
    """Bắc Kạn and the Cao Bằng of before 1/7/2025, each with a certificate until 1/3/2025 and staff of its own."""
    make.rate(make.product("Miến dong Na Rì"), "2022-03-01", 3)
    cao_bang = Register(unit("cao-bang-cu"), food)
    cao_bang.rate(cao_bang.product("Hạt dẻ Trùng Khánh"), cao_bang.decision("2022-03-01", number="1/QĐ-UBND"), 4)
    with_email(staff_a, "bac-kan@example.vn")
    with_email(member("can-bo-cao-bang-cu", Membership.Role.STAFF, "cao-bang-cu"), "cao-bang@example.vn")


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
    assert message.body.count("- 01/03/2025 — Miến dong Na Rì (3★") == 2


def test_nothing_is_sent_when_no_certificate_expires_within_90_days(register):
    assert send("2024-11-30") == []  # 1/3/2025 is 91 days after 30/11/2024


def test_only_office_staff_are_written_to(register, bac_kan):
    with_email(member("lanh-dao-bac-kan", Membership.Role.LEADERSHIP, "bac-kan"), "lanh-dao@example.vn")
    assert "lanh-dao@example.vn" not in [message.to[0] for message in send()]


def test_a_certificate_expiring_on_the_90th_day_is_sent(register):
    assert len(send("2024-12-01")) == 2  # 1/3/2025 is 90 days after 1/12/2024


def test_a_dry_run_sends_nothing(register):
    assert send(AS_OF, "--dry-run") == []


def test_the_email_lists_what_the_province_page_lists(register, client, public_dashboard):
    page = client.get("/tinh/bac-kan/", {"as_of": AS_OF}).context["page"]
    [message] = [m for m in send() if m.to == ["bac-kan@example.vn"]]
    listed = [line.split(" — ")[1].split(" (")[0] for line in message.body.split("— — —")[0].splitlines()
              if line.startswith("- ")]
    assert listed == [product.name for product in page.expiring()] and datetime.date(2025, 3, 1) > page.as_of


def test_a_reader_decodes_the_subject_with_every_space_in_place(register):
    [message] = [m for m in send() if m.to == ["bac-kan@example.vn"]]
    assert received_subject(message) == message.subject
    assert "sản phẩm của tỉnh Bắc Kạn / " in message.subject


def test_the_subject_names_the_province_in_english_in_its_english_half(register):
    [message] = [m for m in send() if m.to == ["bac-kan@example.vn"]]
    assert message.subject.endswith(" 1 product of Bắc Kạn")


def test_a_province_not_yet_existing_on_the_day_gets_no_email(register):
    # Thái Nguyên of today (from 1/7/2025) counts Bắc Kạn's certificates, but did not exist on AS_OF.
    with_email(member("can-bo-thai-nguyen", Membership.Role.STAFF, "thai-nguyen"), "thai-nguyen@example.vn")
    assert "thai-nguyen@example.vn" not in [message.to[0] for message in send()]


def test_a_province_existing_on_the_day_gets_its_email(register, make):
    make.rate(make.product("Bánh gai"), "2023-03-01", 3)  # in Bắc Kạn, so Thái Nguyên's now: until 1/3/2026
    with_email(member("can-bo-thai-nguyen", Membership.Role.STAFF, "thai-nguyen"), "thai-nguyen@example.vn")
    assert [message.to[0] for message in send("2026-01-15")] == ["thai-nguyen@example.vn"]


def test_the_command_reports_in_vietnamese_and_english(register):
    lines = output(AS_OF, "--dry-run").splitlines()
    assert "Tỉnh Bắc Kạn: 1 sắp hết hạn" in lines[0] and " / Bắc Kạn: 1 expiring" in lines[0]
