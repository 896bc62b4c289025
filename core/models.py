import socket

from django.db import models
from django.utils import timezone


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


class WorkerHeartbeat(models.Model):
    """When an import worker (`manage.py run_worker`) last said it was alive, and where: one row
    that every worker overwrites, since /readyz asks only whether some worker is alive."""

    host = models.CharField(max_length=255)
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="worker_heartbeat_one_row")]

    def __str__(self):
        return f"{self.host} {self.seen_at.isoformat()}"

    @classmethod
    def record(cls) -> None:
        """Say that a worker on this host is alive now."""
        cls.objects.update_or_create(pk=1, defaults={"host": socket.gethostname(), "seen_at": timezone.now()})

    @classmethod
    def last(cls) -> "WorkerHeartbeat | None":
        """The latest heartbeat of any worker; None when no worker has ever run on this database."""
        return cls.objects.filter(pk=1).first()
