import getpass
import os
import sys

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Membership
from accounts.services import assign_role
from provinces.models import AdminUnit


class Command(BaseCommand):
    help = (
        "Create or update a user with one role and their provinces. The password comes from "
        "OCOP_PASSWORD or standard input; run again to change role, provinces or password."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Membership.Role.values)
        parser.add_argument("--unit", dest="units", action="extend", nargs="+", default=[], metavar="SLUG",
                            help="A province's slug (see /api/provinces.json); repeat for several.")

    def handle(self, *args, username, role, units, **options):
        provinces = [self.province(slug) for slug in units]
        if role == Membership.Role.STAFF and not provinces:
            raise CommandError(_("Office staff need at least one province: --unit SLUG."))
        if role == Membership.Role.ADMIN and provinces:
            raise CommandError(_("An administrator works on the whole country: give no --unit."))
        User = get_user_model()
        user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        created = user is None
        password = self.password(options.get("stdin", sys.stdin))
        if created and not password:
            raise CommandError(_("A new user needs a password: set OCOP_PASSWORD or type it on standard input."))
        with transaction.atomic():
            if created:
                user = User(**{User.USERNAME_FIELD: username})
            if password:
                try:
                    password_validation.validate_password(password, user)
                except ValidationError as error:
                    reasons = " ".join(error.messages)
                    raise CommandError(_("The password was refused: %(reasons)s") % {"reasons": reasons}) from None
                user.set_password(password)
            user.save()
            assign_role(user=user, role=role, units=provinces)
        for language in ("vi", "en"):
            with translation.override(language):
                done = _("Created user %(user)s: %(role)s.") if created else _("Updated user %(user)s: %(role)s.")
                self.stdout.write(done % {"user": username, "role": Membership.Role(role).label})
                names = ", ".join(str(unit) for unit in provinces)  # a legacy one says until when
                self.stdout.write(
                    _("Provinces: %(units)s.") % {"units": names} if names else _("Provinces: the whole country.")
                )

    def province(self, slug: str) -> AdminUnit:
        unit = AdminUnit.objects.filter(slug=slug).first()
        if unit is None:
            raise CommandError(_("No unit has the slug %(slug)s (see /api/provinces.json).") % {"slug": slug})
        if unit.level != AdminUnit.Level.PROVINCE:
            raise CommandError(_("%(unit)s is not a province: give a province's slug.") % {"unit": unit})
        return unit

    def password(self, stdin) -> str:
        if os.environ.get("OCOP_PASSWORD"):
            return os.environ["OCOP_PASSWORD"]
        if stdin.isatty():
            return getpass.getpass(_("Password (empty keeps the current one): "))
        return stdin.readline().rstrip("\r\n")
