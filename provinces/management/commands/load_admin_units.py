from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from provinces.services import load_admin_units


class Command(BaseCommand):
    help = "Load legacy (until 30/6/2025) and current (from 1/7/2025) administrative units; idempotent."

    def handle(self, *args, **options):
        counts = load_admin_units()
        self.stdout.write(
            _("Administrative units — created: %(created)d, updated: %(updated)d, unchanged: %(unchanged)d") % counts
        )
