"""Our answers to errors (ocop_dashboard/urls.py names them as Django's handlers): a page in
Vietnamese then English, or JSON to a JSON request, and the 503 of a database that cannot be reached.

Each renders with no request context: no context processor runs, so neither the user nor the
session is read. A 500 or a 503 must render when the database is what failed, and a 404 must not
turn into a 500 because the page asked the database who is signed in."""

import sqlite3
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from .bilingual import in_both

# Long enough for a database restart; short enough that a reader who waits is not left waiting.
UNREACHABLE_RETRY_AFTER_SECONDS = 30

# Each status's title (the page's heading) and message (the page's text, and a JSON answer's error).
WORDS = {
    400: (_("Bad request"),
          _("The request could not be understood. Check the address or the form and try again.")),
    403: (_("Access denied"),
          _("You do not have permission to see this. Sign in with an account that has access, or ask an "
            "administrator.")),
    404: (_("Page not found"),
          _("There is nothing at this address. Check the address, or start again from the home page.")),
    500: (_("Server error"),
          _("Something went wrong on our side and it has been logged. Try again in a few minutes; if it happens "
            "again, tell an administrator.")),
    503: (_("Temporarily unavailable"),
          _("The OCOP register is temporarily unavailable. Please try again in a minute.")),
}
SIGN_IN_FIRST = _("Sign in to read this data: the dashboard is not public.")
CSRF_REFUSED = _("This form has expired or did not come from this site. Reload the page and send it again.")

# PostgreSQL's SQLSTATEs of a server that cannot be reached or is going away: every connection_exception
# (class 08), admin_shutdown, crash_shutdown, cannot_connect_now (starting or stopping), too_many_connections.
_POSTGRESQL_GONE = {"57P01", "57P02", "57P03", "53300"}
# SQLite's result codes of a database file that cannot be opened (CANTOPEN) or read (IOERR). Not
# BUSY or LOCKED: those are waits for another writer (core.locks), answered by their own 503.
_SQLITE_GONE = {10, 14}


def database_unreachable(error: BaseException | None) -> bool:
    """Whether a database error says the database cannot be reached (refused, closed, shutting
    down, its file gone), not that a query failed or waited too long for another writer."""
    cause = getattr(error, "__cause__", None)
    if isinstance(cause, sqlite3.Error):
        code = getattr(cause, "sqlite_errorcode", None) or 0
        return isinstance(error, OperationalError) and code & 0xFF in _SQLITE_GONE
    if isinstance(error, InterfaceError):
        return True  # the driver's connection is closed
    if not isinstance(error, OperationalError) or cause is None:
        return False
    # psycopg2 names it pgcode, psycopg 3 sqlstate; none when no server answered at all.
    code = getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)
    return code is None or code.startswith("08") or code in _POSTGRESQL_GONE


def wants_json(request) -> bool:
    """Whether an error should be answered in JSON: a .json address, or a script that accepts JSON and not HTML."""
    return request.path.endswith(".json") or (
        request.accepts("application/json") and not request.accepts("text/html"))


def error_response(request, status: int, message=None) -> HttpResponse:
    """The answer to an error: our page for `status`, in Vietnamese then English, or to a JSON request
    {"error": {"vi": …, "en": …}, "status": status}; `message` (lazy text) in place of the status's own."""
    title, default = WORDS[status]
    texts = in_both(lambda: {"title": str(title), "message": str(message or default), "home": str(_("Home page"))})
    if wants_json(request):
        return JsonResponse({"error": {language: words["message"] for language, words in texts.items()},
                             "status": status}, status=status)
    body = loader.render_to_string("error.html", {"status": status, "texts": texts})
    return HttpResponse(body, status=status)


def unavailable(request) -> HttpResponse:
    """503: the database cannot be reached. Retry-After tells monitors and scripts when to come back;
    nothing on the way may keep this answer in place of the page."""
    response = error_response(request, 503)
    response["Retry-After"] = str(UNREACHABLE_RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def bad_request(request, exception):
    return error_response(request, 400)


def permission_denied(request, exception):
    return error_response(request, 403)


def csrf_failure(request, reason=""):
    """settings.CSRF_FAILURE_VIEW: a form sent without its token (an old page, cookies off, a POST
    from elsewhere) is refused in our words, not Django's English page."""
    return error_response(request, 403, CSRF_REFUSED)


def page_not_found(request, exception):
    return error_response(request, 404)


def server_error(request):
    # A view's lost database is answered by DatabaseUnreachableMiddleware; this catches what fails
    # outside a view (a middleware's session save), where Django calls us inside its `except`.
    if database_unreachable(sys.exception()):
        return unavailable(request)
    return error_response(request, 500)
