"""Logging for the operator's journal."""

import logging


class WithoutTraceback(logging.Filter):
    """A record without its traceback: for Django's `django.security` loggers, which write a whole
    traceback for every refused Host header, oversized form or too many fields that scanners send.
    The one line (what was refused, and why) stays."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True
