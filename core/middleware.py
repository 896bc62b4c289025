import logging

from django.db import OperationalError
from django.http import JsonResponse
from django.middleware import gzip
from django.shortcuts import render
from django.utils.log import log_response

from .errors import database_unreachable, unavailable, wants_json
from .locks import another_writer, busy_texts

RETRY_AFTER_SECONDS = 10

logger = logging.getLogger(__name__)

# What is compressed already: gzip would spend a worker's CPU on it for nothing (and an .xlsx, a zip,
# would come out a little bigger). An SVG is text, and compresses.
COMPRESSED_TYPES = (
    "application/vnd.openxmlformats-officedocument.",  # .xlsx (and .docx): zip archives
    "application/zip", "application/gzip", "application/x-gzip", "image/", "video/", "audio/", "font/woff",
)


def compressed_already(response) -> bool:
    """Whether `response`'s type is compressed already (COMPRESSED_TYPES): a workbook, an image, an archive."""
    content_type = response.get("Content-Type", "")
    return content_type.startswith(COMPRESSED_TYPES) and not content_type.startswith("image/svg+xml")


class GZipMiddleware(gzip.GZipMiddleware):
    """Django's GZipMiddleware (with its BREACH padding), except for what is compressed already."""

    def process_response(self, request, response):
        if compressed_already(response):
            return response
        return super().process_response(request, response)


class AnotherWriterMiddleware:
    """Any request whose write waited too long for another writer (a long import holding SQLite's
    write lock past WRITE_WAIT_SECONDS, PostgreSQL's lock_timeout, a deadlock): a login, an admin
    save, anything. It answers 503 with Retry-After and the words of locks.busy() in Vietnamese and
    English (JSON to a JSON request), not a 500. The view's transaction has been rolled back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError) or not another_writer(exception):
            return None
        texts = busy_texts()
        if wants_json(request):
            error = {"message": f"{texts['vi']} / {texts['en']}", "code": "busy", **texts}
            # "error" and "status" as every JSON error (core.errors); "errors" in a form's shape, as before.
            response = JsonResponse({"error": texts, "status": 503, "errors": {"__all__": [error]}}, status=503)
        else:
            response = render(request, "busy.html", {"texts": texts}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


class DatabaseUnreachableMiddleware:
    """A view that could not reach the database (connection refused, the server gone or shutting
    down, SQLite's file unreadable): 503 with Retry-After and no caching, our page or JSON, rendered
    without the database (core.errors), not a 500. Logged once, in one line naming the error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not database_unreachable(exception):
            return None
        response = unavailable(request)
        # In place of Django's "Service Unavailable" line (log_response marks the response logged):
        # the error's own words say what is wrong, a traceback would say nothing more.
        log_response("Database unreachable: %s %s: %s", request.method, request.path, str(exception).strip(),
                     response=response, request=request, logger=logger)
        return response
