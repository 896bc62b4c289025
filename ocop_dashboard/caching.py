"""Conditional GET for the dashboard's pages and JSON: a strong ETag and a Last-Modified derived
from the register's version (core.register), so a repeat view is answered 304 without counting,
and no change to the register, to the visitor's scope or to the day can be answered from before it.
"""

import datetime
import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.views.decorators.http import condition

from accounts.scope import province_ids
from core import register

_STATE, _VERSION = "_register_state", "_register_version"


def _code_version() -> str:
    """A digest of the code and templates that compute and show the figures: an upgrade of either
    gives every page a new ETag and server cache key, so nothing is served as the old code made it."""
    digest = hashlib.sha256()
    skipped = {"tests", "bench", "cache", "staticfiles", "build", "backups", "docs", "fixtures"}
    folders = [p for p in settings.BASE_DIR.iterdir() if p.is_dir() and p.name not in skipped
               and not p.name.startswith(".")]
    for path in sorted(f for folder in folders for f in folder.rglob("*") if f.suffix in (".py", ".html", ".mo")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


CODE_VERSION = _code_version()


def _version(request) -> tuple[int, datetime.datetime]:
    """The register's version (core.register.version), read once per request."""
    if not hasattr(request, _VERSION):
        setattr(request, _VERSION, register.version())
    return getattr(request, _VERSION)


def _inputs(request, today: datetime.date) -> list:
    """What every answer of the dashboard depends on but the visitor's identity: the register's
    version and when it changed, the address with its query (page, as_of, plan, filters), the
    language, the code, today's date (a page without as_of shows today; certificates lapse at
    midnight) and what the visitor may see."""
    version, changed = _version(request)
    scope = None if settings.OCOP_PUBLIC_DASHBOARD else province_ids(request.user)
    return [version, changed.isoformat(), request.get_full_path(), get_language(), CODE_VERSION, today.isoformat(),
            settings.OCOP_PUBLIC_DASHBOARD, sorted(scope) if scope is not None else "all"]


def _digest(parts: list) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:40]


def _state(request) -> tuple[str, datetime.datetime | None]:
    """(ETag, Last-Modified) of what `request` is answered, computed once per request (one query for
    the register's version, and the visitor's provinces when the dashboard is not public).

    The ETag covers everything the answer depends on: _inputs, and who the visitor is (the header
    names them). Last-Modified is the later of the last change and today's start: a page of today
    cannot be older than today; none in the second of a change."""
    if not hasattr(request, _STATE):
        today = timezone.localdate()
        etag = _digest([*_inputs(request, today), request.user.pk])
        changed = _version(request)[1]
        start_of_today = datetime.datetime.combine(today, datetime.time(), tzinfo=timezone.get_current_timezone())
        last_modified = max(changed, start_of_today)
        # Last-Modified counts whole seconds: a change in this very second may be followed by another
        # in the same second, which an If-Modified-Since would not see. Then none is given.
        if int(changed.timestamp()) >= int(timezone.now().timestamp()):
            last_modified = None
        setattr(request, _STATE, (f'"{etag}"', last_modified))
    return getattr(request, _STATE)


def figures_key(request) -> str:
    """The key of a page's computed figures, tables and charts in the server's cache (the template's
    `{% cache %}` fragment, and cached_figures): _inputs (the language too: the tag does not add it),
    and of the visitor only whether they are signed in (a household producer is named to them). The
    fragment holds no name, no form token: the header stays out of it."""
    return _digest([*_inputs(request, timezone.localdate()), request.user.is_authenticated])


def revalidated(view):
    """Answer a GET (or HEAD) of `view` 304 when the visitor has what it would answer; otherwise
    answer it with its ETag and Last-Modified. Caches may keep it but must ask again each time
    (no-cache); a signed-in visitor's answer is private."""
    conditional = condition(etag_func=lambda request, *a, **k: _state(request)[0],
                            last_modified_func=lambda request, *a, **k: _state(request)[1])(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = conditional(request, *args, **kwargs)
        if response.status_code not in (200, 304):  # a refusal or "not found" is nothing to come back with
            for header in ("ETag", "Last-Modified"):
                del response.headers[header]
        patch_cache_control(response, no_cache=True, **({"private": True} if request.user.is_authenticated else {}))
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        return response
    return wrapped


def cached_figures(request, name: str, compute):
    """What `compute()` returns (figures to answer with, no name or token in them), kept in Django's
    cache under `name` and figures_key(request), computed when not there."""
    return cache.get_or_set(f"{name}:{figures_key(request)}", compute, timeout=3600)
