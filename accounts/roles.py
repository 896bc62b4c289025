"""The three roles as Django groups, and the model permissions each holds.

Groups are named by the role's key. The data migration `0002_roles` creates them; a migration
that adds a model must run `sync_role_groups` again so the roles get its permissions.
"""

STAFF, LEADERSHIP, ADMIN = "staff", "leadership", "admin"

# Office staff record the register of their provinces: create and change, never delete, because
# deleting erases history the dashboards count from (a rating is revoked, not deleted) and the
# models protect rated products anyway; an administrator deletes what was entered by mistake.
REGISTER = ["products.producer", "products.product", "products.ratingdecision", "products.rating"]
REFERENCE = [
    "provinces.adminunit", "products.productgroup",
    "targets.plan", "targets.target", "targets.indicator", "targets.reportedfigure",
]
IMPORTS = "products.importrecord"
# Apps whose every permission the admin role holds (admins are also superusers: see services.py).
ADMIN_APPS = ["accounts", "auth", "products", "provinces", "targets"]


def _perms(actions: list[str], models: list[str]) -> list[str]:
    return [f"{model.split('.')[0]}.{action}_{model.split('.')[1]}" for model in models for action in actions]


ROLE_PERMISSIONS = {
    STAFF: [*_perms(["add", "change", "view"], REGISTER), *_perms(["view"], REFERENCE), *_perms(["add", "view"], [IMPORTS])],
    LEADERSHIP: _perms(["view"], [*REGISTER, *REFERENCE, IMPORTS]),
}


def sync_role_groups(apps) -> None:
    """Create the role groups and give each exactly its permissions (`apps`: a migration's registry)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role in (STAFF, LEADERSHIP, ADMIN):
        group, _created = Group.objects.get_or_create(name=role)
        if role == ADMIN:
            permissions = Permission.objects.filter(content_type__app_label__in=ADMIN_APPS)
        else:
            wanted = [perm.split(".") for perm in ROLE_PERMISSIONS[role]]
            permissions = [Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in wanted]
        group.permissions.set(permissions)
