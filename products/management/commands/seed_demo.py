from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from products.demo import seed_demo
from provinces.models import AdminUnit
from provinces.services import load_admin_units


class Command(BaseCommand):
    help = "Load reference data (groups, indicators, the seeds' plans and published figures) and the demo register."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production", action="store_true",
            help="Seed even with DEBUG off (demo data in a production database is rarely wanted).",
        )

    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                _("DEBUG is off: this looks like production. Add --allow-production to seed demo data anyway.")
            )
        if not AdminUnit.objects.exists():
            load_admin_units()
        counts = seed_demo()
        self.stdout.write(_("Demo data — named ratings: %(named)d, demo products: %(demo)d") % {
            "named": counts["named ratings"], "demo": counts["demo products"]})
