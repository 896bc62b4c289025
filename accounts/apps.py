from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = _("Users and roles")


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin on the project's site (accounts/sites.py)."""

    default = False  # accounts' own config stays AccountsConfig
    default_site = "accounts.sites.AdminSite"
