from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from provinces.models import AdminUnit


class Membership(models.Model):
    """A user's role and the provinces whose register they work on."""

    class Role(models.TextChoices):
        STAFF = "staff", _("Office staff")
        LEADERSHIP = "leadership", _("Leadership")
        ADMIN = "admin", _("Administrator")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="membership", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=12, choices=Role)
    units = models.ManyToManyField(
        AdminUnit, blank=True, related_name="memberships", verbose_name=_("provinces"),
        limit_choices_to={"level": AdminUnit.Level.PROVINCE},
        help_text=_("A current province includes the provinces merged into it. "
                    "Leadership with no province read the whole country."),
    )

    class Meta:
        verbose_name = _("role and provinces")
        verbose_name_plural = _("roles and provinces")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"
