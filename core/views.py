"""Health endpoints for monitors, load balancers and container checks: no login, no session, no
cookie, never cached, answered over plain HTTP too (settings.SECURE_REDIRECT_EXEMPT)."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import health
from .bilingual import in_both_text


@never_cache
@require_safe
def healthz(request):
    """200 "ok" while the database answers one `SELECT 1`, else 503: the process is alive."""
    if health.database_answers():
        return HttpResponse("ok", content_type="text/plain; charset=utf-8")
    return HttpResponse(in_both_text(lambda: _("The database does not answer.")),
                        content_type="text/plain; charset=utf-8", status=503)


@never_cache
@require_safe
def readyz(request):
    """200 when the site can do all its work: the database answers, every migration is applied and
    an import worker was alive within settings.WORKER_STALE_SECONDS; else 503. The JSON body names
    each check, whether it passed and, when not, why, in Vietnamese and English."""
    checks = {"database": _database()}
    if checks["database"]["ok"]:
        checks["migrations"] = _migrations()
    if checks.get("migrations", {}).get("ok"):  # the worker's heartbeat is in a table a migration makes
        checks["worker"] = _worker()
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse({"ready": ready, "checks": checks}, status=200 if ready else 503)


def _database() -> dict:
    if health.database_answers():
        return {"ok": True}
    return {"ok": False, "message": in_both_text(lambda: _("The database does not answer."))}


def _migrations() -> dict:
    unapplied = health.unapplied_migrations()
    if not unapplied:
        return {"ok": True}
    message = in_both_text(lambda: ngettext(
        "%(count)d migration is not applied: run manage.py migrate.",
        "%(count)d migrations are not applied: run manage.py migrate.", len(unapplied)) % {"count": len(unapplied)})
    return {"ok": False, "unapplied": unapplied, "message": message}


def _worker() -> dict:
    if not health.needs_worker():
        return {"ok": True, "needed": False}
    silence = health.worker_silence()
    seconds = None if silence is None else int(silence.total_seconds())
    if seconds is not None and seconds <= settings.WORKER_STALE_SECONDS:
        return {"ok": True, "seconds_ago": seconds}
    if seconds is None:
        message = in_both_text(lambda: _("No import worker has run on this database (manage.py run_worker)."))
    else:
        message = in_both_text(lambda: ngettext(
            "No import worker has said it is alive for %(seconds)d second (manage.py run_worker).",
            "No import worker has said it is alive for %(seconds)d seconds (manage.py run_worker).",
            seconds) % {"seconds": seconds})
    return {"ok": False, "seconds_ago": seconds, "message": message}
