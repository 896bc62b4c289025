"""Serve plotly.js from the installed plotly package, so the browser always runs the version whose
schema the tests check every figure against (go.Figure in tests/ocop_dashboard)."""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PACKAGE_DATA = Path(plotly.__file__).parent / "package_data"
FILE = "plotly.min.js"
PREFIX = "vendor"


class PlotlyFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=PACKAGE_DATA)
        self.storage.prefix = PREFIX

    def find(self, path, find_all=False, **kwargs):
        if path == f"{PREFIX}/{FILE}":
            found = str(PACKAGE_DATA / FILE)
            return [found] if find_all else found
        return [] if find_all else None

    def list(self, ignore_patterns):
        yield FILE, self.storage
