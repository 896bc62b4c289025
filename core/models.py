import socket

from django.db import models
from django.utils import timezone


class WorkerHeartbeat(models.Model):
    """When an import worker (`manage.py run_worker`) last said it was alive, and where: one row
    that every worker overwrites, since /readyz asks only whether some worker is alive."""

    host = models.CharField(max_length=255)
    seen_at = models.DateTimeField()

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
