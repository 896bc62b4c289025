from django.contrib.auth.models import Group
from django.db import transaction

from . import roles
from .models import Membership


@transaction.atomic
def assign_role(*, user, role: str, units) -> Membership:
    """Give `user` one role and exactly `units` (provinces); their groups and flags follow."""
    membership, _created = Membership.objects.update_or_create(user=user, defaults={"role": role})
    membership.units.set(units)
    sync_user(membership)
    return membership


def sync_user(membership: Membership) -> None:
    """Put the user in their role's group only (other groups stay) and set the admin-login flags.

    Every role logs in to the admin (is_staff). Administrators are also superusers: managing users
    includes granting permissions, which is superuser power anyway, and it lets an administrator
    reach every model added later without a migration of the group.
    """
    user = membership.user
    user.groups.remove(*Group.objects.filter(name__in=[roles.STAFF, roles.LEADERSHIP, roles.ADMIN]))
    user.groups.add(Group.objects.get(name=membership.role))
    user.is_staff = True
    user.is_superuser = membership.role == Membership.Role.ADMIN
    user.save(update_fields=["is_staff", "is_superuser"])
