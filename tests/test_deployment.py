"""The deployment frame: settings that refuse unsafe starts, the compose file, docs that match the code.

Settings are read once per process, so each case starts a fresh Python with an
environment built from scratch: nothing leaks in from pytest's own settings.
"""

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
SETTINGS_FILE = PROJECT_DIR / "tracker" / "settings.py"
INSECURE_DEV_SECRET_KEY = "insecure-development-key-do-not-use-in-production"
LOCAL_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/signals_tracker"
SUBPROCESS_TIMEOUT_SECONDS = 120


def strong_secret_key() -> str:
    return secrets.token_urlsafe(50)


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    return run([sys.executable, "-c", code], env)


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return run([sys.executable, "manage.py", *args], env)


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
    }
    return subprocess.run(
        command,
        cwd=PROJECT_DIR,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT_SECONDS,
    )


def settings_values(names: list[str], **env: str) -> dict[str, str]:
    """Load the settings in a fresh process and return the named values as strings."""
    code = "import django; django.setup(); from django.conf import settings; " + "; ".join(
        f"print({name!r}, repr(settings.{name}), sep='=')" for name in names
    )
    completed = run_python(code, **env)
    assert completed.returncode == 0, completed.stderr
    return dict(line.split("=", 1) for line in completed.stdout.splitlines())


def variables_read_by_settings() -> set[str]:
    return set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z0-9_]+)"', SETTINGS_FILE.read_text(encoding="utf-8")))


def compose_config(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose is not installed (.ci/run installs the Debian package)")
    # An empty env file, so a developer's own .env cannot decide the outcome.
    env_file = tmp_path / "empty.env"
    env_file.write_text("")
    compose_file = PROJECT_DIR / "docker-compose.yml"
    return run([binary, "--env-file", str(env_file), "-f", str(compose_file), "config", "-q"], env)


def test_compose_file_is_valid(tmp_path):
    completed = compose_config(tmp_path, SECRET_KEY=strong_secret_key())
    assert completed.returncode == 0, completed.stderr


def test_compose_refuses_to_start_without_a_secret_key(tmp_path):
    completed = compose_config(tmp_path)
    assert completed.returncode != 0
    assert "SECRET_KEY" in completed.stderr


@pytest.mark.parametrize(
    "secret_env",
    [
        pytest.param({}, id="unset"),
        pytest.param({"SECRET_KEY": ""}, id="empty"),
        pytest.param({"SECRET_KEY": INSECURE_DEV_SECRET_KEY}, id="the-development-key"),
    ],
)
def test_a_deployment_refuses_to_start_with_debug_off_and_no_real_secret_key(secret_env):
    completed = run_python("import django; django.setup()", DEBUG="0", DATABASE_URL=LOCAL_DATABASE_URL, **secret_env)
    assert completed.returncode != 0
    assert "ImproperlyConfigured" in completed.stderr
    assert "SECRET_KEY" in completed.stderr


def test_the_development_key_is_refused_with_debug_off_even_when_embedded(tmp_path):
    completed = run_python(
        "import django; django.setup()",
        DEBUG="0",
        SECRET_KEY=INSECURE_DEV_SECRET_KEY,
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
    )
    assert completed.returncode != 0
    assert "SECRET_KEY" in completed.stderr


def test_an_embedded_install_makes_its_own_secret_key_once(tmp_path):
    sqlite_path = str(tmp_path / "db.sqlite3")
    first = settings_values(["SECRET_KEY"], DEBUG="0", SQLITE_PATH=sqlite_path)["SECRET_KEY"]
    second = settings_values(["SECRET_KEY"], DEBUG="0", SQLITE_PATH=sqlite_path)["SECRET_KEY"]
    key_file = tmp_path / "secret_key"
    assert first == second == repr(key_file.read_text().strip())
    assert len(key_file.read_text().strip()) >= 50 and INSECURE_DEV_SECRET_KEY not in first
    assert key_file.stat().st_mode & 0o077 == 0


def test_settings_start_with_debug_off_and_a_real_secret_key():
    completed = run_python("import django; django.setup()", DEBUG="0", SECRET_KEY=strong_secret_key())
    assert completed.returncode == 0, completed.stderr


def deploy_check(**env: str) -> subprocess.CompletedProcess:
    """`check --deploy` failing on warnings, with production-like settings plus the given overrides."""
    production = {
        "DEBUG": "0",
        "SECRET_KEY": strong_secret_key(),
        "ALLOWED_HOSTS": "tracker.example.org",
        "DATABASE_URL": LOCAL_DATABASE_URL,
    }
    return run_manage("check", "--deploy", "--fail-level", "WARNING", **(production | env))


def test_deploy_checks_pass_with_production_settings():
    completed = deploy_check()
    assert completed.returncode == 0, completed.stderr + completed.stdout


def test_deploy_checks_catch_a_relaxed_production_setting():
    completed = deploy_check(SESSION_COOKIE_SECURE="0")
    assert completed.returncode != 0
    assert "security.W012" in completed.stderr


def test_without_database_or_broker_urls_the_app_runs_on_sqlite_with_in_process_tasks(tmp_path):
    sqlite_path = tmp_path / "tracker.sqlite3"
    values = settings_values(
        ["DATABASES['default']['ENGINE']", "DATABASES['default']['NAME']", "CELERY_TASK_ALWAYS_EAGER"],
        DEBUG="1",
        SQLITE_PATH=str(sqlite_path),
    )
    assert values["DATABASES['default']['ENGINE']"] == repr("django.db.backends.sqlite3")
    assert values["DATABASES['default']['NAME']"] == repr(str(sqlite_path))
    assert values["CELERY_TASK_ALWAYS_EAGER"] == "True"


def test_with_database_and_redis_urls_the_app_uses_postgresql_and_a_broker():
    values = settings_values(
        ["DATABASES['default']['ENGINE']", "CELERY_TASK_ALWAYS_EAGER"],
        DEBUG="1",
        DATABASE_URL=LOCAL_DATABASE_URL,
        REDIS_URL="redis://127.0.0.1:6379/15",
    )
    assert values["DATABASES['default']['ENGINE']"] == repr("django.db.backends.postgresql")
    assert values["CELERY_TASK_ALWAYS_EAGER"] == "False"


@pytest.mark.parametrize(
    ("name", "value"),
    [("DEBUG", "maybe"), ("INGEST_ALLOW_PRIVATE_NETWORKS", "sometimes"), ("EMAIL_PORT", "twenty-five")],
)
def test_a_malformed_value_stops_the_settings_from_loading(name, value):
    env = {"DEBUG": "1", name: value}
    completed = run_python("import django; django.setup()", **env)
    assert completed.returncode != 0
    assert "ImproperlyConfigured" in completed.stderr
    assert name in completed.stderr


def test_settings_read_some_variables():
    # Guards the two documentation tests below against a regex that matches nothing.
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= variables_read_by_settings()


@pytest.mark.parametrize("document", [".env.example", "README.md"])
def test_every_variable_the_settings_read_is_documented(document):
    text = (PROJECT_DIR / document).read_text(encoding="utf-8")
    if document == ".env.example":
        documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))
    else:
        documented = set(re.findall(r"^\|\s*`([A-Z][A-Z0-9_]*)`", text, flags=re.MULTILINE))
    assert variables_read_by_settings() - documented == set()


def test_every_make_target_is_in_the_readme():
    makefile = (PROJECT_DIR / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, flags=re.MULTILINE))
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    assert {"run", "test"} <= targets
    assert {target for target in targets if f"make {target}" not in readme} == set()


def test_ci_runs_the_test_command_the_readme_gives():
    assert "make test" in (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^make test$", (PROJECT_DIR / ".ci" / "run").read_text(encoding="utf-8"), flags=re.MULTILINE)
