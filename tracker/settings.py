"""Settings for RU–DPRK Signals Tracker, read from environment variables only.

With no DATABASE_URL the app runs on a SQLite file; with no broker URL Celery
tasks run in-process. Set both to run on PostgreSQL and Redis.
"""

import secrets
from datetime import timedelta
from importlib.util import find_spec
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from tracker.csp import content_security_policy
from tracker.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SQLITE_PATH = env_str("SQLITE_PATH", str(BASE_DIR / "var" / "tracker.sqlite3"))
IS_EMBEDDED = not env_str("DATABASE_URL")


def embedded_secret_key(path: Path) -> str:
    """A random key made once for a local, embedded (SQLite) installation and kept beside its database."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


INSECURE_DEV_SECRET_KEY = "insecure-development-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    # A deployment (one with DATABASE_URL) must bring its own key; a local embedded install gets one made for it.
    if DEBUG:
        SECRET_KEY = INSECURE_DEV_SECRET_KEY
    elif IS_EMBEDDED:
        SECRET_KEY = embedded_secret_key(Path(SQLITE_PATH).parent / "secret_key")
if not SECRET_KEY or (SECRET_KEY == INSECURE_DEV_SECRET_KEY and not DEBUG):
    raise ImproperlyConfigured("Set SECRET_KEY: with DEBUG off there is no default secret key.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "pgtrigger",
    "axes",
    "ingest",
    "tracker",
]
# The development tools (the benchmark's data set generator) are left out of the Docker image, so the app is
# installed only where its package is present.
if find_spec("devtools") is not None:
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database: PostgreSQL through DATABASE_URL, else an embedded SQLite file.
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
# Celery workers write only what can be rebuilt by polling or tagging again, so their
# sessions may skip waiting for the WAL flush (a crash loses the last moment of work, never
# consistency). The web process, where curators' decisions are written, keeps the default.
DB_SYNCHRONOUS_COMMIT = env_str("DB_SYNCHRONOUS_COMMIT", "")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation costs ~80 ms before a dashboard query over the large tables even starts: more than
    # it saves on queries that read a few thousand rollup rows. It is for long reports, not for pages.
    # Each pgtrigger trigger first asks whether the session ignores it; with pgtrigger.ignore unset the answer is
    # an error raised and caught per row, which makes an INSERT of many rows slow by the square of their number.
    session_options = ["-c jit=off", "-c pgtrigger.ignore={}"]
    if DB_SYNCHRONOUS_COMMIT:
        if DB_SYNCHRONOUS_COMMIT not in ("on", "off", "local", "remote_write", "remote_apply"):
            raise ImproperlyConfigured(f"DB_SYNCHRONOUS_COMMIT must be on, off or local, got {DB_SYNCHRONOUS_COMMIT!r}")
        session_options.append(f"-c synchronous_commit={DB_SYNCHRONOUS_COMMIT}")
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = " ".join(session_options)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# --- Login throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one username from one address,
# that pair is refused for LOGIN_COOLOFF_MINUTES, the right password included. Locking the pair rather than the
# username alone keeps an attacker from locking a user out from elsewhere; rather than the address alone, keeps
# everyone behind one proxy or office NAT from being locked out together. `manage.py axes_reset` unlocks early.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
if AXES_FAILURE_LIMIT < 1 or AXES_COOLOFF_TIME <= timedelta(0):
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_COOLOFF_MINUTES must be positive.")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# The dashboard's plotly.js is the plotly package's own copy, found in place: no CDN, no second copy in the repo.
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "tracker.staticfinders.PlotlyFinder",
]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request while it is missing
# Hashed, compressed static files need `collectstatic` first: on for deployments, off for DEBUG and tests.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve from the app's static folders when nothing was collected (DEBUG, tests).
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

# --- Security: strict by default, relaxed only by DEBUG or explicit variables.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# HSTS preload is a commitment that is slow to undo, so it stays opt-in; without it Django warns (W021).
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite builds the covering indexes without their included columns, which is all the embedded database needs.
    SILENCED_SYSTEM_CHECKS.append("models.W040")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Content-Security-Policy: no inline script, no eval; styles only from this site and Plotly's exact inline ones.
CONTENT_SECURITY_POLICY = content_security_policy()

# --- Mail
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 1025)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "signals-tracker@localhost")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)

# --- Celery: Redis broker when configured, otherwise tasks run in-process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or env_str("REDIS_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# A worker killed mid-task must not lose the task: acknowledge only after it ran.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis going away must not end a worker: it reconnects for as long as the outage lasts (Celery gives up after 100
# tries by default). The tasks it was running are stopped and delivered again once Redis is back: their
# acknowledgement could only go to the closed connection, whose channels kombu fails on with an AttributeError
# rather than a connection error, and a worker ends on that.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "enqueue-due-feeds": {
        "task": "ingest.tasks.enqueue_due_feeds",
        "schedule": float(env_int("INGEST_SCHEDULER_TICK_SECONDS", 60)),
    },
    # Writers refresh the read model themselves; this recounts what other writes marked (admin edits, bulk loads).
    "refresh-read-model": {
        "task": "tracker.tasks.refresh_read_model_task",
        "schedule": float(env_int("READ_MODEL_REFRESH_SECONDS", 60)),
    },
}

# --- Ingest
INGEST_ALLOW_PRIVATE_NETWORKS = env_bool("INGEST_ALLOW_PRIVATE_NETWORKS", False)
INGEST_FETCH_DEADLINE_SECONDS = env_int("INGEST_FETCH_DEADLINE_SECONDS", 30)
INGEST_CONNECT_TIMEOUT_SECONDS = env_int("INGEST_CONNECT_TIMEOUT_SECONDS", 10)
INGEST_MAX_BODY_BYTES = env_int("INGEST_MAX_BODY_BYTES", 10 * 1024 * 1024)
# A worker's claim on a feed lasts the fetch deadline plus this margin; a crashed worker's claim runs out.
INGEST_LEASE_MARGIN_SECONDS = env_int("INGEST_LEASE_MARGIN_SECONDS", 60)
INGEST_MAX_REDIRECTS = env_int("INGEST_MAX_REDIRECTS", 10)
INGEST_DEFAULT_POLL_INTERVAL_MINUTES = env_int("INGEST_DEFAULT_POLL_INTERVAL_MINUTES", 30)
INGEST_MAX_BACKOFF_SECONDS = env_int("INGEST_MAX_BACKOFF_SECONDS", 24 * 3600)
INGEST_MAX_RETRY_AFTER_SECONDS = env_int("INGEST_MAX_RETRY_AFTER_SECONDS", 7 * 24 * 3600)
INGEST_USER_AGENT = env_str("INGEST_USER_AGENT", "RU-DPRK-Signals-Tracker/1.0 (feed reader)")
# The HTML5 parser's time grows with the square of nesting depth; tags nested deeper than this are dropped, text kept.
INGEST_MAX_HTML_DEPTH = env_int("INGEST_MAX_HTML_DEPTH", 100)
# A poll still running at the soft limit is stopped and recorded as too slow. It must stop before its claim on the
# feed runs out, or a second worker would take the feed while the first still works on it; the hard limit kills a
# worker that did not stop.
INGEST_TASK_SOFT_TIME_LIMIT_SECONDS = env_int(
    "INGEST_TASK_SOFT_TIME_LIMIT_SECONDS", INGEST_FETCH_DEADLINE_SECONDS + INGEST_LEASE_MARGIN_SECONDS // 2
)
INGEST_TASK_HARD_TIME_LIMIT_SECONDS = env_int(
    "INGEST_TASK_HARD_TIME_LIMIT_SECONDS",
    INGEST_TASK_SOFT_TIME_LIMIT_SECONDS + max(1, INGEST_LEASE_MARGIN_SECONDS // 4),
)
if not (
    INGEST_TASK_SOFT_TIME_LIMIT_SECONDS < INGEST_FETCH_DEADLINE_SECONDS + INGEST_LEASE_MARGIN_SECONDS
    and INGEST_TASK_SOFT_TIME_LIMIT_SECONDS < INGEST_TASK_HARD_TIME_LIMIT_SECONDS
):
    raise ImproperlyConfigured(
        "INGEST_TASK_SOFT_TIME_LIMIT_SECONDS must be below INGEST_TASK_HARD_TIME_LIMIT_SECONDS and below a feed's "
        "claim (INGEST_FETCH_DEADLINE_SECONDS + INGEST_LEASE_MARGIN_SECONDS)."
    )

# --- Tagging
# A tagging batch still running at the soft limit stops and rolls back, leaving its articles to the sweep; the hard
# limit kills a worker process that did not stop.
TAGGING_TASK_SOFT_TIME_LIMIT_SECONDS = env_int("TAGGING_TASK_SOFT_TIME_LIMIT_SECONDS", 120)
TAGGING_TASK_HARD_TIME_LIMIT_SECONDS = env_int(
    "TAGGING_TASK_HARD_TIME_LIMIT_SECONDS", TAGGING_TASK_SOFT_TIME_LIMIT_SECONDS + 30
)
if not TAGGING_TASK_SOFT_TIME_LIMIT_SECONDS < TAGGING_TASK_HARD_TIME_LIMIT_SECONDS:
    raise ImproperlyConfigured(
        "TAGGING_TASK_SOFT_TIME_LIMIT_SECONDS must be below TAGGING_TASK_HARD_TIME_LIMIT_SECONDS."
    )
# Every TAGGING_SWEEP_SECONDS beat queues the articles stored more than TAGGING_SWEEP_GRACE_SECONDS ago that were
# never tagged: their tagging could not be queued (the broker was unreachable) or was lost with the broker's queue.
# The grace should outlast the usual wait in the queue, or the sweep queues articles that are already waiting.
TAGGING_SWEEP_SECONDS = env_int("TAGGING_SWEEP_SECONDS", 300)
TAGGING_SWEEP_GRACE_SECONDS = env_int("TAGGING_SWEEP_GRACE_SECONDS", 600)
TAGGING_SWEEP_MAX_ARTICLES = env_int("TAGGING_SWEEP_MAX_ARTICLES", 10000)
CELERY_BEAT_SCHEDULE["sweep-unassessed-articles"] = {
    "task": "tracker.tasks.sweep_unassessed_articles_task",
    "schedule": float(TAGGING_SWEEP_SECONDS),
}

# --- The broker's visibility timeout: Redis hands a task that was not acknowledged to another worker after this long.
# It must outlast the longest task, or a task still running is started a second time; any longer, and the tasks of
# a killed worker wait for nothing. The hard time limits bound the long tasks (polls, tagging batches); the margin
# covers the moment between a worker taking a task and starting it. The other tasks are short and run twice safely.
VISIBILITY_TIMEOUT_MARGIN_SECONDS = 30
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int(
        "CELERY_VISIBILITY_TIMEOUT_SECONDS",
        max(INGEST_TASK_HARD_TIME_LIMIT_SECONDS, TAGGING_TASK_HARD_TIME_LIMIT_SECONDS)
        + VISIBILITY_TIMEOUT_MARGIN_SECONDS,
    ),
    # A broker that drops packets fails a publish in seconds rather than hanging the poll that announces articles.
    "socket_connect_timeout": 5,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
