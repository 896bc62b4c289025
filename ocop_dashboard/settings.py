"""One settings module, read from the environment (see .env.example for every variable)."""

import datetime
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def read_env_file(path: Path) -> dict[str, str]:
    """The KEY=VALUE lines of a clone's .env (blank lines and # comments skipped, one pair of quotes
    around a value removed); nothing when the file does not exist."""
    if not path.is_file():
        return {}
    values = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, equals, value = line.removeprefix("export ").partition("=")
        if not equals or not key.strip().isidentifier():
            raise ImproperlyConfigured(f"{path}, line {number}: expected NAME=value, not {line!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


# A developer's clone keeps its local settings in .env (`make run` writes one: a generated SECRET_KEY and
# DEBUG on), so `.venv/bin/python manage.py ...` works there as the README prints it. The process
# environment always wins; production sets real variables and has no .env. OCOP_ENV_FILE names another
# file, or none when empty (the tests read none).
ENV_FILE = os.environ.get("OCOP_ENV_FILE", str(BASE_DIR / ".env"))
for _name, _value in (read_env_file(Path(ENV_FILE)) if ENV_FILE else {}).items():
    os.environ.setdefault(_name, _value)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    """The whole number the environment gives `name` (at least `minimum`), `default` when unset or empty."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if not value.strip().isdigit() or int(value) < minimum:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least {minimum}, not {value!r}")
    return int(value)


# How long a writer waits for another one writing the same records (an import, an edit) before it
# gives up with a message: PostgreSQL's lock_timeout for the import's locks, SQLite's busy timeout.
WRITE_WAIT_SECONDS = env_int("WRITE_WAIT_SECONDS", 30, minimum=1)
# Tests of concurrent imports only: seconds an import pauses inside its write (core.locks.hold_for_tests).
OCOP_TEST_WRITE_PAUSE = float(os.environ.get("OCOP_TEST_WRITE_PAUSE") or 0)


# The alias of the connection an import's progress goes through while it writes (PostgreSQL only).
PROGRESS_DATABASE = "progress"


def sqlite_database(name) -> dict:
    """A SQLite database written by one transaction at a time: each takes the write lock when it
    begins (IMMEDIATE), so two writers queue (up to WRITE_WAIT_SECONDS) instead of one failing with
    "database is locked" when it upgrades a read; in WAL mode, so readers never wait on a writer."""
    return {
        "ENGINE": "django.db.backends.sqlite3", "NAME": name,
        "OPTIONS": {
            "timeout": WRITE_WAIT_SECONDS, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL",
        },
    }


def database_from_url(url: str) -> dict:
    """Django DATABASES entry for a postgres:// or sqlite:/// URL; anything else is an error."""
    parts = urlsplit(url)
    if parts.scheme in {"postgres", "postgresql"}:
        if not parts.path.strip("/"):
            raise ImproperlyConfigured("DATABASE_URL names no database")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            # The standing-rating subqueries cost enough for the JIT to kick in at national scale,
            # where compiling took half of the overview's SQL time (bench/pages.py, EXPLAIN ANALYZE).
            # Plans for SSD storage: with the default random_page_cost (4, for spinning disks) the
            # one-day counts of a province's few hundred products scanned all 25,000 ratings; with
            # 1.1 they look its products' ratings up, and a province page's SQL takes 15 ms, not 36.
            # A database host that does not answer fails a request (and /healthz) in 10 s, not after
            # the system's TCP timeout of minutes, past gunicorn's.
            "OPTIONS": {"options": "-c jit=off -c random_page_cost=1.1", "connect_timeout": 10},
        }
    if parts.scheme == "sqlite":
        # sqlite:///relative.db, sqlite:////absolute/path.db, sqlite:// (in memory), as SQLAlchemy reads them.
        return sqlite_database(unquote(parts.path)[1:] or ":memory:")
    raise ImproperlyConfigured(f"DATABASE_URL must start with postgres:// or sqlite:///, not {url!r}")


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-only-key"

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "core.apps.AdminConfig",  # django.contrib.admin on our site: strict parameters, scoped view_on_site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "simple_history",
    "django_tasks_db",
    "provinces",
    "core",
    "products",
    "targets",
    "imports",
    "accounts",
    "ocop_dashboard",
]

MIDDLEWARE = [
    # First, so it compresses what every other middleware has written. Django's, which pads each
    # compressed response with random bytes (BREACH mitigation), except for what is compressed already
    # (an .xlsx, an image); whitenoise's files arrive compressed already.
    "core.middleware.GZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: the first to see a view's exception (a wait for another writer that ran out, a database
    # that cannot be reached: 503s).
    "core.middleware.AnotherWriterMiddleware",
    "core.middleware.DatabaseUnreachableMiddleware",
]

ROOT_URLCONF = "ocop_dashboard.urls"
WSGI_APPLICATION = "ocop_dashboard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "accounts.context_processors.account",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(os.environ["DATABASE_URL"])
    if os.environ.get("DATABASE_URL")
    else sqlite_database(BASE_DIR / "db.sqlite3")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A second connection to the same database, through which a running import tells its progress
    # while it writes (imports.tasks.Progress): its own connection is then inside the write's
    # transaction, where no one else sees what it says. Each word commits at once and waits for a
    # row lock no longer than a writer would. The tests point it at their own database (MIRROR).
    # SQLite has none: a second connection would wait for the write lock the import holds.
    DATABASES[PROGRESS_DATABASE] = {
        **DATABASES["default"], "CONN_MAX_AGE": 0, "TEST": {"MIRROR": "default"},
        "OPTIONS": {**DATABASES["default"]["OPTIONS"],
                    "options": f"{DATABASES['default']['OPTIONS']['options']} -c lock_timeout={WRITE_WAIT_SECONDS}s"},
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# Login throttling: repeated failures lock one username from one address for a while. Locking by
# address alone would lock out a whole office behind one address for one clerk's typos.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "ocop_dashboard.auth.client_ip"
AXES_LOCKOUT_CALLABLE = "ocop_dashboard.auth.locked_out"

# The audit trail is read, never replayed: a rating restored from its history would bypass the
# decision it belongs to.
SIMPLE_HISTORY_REVERT_DISABLED = True

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "vi")
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
# Ours first (makemessages writes there), then the Vietnamese for packages that ship none.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_thirdparty"]
FORMAT_MODULE_PATH = ["ocop_dashboard.formats"]
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Empty counts as unset: an EnvironmentFile copied from .env.example has the line with no value.
        "BACKEND": (os.environ.get("STATICFILES_BACKEND") or "whitenoise.storage.CompressedManifestStaticFilesStorage")
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Imports run as tasks of Django's task framework, queued in the database and run by
# `manage.py run_worker` (db_worker with a heartbeat; a process of its own: `make run` starts one).
# TASKS_BACKEND may name django.tasks.backends.immediate.ImmediateBackend to run them inside the
# request instead (the tests do, but for those of the worker itself).
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# An import whose worker has said nothing for this long is taken for dead: marked failed, and it
# may be started again. On PostgreSQL the worker speaks while it writes too (every batch of rows,
# through DATABASES[PROGRESS_DATABASE]); on SQLite writing is one transaction in which nothing can
# be told, so this must also exceed the longest write there (a 60,000-row sheet writes in about a minute).
IMPORT_STALE_SECONDS = env_int("IMPORT_STALE_SECONDS", 600)

# The dashboard's computed figures, tables and charts, by register version (core.caching):
# files by default (a folder the server writes: /var/cache/ocop on a server), which no import's write
# lock on SQLite holds up, and which, unusable, only makes pages counted each time; for several app servers a
# shared one, e.g. CACHE_BACKEND=django.core.cache.backends.redis.RedisCache
# CACHE_LOCATION=redis://127.0.0.1:6379/1 (or Django's Memcached backend).
CACHE_BACKEND = os.environ.get("CACHE_BACKEND") or "core.cache.ForgivingFileBasedCache"
CULLED_CACHES = ("core.cache.", *(f"django.core.cache.backends.{kind}." for kind in ("filebased", "locmem", "db")))
CACHES = {
    "default": {
        "BACKEND": CACHE_BACKEND,
        "LOCATION": os.environ.get("CACHE_LOCATION") or str(BASE_DIR / "cache"),
        "TIMEOUT": 3600,
        # A bound for the caches Django culls itself (files, memory, a table); Redis and Memcached
        # have their own (maxmemory, -m), and their clients refuse this option.
        "OPTIONS": {"MAX_ENTRIES": 5000} if CACHE_BACKEND.startswith(CULLED_CACHES) else {},
    }
}

# /readyz answers 503 when no import worker (`manage.py run_worker`) has said it is alive for this
# long. A worker says so every eighth of it (15 s by default), from a thread of its own; on SQLite that
# thread waits while an import writes (the write lock), so keep this above the longest write there too.
WORKER_STALE_SECONDS = env_int("WORKER_STALE_SECONDS", 120, minimum=1)
# Uploaded sheets hold producers' phone numbers and tax codes: `manage.py purge_uploads` (run daily)
# deletes an import's file, and the rows read from it, this many days after its upload. The record,
# its counts and errors, and the audit trail's links to it stay.
UPLOAD_RETENTION_DAYS = env_int("UPLOAD_RETENTION_DAYS", 90, minimum=1)

# Strict CSP: our own scripts and styles only; plotly draws inline styles into its SVG.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

CSRF_FAILURE_VIEW = "core.errors.csrf_failure"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Health checks answer over plain HTTP too: a monitor or a container's check on the loopback, and
# the proxy's port 80, which passes /healthz through (deploy/nginx.conf), have no TLS to be sent to.
SECURE_REDIRECT_EXEMPT = [r"^(healthz|readyz)$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# Only a header: the domain joins browsers' preload lists only if its owner submits it.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS >= 31536000)
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None

LOGIN_URL = "admin:login"
# Dashboards need a login unless this is on; then the overview and province pages are open to all.
OCOP_PUBLIC_DASHBOARD = env_bool("OCOP_PUBLIC_DASHBOARD", False)

# E-mail (the weekly list of expiring certificates, manage.py send_expiring): printed to the console
# in development (DEBUG), through SMTP (EMAIL_HOST and the rest) otherwise, unless EMAIL_BACKEND names
# another. Django 6.1's MAILERS, read from the variables an operator knows (the EMAIL_* settings are deprecated).
EMAIL_BACKEND_PATH = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend"
)
SMTP_OPTIONS = {
    "host": os.environ.get("EMAIL_HOST") or "localhost",
    "port": env_int("EMAIL_PORT", 25, minimum=1),
    "username": os.environ.get("EMAIL_HOST_USER", ""),
    "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
    "use_tls": env_bool("EMAIL_USE_TLS", False),
}
MAILERS = {"default": {
    "BACKEND": EMAIL_BACKEND_PATH,
    "OPTIONS": SMTP_OPTIONS if EMAIL_BACKEND_PATH == "django.core.mail.backends.smtp.EmailBackend" else {},
}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or "ocop@localhost"
# The site's address, for links in e-mails (no request to take it from). Default: none, no links.
OCOP_SITE_URL = os.environ.get("OCOP_SITE_URL", "").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"without_traceback": {"()": "core.logs.WithoutTraceback"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "console_line": {"class": "logging.StreamHandler", "filters": ["without_traceback"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # A refused Host, an oversized form: one line each, not a traceback (scanners send many).
    "loggers": {"django.security": {"handlers": ["console_line"], "propagate": False}},
}
