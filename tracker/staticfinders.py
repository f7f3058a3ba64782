"""Serve plotly.js from the plotly package itself, as one static file among the others.

The package ships the exact plotly.js its Python side was built against; finding it in place keeps one copy on
disk, pinned by requirements.txt, and lets collectstatic and WhiteNoise hash and compress it like our own files.
Only that one file is exposed, not the package's other data (datasets, templates, the widget bundle).
"""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_FILE_NAME = "plotly.min.js"
PLOTLY_STATIC_PREFIX = "vendor/plotly"
PLOTLY_STATIC_PATH = f"{PLOTLY_STATIC_PREFIX}/{PLOTLY_FILE_NAME}"


def plotly_package_data() -> Path:
    return Path(plotly.__file__).resolve().parent / "package_data"


class PlotlyFinder(BaseFinder):
    """Finds exactly vendor/plotly/plotly.min.js, in the installed plotly package."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=plotly_package_data())
        # collectstatic and WhiteNoise put a storage's files under its prefix.
        self.storage.prefix = PLOTLY_STATIC_PREFIX

    def check(self, **kwargs) -> list:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs) -> str | list[str]:
        if path != PLOTLY_STATIC_PATH:
            return [] if find_all else None
        found = self.storage.path(PLOTLY_FILE_NAME)
        return [found] if find_all else found

    def list(self, ignore_patterns):
        yield PLOTLY_FILE_NAME, self.storage
