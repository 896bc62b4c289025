import datetime
from email.header import Header

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, mailers
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Membership
from core.bilingual import LANGUAGES, in_both_text
from provinces.models import AdminUnit

from ...dashboard import EXPIRY_WINDOW, expiring_products


class EncodedSubject(str):
    """A Subject header folded by email.header.Header: each encoded word holds its own spaces. The folder of
    email.policy (Python 3.12) can fold between two encoded words, and the space there is then lost to a
    reader ("của tỉnhBắc Kạn"), as RFC 2047 ignores whitespace between encoded words."""

    name = "Subject"

    def fold(self, *, policy) -> str:
        encoded = Header(str(self), "utf-8", header_name=self.name).encode(linesep=policy.linesep)
        return f"{self.name}: {encoded}{policy.linesep}"


class ExpiringEmail(EmailMessage):
    def message(self, **kwargs):
        message = super().message(**kwargs)
        del message["Subject"]
        message["Subject"] = EncodedSubject(self.subject)
        return message


def subject(unit: AdminUnit, count: int) -> str:
    return in_both_text(lambda: ngettext(
        "OCOP certificates expiring in the next 90 days: %(count)s product of %(province)s",
        "OCOP certificates expiring in the next 90 days: %(count)s products of %(province)s", count,
    ) % {"count": count, "province": unit.name_in_text})


def body(unit: AdminUnit, products: list, as_of: datetime.date) -> str:
    """The list in Vietnamese, then in English: the same lines, dates as d/m/Y in both."""
    url = f"{settings.OCOP_SITE_URL}{unit.get_absolute_url()}" if settings.OCOP_SITE_URL else ""
    blocks = []
    for language in LANGUAGES:
        with translation.override(language):
            lines = [_("Certificates of %(province)s expiring from %(start)s to %(end)s:") % {
                "province": unit.name_in_text, "start": f"{as_of:%d/%m/%Y}",
                "end": f"{as_of + EXPIRY_WINDOW:%d/%m/%Y}"}, ""]
            lines += [
                f"- {p.expires_on:%d/%m/%Y} — {p.name} ({p.stars_on}★, {p.producer.name})" for p in products
            ]
            if url:
                lines += ["", _("The province's page: %(url)s") % {"url": url}]
            blocks.append("\n".join(lines))
    return "\n\n— — —\n\n".join(blocks) + "\n"


class Command(BaseCommand):
    help = ("E-mail each province's office staff the certificates expiring in the next 90 days (as on the "
            "province page). Run weekly by a scheduler; nothing is sent for a province with none expiring.")

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="count from this day, YYYY-MM-DD (default: today)")
        parser.add_argument("--dry-run", action="store_true", help="say who would get what; send nothing")

    def handle(self, *args, as_of=None, dry_run=False, **options):
        try:
            day = datetime.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError(in_both_text(
                lambda: _("--as-of must be a date as YYYY-MM-DD, not %(value)r.") % {"value": as_of})) from None
        messages = []
        for unit in self.provinces(day):
            products = list(expiring_products(unit, day))
            if not products:
                continue
            recipients = self.staff_of(unit)
            messages += [
                ExpiringEmail(subject(unit, len(products)), body(unit, products, day), to=[address])
                for address in recipients
            ]
            self.stdout.write(in_both_text(lambda: _("%(province)s: %(products)s expiring, to %(recipients)s") % {
                "province": capfirst(unit.name_in_text), "products": len(products),
                "recipients": ", ".join(recipients)}))
        sent = 0 if dry_run else mailers.default.send_messages(messages) or 0
        self.stdout.write(in_both_text(lambda: _("e-mails sent: %(count)s") % {"count": sent}))

    @staticmethod
    def provinces(day: datetime.date):
        """Provinces existing on `day` with active office staff who have an e-mail address."""
        return (
            AdminUnit.objects.provinces().valid_on(day)
            .filter(memberships__role=Membership.Role.STAFF, memberships__user__is_active=True)
            .exclude(memberships__user__email="").distinct().order_by("search_name")
        )

    @staticmethod
    def staff_of(unit: AdminUnit) -> list[str]:
        """Addresses of the active office staff of `unit` (its Membership): each gets an e-mail of their own."""
        users = get_user_model().objects.filter(
            is_active=True, membership__role=Membership.Role.STAFF, membership__units=unit
        ).exclude(email="")
        return sorted(users.values_list("email", flat=True).distinct())
