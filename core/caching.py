"""Conditional GET for the dashboard's pages and JSON: a strong ETag and a Last-Modified derived
from the register's version (core.register), so a repeat view is answered 304 without counting,
and no change to the register, to the visitor's scope or to the day can be answered from before it.

The server keeps what it computed under the same inputs: a signed-in visitor's page keeps its
figures (the template's `{% cache %}` fragment, cached_figures); a page for visitors not signed in,
which names nobody and holds no form token, is kept whole, compressed (shared_page).
"""

import datetime
import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.text import compress_string
from django.utils.translation import get_language
from django.views.decorators.http import condition

from accounts.roles import enters_data
from accounts.scope import province_ids
from core import register
from core.middleware import GZipMiddleware, compressed_already


def _once(request, name: str, compute):
    """`compute()`, computed once per request: kept on it under `name`."""
    if name not in request.__dict__:
        request.__dict__[name] = compute()
    return request.__dict__[name]


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


def _version(request) -> register.Version:
    """The register's version (core.register.version), read once per request."""
    return _once(request, "_register_version", register.version)


def today(request) -> datetime.date:
    """Today's date (in Vietnam), read once per request: the ETag, the server cache's key and the
    figures count for the same day, even for a request that straddles midnight."""
    return _once(request, "_today", timezone.localdate)


def _inputs(request) -> list:
    """What every answer of the dashboard depends on but the visitor's identity: the register's
    version and when it changed, the whole address with its query (page, as_of, plan, filters; the
    host, which provinces.json names), the language, the code, today's date (a page without as_of
    shows today; certificates lapse at midnight) and what the visitor may see. Computed once per
    request: the ETag and the server cache's key both start from it."""
    def inputs() -> list:
        version, changed, _now = _version(request)
        scope = None if settings.OCOP_PUBLIC_DASHBOARD else province_ids(request.user)
        return [version, changed.isoformat(), request.build_absolute_uri(), get_language(), CODE_VERSION,
                today(request).isoformat(), settings.OCOP_PUBLIC_DASHBOARD,
                sorted(scope) if scope is not None else "all"]
    return _once(request, "_inputs", inputs)


def _digest(parts: list) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:40]


def _visitor(request) -> tuple | None:
    """What a page shows of its visitor (the header): who they are, whether they enter data, and the
    secret of the sign-out form's token, which a new sign-in changes (a page kept from before it
    would sign out with a token no longer taken)."""
    user = request.user
    if not user.is_authenticated:
        return None
    return (user.pk, user.get_username(), user.get_full_name(), enters_data(user), request.META.get("CSRF_COOKIE"))


def _state(request) -> tuple[str, datetime.datetime | None]:
    """(ETag, Last-Modified) of what `request` is answered, computed once per request (one query for
    the register's version, and the visitor's provinces when the dashboard is not public).

    The ETag covers everything the answer depends on: _inputs, and the visitor as the header shows
    them (a role changed without a write to the register changes the link to data entry).
    Last-Modified is the later of the last change and today's start: a page of today cannot be older
    than today; none in the second of a change."""
    def state() -> tuple[str, datetime.datetime | None]:
        etag = _digest([*_inputs(request), _visitor(request)])
        _number, changed, now = _version(request)
        midnight = datetime.datetime.combine(today(request), datetime.time(), tzinfo=timezone.get_current_timezone())
        last_modified = max(changed, midnight)
        # Last-Modified counts whole seconds: a change in this very second may be followed by another
        # in the same second, which an If-Modified-Since would not see. Then none is given. The second
        # is the database's, whose clock dated the change (an app server's may be ahead or behind).
        if int(changed.timestamp()) >= int(now.timestamp()):
            last_modified = None
        return f'"{etag}"', last_modified
    return _once(request, "_register_state", state)


def figures_key(request) -> str:
    """The key of a page's computed figures, tables and charts in the server's cache (the template's
    `{% cache %}` fragment, and cached_figures): _inputs (the language too: the tag does not add it),
    and of the visitor only whether they are signed in (a household producer is named to them). The
    fragment holds no name, no form token: the header stays out of it."""
    return _digest([*_inputs(request), request.user.is_authenticated])


def revalidated(view):
    """Answer a GET (or HEAD) of `view` 304 when the visitor has what it would answer; otherwise
    answer it with its ETag and Last-Modified, from the server's cache when a visitor not signed in
    asked for it before (shared_page). Caches may keep it but must ask again each time (no-cache);
    a signed-in visitor's answer is private."""
    conditional = condition(etag_func=lambda request, *a, **k: _state(request)[0],
                            last_modified_func=lambda request, *a, **k: _state(request)[1])(shared_page(view))

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = conditional(request, *args, **kwargs)
        if response.status_code not in (200, 304):  # a refusal or "not found" is nothing to come back with
            for header in ("ETag", "Last-Modified"):
                del response.headers[header]
        if response.get("Content-Encoding") == "gzip" and response.get("ETag", "").startswith('"'):
            response.headers["ETag"] = "W/" + response["ETag"]  # as GZipMiddleware marks what it compressed
        patch_cache_control(response, no_cache=True, **({"private": True} if request.user.is_authenticated else {}))
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        return response
    return wrapped


# Headers of a kept page that its answer repeats; the rest (ETag, caching, Vary) each answer sets.
_KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language")


def shared_page(view):
    """`view`, whose whole answer to visitors not signed in is kept in the server's cache under
    figures_key and answered from there, already compressed for those who accept gzip.

    Only a 200 that set no cookie and used no form token is kept: it names nobody and holds nothing
    of one visitor, so it is the same page for all of them (the key has everything else it depends
    on). Compressed once with Django's own BREACH padding, which a page with no secret in it does
    not need afresh for each answer."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        key = f"page:{figures_key(request)}"
        kept = cache.get(key)
        if kept is None:
            response = view(request, *args, **kwargs)
            if (response.status_code != 200 or response.streaming or response.cookies
                    or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")):
                return response
            kept = {"content": response.content, "headers": {h: response[h] for h in _KEPT_HEADERS if h in response},
                    "gzipped": _compressed(response)}
            cache.set(key, kept, timeout=3600)
        response = HttpResponse(kept["content"], headers=kept["headers"])
        if kept["gzipped"] is not None:
            patch_vary_headers(response, ("Accept-Encoding",))
            if re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
                response.content = kept["gzipped"]
                response.headers["Content-Encoding"] = "gzip"
        return response
    return wrapped


def _compressed(response) -> bytes | None:
    """The response's content gzipped as GZipMiddleware would send it, None when it would not."""
    if len(response.content) < 200 or response.has_header("Content-Encoding") or compressed_already(response):
        return None
    compressed = compress_string(response.content, max_random_bytes=GZipMiddleware.max_random_bytes)
    return compressed if len(compressed) < len(response.content) else None


def cached_figures(request, name: str, compute):
    """What `compute()` returns (figures to answer with, no name or token in them), kept in Django's
    cache under `name` and figures_key(request), computed when not there."""
    return cache.get_or_set(f"{name}:{figures_key(request)}", compute, timeout=3600)
