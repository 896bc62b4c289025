"""Login throttling (django-axes): which address a login attempt comes from."""

from django.conf import settings
from django.shortcuts import render


def client_ip(request) -> str | None:
    """The client's address: behind our proxy, the last one it appended to X-Forwarded-For (earlier
    entries are whatever the client sent, so they cannot be trusted); else the socket's peer."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.BEHIND_PROXY and forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")


def locked_out(request, response=None, credentials=None):
    """The page shown instead of the login form while a username is locked for this address."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
