"""The admin index reads as the office's tasks: the register, imports, plans and targets, reference
data, users; the change logs together at the end, not filed alphabetically under each app."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def groups(client) -> list[str]:
    return [app["app_label"] for app in client.get(reverse("admin:index")).context["app_list"]]


def models_of(client, group: str) -> list[str]:
    app_list = client.get(reverse("admin:index")).context["app_list"]
    return [entry["model"]._meta.label_lower
            for app in app_list if app["app_label"] == group for entry in app["models"]]


def test_staff_see_their_tasks_in_order_with_the_logs_last(login, staff_a):
    assert groups(login(staff_a)) == ["register", "imports", "plans", "reference", "changelogs"]


def test_administrators_see_users_before_the_logs(login, administrator):
    assert groups(login(administrator)) == ["register", "imports", "plans", "reference", "users", "changelogs"]


def test_the_register_lists_producers_products_decisions_ratings(login, staff_a):
    assert models_of(login(staff_a), "register") == [
        "products.producer", "products.product", "products.ratingdecision", "products.rating"]


def test_every_change_log_is_in_the_last_group(login, administrator):
    logs = models_of(login(administrator), "changelogs")
    assert logs[0] == "products.historicalproducer" and logs[-1].startswith("axes.")
    assert {label.split(".")[0] for label in logs} == {"products", "targets", "axes"}


def test_an_apps_own_page_still_lists_that_app(login, administrator):
    response = login(administrator).get(reverse("admin:app_list", args=["targets"]))
    assert [app["app_label"] for app in response.context["app_list"]] == ["targets"]


def test_the_index_speaks_of_tasks_in_vietnamese(login, staff_a):
    response = login(staff_a).get(reverse("admin:index"))
    assert [str(app["name"]) for app in response.context["app_list"]][-1] == "Nhật ký thay đổi"
