from django.db import OperationalError
from django.http import JsonResponse
from django.shortcuts import render

from .locks import another_writer, busy_texts

RETRY_AFTER_SECONDS = 10


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
        if request.path.endswith(".json") or request.accepts("application/json") and not request.accepts("text/html"):
            error = {"message": f"{texts['vi']} / {texts['en']}", "code": "busy", **texts}
            response = JsonResponse({"errors": {"__all__": [error]}}, status=503)
        else:
            response = render(request, "busy.html", {"texts": texts}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
