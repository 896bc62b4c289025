import pytest
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "mật-khẩu-dài-đủ"


@pytest.fixture
def clerks(db):
    return [User.objects.create_user(name, password=PASSWORD, is_staff=True) for name in ("lan", "minh")]


def login(client, username, password, ip="10.0.0.7"):
    return client.post("/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail(client, username, times=5, ip="10.0.0.7"):
    for _ in range(times):
        login(client, username, "sai", ip)


def test_repeated_failures_lock_the_username_even_with_the_right_password(client, clerks):
    fail(client, "lan")
    response = login(client, "lan", PASSWORD)
    assert response.status_code == 429 and 'id="locked-out"' in response.content.decode()


def test_a_colleague_behind_the_same_address_can_still_log_in(client, clerks):
    fail(client, "lan")
    assert login(client, "minh", PASSWORD).status_code == 302


def test_the_same_username_from_another_address_is_not_locked(client, clerks):
    fail(client, "lan")
    assert login(client, "lan", PASSWORD, ip="10.0.0.8").status_code == 302


def test_fewer_failures_than_the_limit_do_not_lock(client, clerks):
    fail(client, "lan", times=4)
    assert login(client, "lan", PASSWORD).status_code == 302
