"""Serve plotly.js from the installed `plotly` package: no CDN, no copy in the repo."""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_DIR = Path(plotly.__file__).resolve().parent / "package_data"
PLOTLY_NAME = "plotly.min.js"
URL_PATH = f"vendor/{PLOTLY_NAME}"


class PlotlyFinder(BaseFinder):
    """Exposes exactly one file, `vendor/plotly.min.js`, from the package's data folder."""

    storage = FileSystemStorage(location=PLOTLY_DIR)

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path != URL_PATH:
            return [] if find_all else None
        match = str(PLOTLY_DIR / PLOTLY_NAME)
        return [match] if find_all else match

    def list(self, ignore_patterns):
        storage = FileSystemStorage(location=PLOTLY_DIR)
        storage.prefix = "vendor"
        yield PLOTLY_NAME, storage
