import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Membership
from accounts.services import assign_role

USERNAME = "admin"
# As the README prints it: `make run` leaves a .env in the clone, so this works there without DEBUG set.
MANAGE = ".venv/bin/python manage.py"
RULE = "=" * 72


class Command(BaseCommand):
    help = ("Make sure someone can log in: create the superuser `admin`, with the administrator role, when there is "
            "none, never with a fixed password.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000/admin/", help="where the admin is served (make run passes its own)"
        )

    def handle(self, *args, url, **options):
        # `make run` prints this last, after the install, migrate and seed messages: framed, so it is seen.
        self.stdout.write(f"\n{RULE}")
        self.login(url)
        self.stdout.write(f"{RULE}\n")

    def login(self, url):
        User = get_user_model()
        superusers = User.objects.filter(is_superuser=True, is_active=True).order_by("pk")
        if superusers:
            names = ", ".join(user.get_username() for user in superusers)
            self.say(lambda: _("Log in at %(url)s as %(user)s (reset a password: %(command)s).")
                     % {"url": url, "user": names, "command": f"{MANAGE} changepassword USERNAME"})
            return
        # create_superuser would fail with an IntegrityError traceback; say what to do instead.
        if User.objects.filter(**{User.USERNAME_FIELD: USERNAME}).exists():
            raise CommandError(_("User %(user)s exists but is not an active superuser: run %(command)s.")
                               % {"user": USERNAME, "command": f"{MANAGE} createsuperuser"})
        from_env = os.environ.get("OCOP_PASSWORD", "")
        password = from_env or secrets.token_urlsafe(12)
        user = User.objects.create_superuser(USERNAME, password=password)
        assign_role(user=user, role=Membership.Role.ADMIN, units=[])
        if from_env:
            self.say(lambda: _("Log in at %(url)s as admin with the password in OCOP_PASSWORD.") % {"url": url})
        else:
            self.say(lambda: _(
                "Log in at %(url)s as admin with this password (shown once; change it after logging in):"
            ) % {"url": url})
            # On its own line, the last in the frame, so scripts and people can copy it.
            self.stdout.write(f"\n    {password}")

    def say(self, message):
        """Vietnamese first (the UI's language), then English, whatever locale the shell has."""
        for language in ("vi", "en"):
            with translation.override(language):
                self.stdout.write(message())
