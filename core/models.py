from django.db import models


class RegisterVersion(models.Model):
    """One row: how many times the register (what the dashboard shows) has changed, and when last.

    Database triggers on every register table bump it in the transaction of the write itself
    (core/register.py), whatever wrote it: a form, an import's bulk insert, an update of many
    rows. Pages and JSON derive their ETag and Last-Modified from it.
    """

    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="register_version_one_row")]

    def __str__(self) -> str:
        return f"{self.version} ({self.changed_at:%Y-%m-%d %H:%M:%S})"
