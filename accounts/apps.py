from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Users and roles")


class ScopedAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, with the site of accounts/sites.py."""

    default = False  # accounts' own config stays AccountsConfig
    default_site = "accounts.sites.ScopedAdminSite"
