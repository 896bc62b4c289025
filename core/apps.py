from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    """What several apps share: the audit base, the writers' turns, downloads, admin mixins."""

    default = True
    name = "core"
    verbose_name = "core"


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin on the project's site (core/sites.py)."""

    default = False  # core's own config stays CoreConfig
    default_site = "core.sites.AdminSite"
