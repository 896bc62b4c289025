"""Django's file cache, forgiving: a cache that cannot be read or written (a read-only or full disk,
a folder the server may not enter) is a cache that holds nothing, so pages are counted instead of
failing. Said once in the log, with the reason. A damaged entry is a miss, and is deleted."""

import logging

from django.core.cache.backends.filebased import FileBasedCache

logger = logging.getLogger(__name__)


class ForgivingFileBasedCache(FileBasedCache):
    warned = False

    def _createdir(self):
        try:
            super()._createdir()
        except OSError as error:  # made again by each set(): then said and forgiven there
            self._unusable(error)

    def _unusable(self, error: OSError) -> None:
        if not ForgivingFileBasedCache.warned:
            logger.warning("The cache in %s cannot be used (%s): pages are counted each time.", self._dir, error)
            ForgivingFileBasedCache.warned = True

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except OSError as error:
            self._unusable(error)
            return default
        except Exception:  # noqa: BLE001 — unpickling damaged bytes can raise almost anything
            # A file torn by a power cut or a full disk: a miss, and gone.
            logger.warning("A damaged file in the cache %s was deleted.", self._dir)
            self._delete(self._key_to_file(key, version))
            return default

    def set(self, key, value, timeout=None, version=None):
        try:
            super().set(key, value, timeout, version)
        except OSError as error:
            self._unusable(error)

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except OSError as error:
            self._unusable(error)
            return False
