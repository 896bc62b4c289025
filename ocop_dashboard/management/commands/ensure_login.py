import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

LOGIN_URL = "http://127.0.0.1:8000/admin/"


class Command(BaseCommand):
    help = "Make sure someone can log in: create the superuser `admin` when there is none, never with a fixed password."

    def handle(self, *args, **options):
        User = get_user_model()
        existing = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if existing:
            self.stdout.write(_("Log in at %(url)s as %(user)s (reset a password: python manage.py changepassword USERNAME).") % {
                "url": LOGIN_URL, "user": existing.get_username()})
            return
        password = os.environ.get("OCOP_PASSWORD") or secrets.token_urlsafe(12)
        User.objects.create_superuser("admin", password=password)
        if os.environ.get("OCOP_PASSWORD"):
            self.stdout.write(_("Log in at %(url)s as admin with the password in OCOP_PASSWORD.") % {"url": LOGIN_URL})
        else:
            self.stdout.write(_("Log in at %(url)s as admin with this password (shown once; change it after logging in):") % {
                "url": LOGIN_URL})
            self.stdout.write(f"    {password}")
