"""The layer promises in pyproject.toml hold on the real tree, and lint-imports catches a module that breaks one."""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
ROOT_PACKAGES = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"][
    "root_packages"
]
LINT_TIMEOUT_SECONDS = 120


def lint_imports_command() -> str:
    beside_python = Path(sys.executable).with_name("lint-imports")
    command = str(beside_python) if beside_python.exists() else shutil.which("lint-imports")
    if command is None:
        pytest.skip("lint-imports is not installed: it comes with requirements-dev.txt (import-linter)")
    return command


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    """lint-imports on a tree, which imports its packages from that tree only."""
    return subprocess.run(
        [lint_imports_command(), "--no-cache", "--no-logo"],
        cwd=tree,
        env=os.environ | {"PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=LINT_TIMEOUT_SECONDS,
    )


def copy_of_the_tree(destination: Path) -> Path:
    for package in ROOT_PACKAGES:
        shutil.copytree(PROJECT_DIR / package, destination / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT_DIR / "pyproject.toml", destination)
    return destination


def test_the_real_tree_keeps_every_import_contract():
    completed = lint_imports(PROJECT_DIR)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "0 broken" in completed.stdout


def test_an_untouched_copy_of_the_tree_keeps_every_import_contract(tmp_path):
    # Guards the cases below: the copy alone must not be what breaks a contract.
    completed = lint_imports(copy_of_the_tree(tmp_path))
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.mark.parametrize(
    ("module", "source", "contract"),
    [
        ("ingest/tell_the_domain.py", "from tracker import models\n", "ingest never imports tracker"),
        ("tracker/sample_data.py", "from devtools.dataset import catalogue\n", "never imports devtools"),
        ("ingest/generated_feeds.py", "import devtools.dataset.feeds\n", "never imports devtools"),
        (
            "tracker/tagging/stored_rules.py",
            "from tracker.models import Rule\n",
            "imports neither Django nor the models",
        ),
        ("tracker/tagging/cached.py", "from django.core.cache import cache\n", "imports neither Django nor the models"),
        ("tracker/series.py", "\nimport plotly\n", "nor the rest of tracker"),
        (
            "tracker/views/totals.py",
            "from tracker.readmodel.counts import signals_counted\n",
            "through the read model and the domain",
        ),
        ("tracker/readmodel/drawn.py", "from tracker import charts\n", "never imports the views or the charts"),
    ],
)
def test_a_module_that_breaks_a_contract_fails_the_check(tmp_path, module, source, contract):
    tree = copy_of_the_tree(tmp_path)
    path = tree / module
    # A new module, or an import added at the end of an existing one.
    path.write_text((path.read_text(encoding="utf-8") if path.exists() else "") + source, encoding="utf-8")
    completed = lint_imports(tree)
    assert completed.returncode != 0
    assert f"{contract} BROKEN" in completed.stdout
    assert module.removesuffix(".py").replace("/", ".") in completed.stdout
