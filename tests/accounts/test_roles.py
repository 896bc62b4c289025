"""Three roles as groups with their permissions; the provinces each user's scope covers."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.models import Membership
from accounts.roles import ROLE_PERMISSIONS
from accounts.scope import covers, province_ids
from tests.conftest import member, unit

pytestmark = pytest.mark.django_db


def perms(role: str) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=role).permissions.all()}


def test_the_migration_creates_one_group_per_role():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Membership.Role.values)


@pytest.mark.parametrize("role", ["staff", "leadership"])
def test_each_group_holds_exactly_its_roles_permissions(role):
    assert perms(role) == set(ROLE_PERMISSIONS[role])


def test_staff_record_the_register_but_never_delete(staff_a):
    assert staff_a.has_perms(["products.add_rating", "products.change_producer", "imports.add_importrecord"])
    assert not any(staff_a.has_perm(f"products.delete_{m}")
                   for m in ("producer", "product", "ratingdecision", "rating"))


def test_staff_only_read_plans_and_targets(staff_a):
    assert staff_a.has_perm("targets.view_plan")
    assert not staff_a.has_perm("targets.change_plan")


def test_leadership_read_and_write_nothing(leader):
    assert leader.has_perm("products.view_product")
    assert not any(p.split(".")[1].startswith(("add_", "change_", "delete_")) for p in leader.get_all_permissions())


def test_administrators_manage_users_and_plans(administrator):
    assert administrator.has_perms(["auth.change_user", "targets.change_plan", "products.delete_rating"])


def test_every_role_can_log_in_to_the_admin(staff_a, leader, administrator):
    assert staff_a.is_staff and leader.is_staff and administrator.is_staff


def test_a_new_role_replaces_the_old_group():
    user = member("chi.lan", Membership.Role.ADMIN)
    from accounts.services import assign_role
    assign_role(user=user, role=Membership.Role.STAFF, units=[unit("bac-kan")])
    assert list(user.groups.values_list("name", flat=True)) == ["staff"]
    assert not get_user_model().objects.get(pk=user.pk).is_superuser


def test_staff_see_their_province(staff_a, bac_kan):
    assert province_ids(staff_a) == {bac_kan.pk}


def test_a_current_province_includes_the_legacy_provinces_merged_into_it():
    user = member("can-bo-thai-nguyen", Membership.Role.STAFF, "thai-nguyen")
    assert province_ids(user) == {unit("thai-nguyen").pk, unit("thai-nguyen-cu").pk, unit("bac-kan").pk}


def test_a_legacy_province_does_not_include_its_successor(staff_a):
    assert unit("thai-nguyen").pk not in province_ids(staff_a)


def test_leadership_with_a_province_are_limited_to_it(bac_kan):
    assert province_ids(member("lanh-dao-bac-kan", Membership.Role.LEADERSHIP, "bac-kan")) == {bac_kan.pk}


@pytest.mark.parametrize("who", ["leader", "administrator", "admin_user"])
def test_leadership_without_a_province_administrators_and_superusers_are_national(request, who):
    assert province_ids(request.getfixturevalue(who)) is None


def test_a_user_without_a_role_sees_nothing():
    assert province_ids(get_user_model().objects.create(username="x", is_staff=True)) == frozenset()


def test_a_district_is_covered_by_its_provinces_scope(staff_a, na_ri):
    assert covers(province_ids(staff_a), na_ri)


def test_a_national_record_is_covered_only_nationally(staff_a):
    assert not covers(province_ids(staff_a), None)
