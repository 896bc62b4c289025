"""The three roles as Django groups, and the model permissions each holds.

Groups are named by the role's key. The data migration `0002_roles` creates them; a migration
that adds a model must run `sync_role_groups` again so the roles get its permissions.
"""

from django.contrib.auth.management import create_permissions

STAFF, LEADERSHIP, ADMIN = "staff", "leadership", "admin"

# Office staff record the register of their provinces: create and change, never delete, because
# deleting erases history the dashboards count from (a rating is revoked, not deleted) and the
# models protect rated products anyway; an administrator deletes what was entered by mistake.
REGISTER = ["products.producer", "products.product", "products.ratingdecision", "products.rating"]
REFERENCE = [
    "provinces.adminunit", "products.productgroup",
    "targets.plan", "targets.target", "targets.indicator", "targets.reportedfigure",
]
IMPORTS = "imports.importrecord"
# A province's names for its sheets' columns, saved from an import's preview by whoever imports.
MAPPINGS = "imports.columnmapping"
# The audit trails across records (the change logs), read in the user's scope like the records themselves.
AUDITED = [
    "products.historicalproducer", "products.historicalproduct", "products.historicalratingdecision",
    "products.historicalrating", "targets.historicalplan", "targets.historicaltarget",
    "targets.historicalreportedfigure",
]
# Apps whose every permission the admin role holds (admins are also superusers: see services.py).
ADMIN_APPS = ["accounts", "auth", "imports", "products", "provinces", "targets"]


def enters_data(user) -> bool:
    """Whether `user` records the register (the pages' link to data entry): leadership only reads it."""
    return user.is_staff and (user.has_perm("products.add_product") or user.has_perm("products.change_product"))


def _perms(actions: list[str], models: list[str]) -> list[str]:
    return [f"{model.split('.')[0]}.{action}_{model.split('.')[1]}" for model in models for action in actions]


ROLE_PERMISSIONS = {
    STAFF: [*_perms(["add", "change", "view"], REGISTER), *_perms(["view"], [*REFERENCE, *AUDITED]),
            *_perms(["add", "view"], [IMPORTS]), *_perms(["add", "change", "view"], [MAPPINGS])],
    LEADERSHIP: _perms(["view"], [*REGISTER, *REFERENCE, IMPORTS, *AUDITED]),
}


def sync_role_groups(apps) -> None:
    """Create the role groups and give each exactly its permissions (`apps`: a migration's registry)."""
    # Permissions are normally created after the last migration (post_migrate); on a fresh
    # database they do not exist yet, so create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role in (STAFF, LEADERSHIP, ADMIN):
        group, _created = Group.objects.get_or_create(name=role)
        if role == ADMIN:
            permissions = Permission.objects.filter(content_type__app_label__in=ADMIN_APPS)
        else:
            # An earlier migration's state lacks the models added since: their permissions come with a later sync.
            models = {model._meta.label_lower for model in apps.get_models()}
            wanted = [perm.split(".") for perm in ROLE_PERMISSIONS[role]]
            permissions = [
                Permission.objects.get(content_type__app_label=app, codename=codename)
                for app, codename in wanted
                if f"{app}.{codename.split('_', 1)[1]}" in models
            ]
        group.permissions.set(permissions)
