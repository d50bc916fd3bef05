"""Settings for Gongkai, driven by environment variables with safe defaults for a local run.

Environment:
- ``DATABASE_URL``: e.g. ``postgres://user@127.0.0.1:5432/gongkai``; default SQLite in ``var/``.
- ``SECRET_KEY``: required when ``DEBUG`` is off.
- ``DEBUG``: ``1``/``true`` for development (default on for a local run).
- ``ALLOWED_HOSTS``: comma-separated host names.
- ``GONGKAI_DB_POOL``: ``1`` for a pool of PostgreSQL connections per process (off), sized by
  ``GONGKAI_DB_POOL_MIN_SIZE`` (2) / ``GONGKAI_DB_POOL_MAX_SIZE`` (8), waiting at most
  ``GONGKAI_DB_POOL_TIMEOUT`` seconds (10) for a connection (docs/web-servers.md).
- ``REDIS_URL``: the cache shared by every process (default: one per process), its keys prefixed
  with ``GONGKAI_CACHE_PREFIX`` (``gongkai``), kept ``GONGKAI_CACHE_TIMEOUT`` seconds (300).
- ``GONGKAI_SESSIONS``: ``db`` (default) or ``cache`` (sessions read from Redis, written to both).
- ``GONGKAI_LOG_FORMAT``: ``text`` (default) or ``json`` (one object per line); ``LOG_LEVEL``
  (``INFO``). Every line names its request (``X-Request-ID``), person and agency.
- ``GONGKAI_VAR_DIR``: folder for the SQLite database and generated files (default ``var/``).
- ``GONGKAI_STORAGE``: where letters, uploads and case files are kept: ``local`` (default, under
  ``GONGKAI_MEDIA_ROOT``, itself ``var/media`` by default) or ``s3``, an S3-compatible object
  store (docs/storage.md) set by ``GONGKAI_S3_BUCKET`` (required), ``GONGKAI_S3_ENDPOINT_URL``,
  ``GONGKAI_S3_REGION``, ``GONGKAI_S3_ACCESS_KEY_ID`` / ``GONGKAI_S3_SECRET_ACCESS_KEY``
  (otherwise boto3's own chain: ``AWS_*`` variables, instance role), ``GONGKAI_S3_ADDRESSING_STYLE``
  (``path``, ``virtual`` or ``auto``; Aliyun OSS needs ``virtual``),
  ``GONGKAI_S3_SIGNATURE_VERSION`` (``s3v4``, default, or ``s3``) and ``GONGKAI_S3_PREFIX`` (a
  folder of keys in a shared bucket).
- ``GONGKAI_STORAGE_DOWNLOADS``: with ``s3``, how a checked download hands out the file:
  ``stream`` (default: through this server) or ``redirect`` to a signed URL of the object store,
  valid ``GONGKAI_STORAGE_URL_SECONDS`` (60).
- ``GONGKAI_UPLOAD_MAX_FILE_MB`` / ``GONGKAI_UPLOAD_MAX_TOTAL_MB`` / ``GONGKAI_UPLOAD_MAX_FILES``:
  limits of files uploaded to a case: per file (20), per submission (100), files per field (20).
- ``GONGKAI_UPLOAD_MAX_IMAGE_MP``: the most pixels of an uploaded image, in millions (50).
- ``GONGKAI_OLDER_IMPORT_MAX_ROWS`` / ``GONGKAI_OLDER_IMPORT_MAX_MB``: the largest spreadsheet of
  older documents imported at once (20,000 documents, 20 MB).
- ``GONGKAI_JOBS``: how long actions run in the background (``workflow.jobs``): ``thread``
  (default), ``inline``, ``queue`` for a ``manage.py run_jobs`` worker, or ``celery`` for
  ``celery -A config worker`` (with ``celery -A config beat`` for the periodic work).
- ``GONGKAI_JOB_STALE_MINUTES``: a job still running after this long is taken as cut off (120);
  keep it above the longest job. ``GONGKAI_JOB_RESEND_MINUTES``: a queued job not handed on to its
  runner for this long is handed on again (10).
- ``CELERY_BROKER_URL``: the Celery broker, ``redis://…`` or ``amqp://…`` (default ``REDIS_URL``;
  required with ``GONGKAI_JOBS=celery``). ``GONGKAI_CELERY_QUEUE``: the queue's name (``gongkai``).
- ``REDIS_URL``: the cache shared by the processes (job progress), and the default broker.
- ``SECURE_SSL_REDIRECT`` / ``SECURE_HSTS_SECONDS`` / ``SECURE_HSTS_INCLUDE_SUBDOMAINS``: HTTPS
  only, on by default when ``DEBUG`` is off (HSTS one year).
- ``GONGKAI_PROXY_SSL_HEADER``: behind a reverse proxy that terminates HTTPS, the header it sets,
  e.g. ``X-Forwarded-Proto``; the client's address is then read from ``X-Forwarded-For``.
- ``GONGKAI_SESSION_IDLE_MINUTES``: log out after this many minutes without a request (30).
- ``GONGKAI_LOGIN_FAILURE_LIMIT`` / ``GONGKAI_LOGIN_FAILURE_LIMIT_PER_ADDRESS`` /
  ``GONGKAI_LOGIN_LOCKOUT_MINUTES``: wrong passwords before an account (5) or an address (30) is
  locked, and for how long (15 minutes).
- ``GONGKAI_PUBLIC_APPLY_PER_ADDRESS_HOUR`` / ``GONGKAI_PUBLIC_APPLY_PER_IDENTITY_DAY``: online
  applications on the public form from one address per hour (10), and for one identity (resident
  ID number or credit code) per day (5); ``GONGKAI_PUBLIC_APPLY_ATTEMPTS_PER_ADDRESS_HOUR``: posts
  of the form, failed ones included, from one address per hour (60). Over a limit: the 429 page.
- ``GONGKAI_PUBLIC_URL``: the public side's address as the public reaches it, e.g.
  ``https://gongkai.example.gov.cn``: a published guide writes out the online application's
  address with it (default: the address the publishing officer's browser used).
- ``EMAIL_HOST`` (with ``EMAIL_PORT``, ``EMAIL_HOST_USER``, ``EMAIL_HOST_PASSWORD``,
  ``EMAIL_USE_TLS``, ``DEFAULT_FROM_EMAIL``): mail server; without it there is no password reset
  by e-mail (an administrator sets a new password).
"""

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GONGKAI_VAR_DIR", BASE_DIR / "var"))
HOLIDAYS_DIR = BASE_DIR / "holidays"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int, environ: Mapping[str, str] = os.environ) -> int:
    value = environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_choice(name: str, choices: tuple[str, ...], environ: Mapping[str, str] = os.environ) -> str:
    """The variable's value, one of ``choices`` (the first when it is unset)."""
    value = environ.get(name, "").strip().lower() or choices[0]
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be {' or '.join(choices)}, not {value!r}.")
    return value


def file_storage(environ: Mapping[str, str]) -> dict:
    """``STORAGES["default"]`` for the variables ``environ`` (the module docstring lists them):
    local disk, or django-storages' S3 backend (boto3) on an S3-compatible object store."""
    if env_choice("GONGKAI_STORAGE", ("local", "s3"), environ) == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    bucket = environ.get("GONGKAI_S3_BUCKET", "").strip()
    if not bucket:
        raise ImproperlyConfigured("GONGKAI_S3_BUCKET must be set when GONGKAI_STORAGE is s3.")
    addressing = env_choice("GONGKAI_S3_ADDRESSING_STYLE", ("auto", "path", "virtual"), environ)
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": environ.get("GONGKAI_S3_ENDPOINT_URL", "").strip() or None,
            "region_name": environ.get("GONGKAI_S3_REGION", "").strip() or None,
            "access_key": environ.get("GONGKAI_S3_ACCESS_KEY_ID") or None,
            "secret_key": environ.get("GONGKAI_S3_SECRET_ACCESS_KEY") or None,
            "addressing_style": None if addressing == "auto" else addressing,
            "signature_version": env_choice(
                "GONGKAI_S3_SIGNATURE_VERSION", ("s3v4", "s3"), environ
            ),
            "location": environ.get("GONGKAI_S3_PREFIX", "").strip().strip("/"),
            # Names are chosen free (``get_available_name``) like on disk: a new file never
            # replaces another one of the same name.
            "file_overwrite": False,
            # Private objects: files are only handed out through the checked views.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env_int("GONGKAI_STORAGE_URL_SECONDS", 60, environ),
            # A file read whole (the case file's parts) stays in memory up to 5 MB, then spills
            # to a temporary file.
            "max_memory_size": 5 * 1024 * 1024,
        },
    }


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "gongkai-local-development-only-not-secret"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "workflow.middleware.csrf_failure"

INSTALLED_APPS = [
    "workflow",
    "workflow.letters",
    "requests_app",
    "attributes_app",
    "viewflow",
    "viewflow.workflow",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "workflow.apps.LoginThrottleConfig",  # django-axes
    "csp",
    # The public form's CAPTCHA: images drawn by this server under /public/captcha/.
    "captcha",
]

MIDDLEWARE = [
    # First: every later line of the log names the request (workflow.request_context).
    "workflow.request_context.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The public side (/public/): no staff session there, its own 429 page (workflow.public).
    "workflow.public.middleware.PublicSiteMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "workflow.middleware.StripNulFromQueryMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "workflow.middleware.PagesCSPMiddleware",
    # An API client's account never opens a page, even with a session (workflow.api); after the
    # security headers' middleware, so that its 403 page carries them.
    "workflow.middleware.NoApiClientSessionMiddleware",
    # A service's NotAllowed / Stale that no view turned into a form error: the 403 / 409 page.
    "workflow.middleware.ServiceErrorMiddleware",
    # After the others, so that it turns a lockout flagged during the login view into the lockout
    # page.
    "axes.middleware.AxesMiddleware",
    # Last, so that it sees the views' exceptions first: "database is locked" is a 503 in Chinese.
    "workflow.middleware.DatabaseBusyMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

_default_sqlite = VAR_DIR / "gongkai.sqlite3"
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{_default_sqlite}", conn_max_age=60, conn_health_checks=True
    )
}
# PostgreSQL: a pool of connections per process, shared by its threads (Django's pool, psycopg 3),
# instead of one connection kept per thread. Off by default; the pool needs CONN_MAX_AGE 0.
# Each process holds up to GONGKAI_DB_POOL_MAX_SIZE connections: processes × that stays below the
# server's max_connections (docs/web-servers.md).
if env_bool("GONGKAI_DB_POOL", False):
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("GONGKAI_DB_POOL needs PostgreSQL (DATABASE_URL=postgres://…).")
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("GONGKAI_DB_POOL_MIN_SIZE", 2),
        "max_size": env_int("GONGKAI_DB_POOL_MAX_SIZE", 8),
        # Seconds a request waits for a free connection before it fails.
        "timeout": env_int("GONGKAI_DB_POOL_TIMEOUT", 10),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so two officers completing the same
    # task queue up instead of failing with "database is locked" half-way through (see docs).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"),
    }
    # A file (not memory) so live-server and concurrency tests share it; one per process so two
    # test runs on one machine do not trample each other.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-gongkai-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Login throttling (django-axes, workflow.throttling), on the site's and the admin's login alike.
# The records are in the database, so every process and server counts the same failures.
AXES_HANDLER = "workflow.throttling.LoginThrottle"
AXES_FAILURE_LIMIT = env_int("GONGKAI_LOGIN_FAILURE_LIMIT", 5)
GONGKAI_LOGIN_FAILURE_LIMIT_PER_ADDRESS = env_int("GONGKAI_LOGIN_FAILURE_LIMIT_PER_ADDRESS", 30)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("GONGKAI_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "workflow.throttling.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Apache ECharts from the npm registry (package.json, `make static-deps`), one file served as
# the site's own: no CDN (workflow.vendor_static).
GONGKAI_VENDOR_STATIC = {
    "vendor/echarts/echarts.min.js": BASE_DIR / "node_modules/echarts/dist/echarts.min.js",
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "workflow.vendor_static.VendorFileFinder",
]
MEDIA_ROOT = Path(os.environ.get("GONGKAI_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"  # never served publicly: case files are downloaded through checked views
# Letters, uploads and case files: local disk (MEDIA_ROOT) or an S3-compatible object store
# (GONGKAI_STORAGE=s3, docs/storage.md). Downloads always pass the checked views; with s3 they
# stream the object or redirect to a short-lived signed URL (GONGKAI_STORAGE_DOWNLOADS).
STORAGES = {
    "default": file_storage(os.environ),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
GONGKAI_STORAGE_DOWNLOADS = env_choice("GONGKAI_STORAGE_DOWNLOADS", ("stream", "redirect"))
if GONGKAI_STORAGE_DOWNLOADS == "redirect" and "OPTIONS" not in STORAGES["default"]:
    raise ImproperlyConfigured("GONGKAI_STORAGE_DOWNLOADS=redirect needs GONGKAI_STORAGE=s3.")
GONGKAI_STORAGE_URL_SECONDS = env_int("GONGKAI_STORAGE_URL_SECONDS", 60)
if GONGKAI_STORAGE_URL_SECONDS < 1:
    raise ImproperlyConfigured("GONGKAI_STORAGE_URL_SECONDS must be at least 1.")

# Files uploaded to a case (requests_app.uploads). A reverse proxy in front should accept request
# bodies of at least GONGKAI_UPLOAD_MAX_TOTAL_MB (nginx: client_max_body_size).
GONGKAI_UPLOAD_MAX_FILE_MB = env_int("GONGKAI_UPLOAD_MAX_FILE_MB", 20)
GONGKAI_UPLOAD_MAX_TOTAL_MB = env_int("GONGKAI_UPLOAD_MAX_TOTAL_MB", 100)
GONGKAI_UPLOAD_MAX_FILES = env_int("GONGKAI_UPLOAD_MAX_FILES", 20)
# The limits are kept while the request is received (workflow.upload_limits), not only after.
FILE_UPLOAD_HANDLERS = [
    "workflow.upload_limits.LimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Images (JPEG, PNG) of at most this many million pixels: read from the header at upload.
GONGKAI_UPLOAD_MAX_IMAGE_MP = env_int("GONGKAI_UPLOAD_MAX_IMAGE_MP", 50)

# The spreadsheet of older documents (attributes_app.older_import): checked row by row on the page,
# imported in one transaction by a background job.
GONGKAI_OLDER_IMPORT_MAX_ROWS = env_int("GONGKAI_OLDER_IMPORT_MAX_ROWS", 20_000)
GONGKAI_OLDER_IMPORT_MAX_MB = env_int("GONGKAI_OLDER_IMPORT_MAX_MB", 20)

# The public online application (requests_app.public.apply): its rate limits, and its CAPTCHA
# (django-simple-captcha): four capital letters without the ones read as digits or as each other,
# large, with a light noise; a challenge lives an hour (a long form takes time to fill in).
GONGKAI_PUBLIC_APPLY_PER_ADDRESS_HOUR = env_int("GONGKAI_PUBLIC_APPLY_PER_ADDRESS_HOUR", 10)
GONGKAI_PUBLIC_APPLY_PER_IDENTITY_DAY = env_int("GONGKAI_PUBLIC_APPLY_PER_IDENTITY_DAY", 5)
GONGKAI_PUBLIC_APPLY_ATTEMPTS_PER_ADDRESS_HOUR = env_int(
    "GONGKAI_PUBLIC_APPLY_ATTEMPTS_PER_ADDRESS_HOUR", 60
)
GONGKAI_PUBLIC_URL = os.environ.get("GONGKAI_PUBLIC_URL", "").strip().rstrip("/")
if GONGKAI_PUBLIC_URL and not GONGKAI_PUBLIC_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("GONGKAI_PUBLIC_URL must start with https:// (or http://).")
CAPTCHA_CHALLENGE_FUNCT = "requests_app.public.captcha.readable_challenge"
CAPTCHA_LENGTH = 4
CAPTCHA_FONT_SIZE = 34
CAPTCHA_IMAGE_SIZE = (150, 50)
CAPTCHA_LETTER_ROTATION = (-12, 12)
CAPTCHA_NOISE_FUNCTIONS = ("captcha.helpers.noise_dots",)
CAPTCHA_FOREGROUND_COLOR = "#1a1a1a"
CAPTCHA_TIMEOUT = 60
CAPTCHA_2X_IMAGE = True

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# One cache per process by default. With several processes or servers, REDIS_URL: what they share
# (a job's progress, sessions with GONGKAI_SESSIONS=cache) goes through Redis.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "gongkai",
    }
}
if os.environ.get("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        # Several systems (or two installations) may share one Redis.
        "KEY_PREFIX": os.environ.get("GONGKAI_CACHE_PREFIX", "gongkai"),
        "TIMEOUT": env_int("GONGKAI_CACHE_TIMEOUT", 300),
        # A Redis that is down answers within seconds, not never (pages, /healthz).
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
    }

VIEWFLOW = {}

# The API (/api/v1/, docs/api.md): JSON only, token per client (workflow.api), one error shape.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["workflow.api.auth.ClientTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["workflow.api.permissions.NeedsScope"],
    "DEFAULT_THROTTLE_CLASSES": ["workflow.api.throttling.ClientRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "workflow.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "workflow.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_VERSIONING_CLASS": None,
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "公开 · 政府信息公开工作系统接口",
    "DESCRIPTION": (
        "供办公自动化（OA）系统、政府网站内容管理系统、热线和省级平台调用的接口。"
        "每个接口客户端属于一个机关，只能读写本机关的数据；令牌放在 Authorization: Bearer 头中。"
        "错误统一为 {code, message, fields}。接入说明见 docs/api.md。"
    ),
    "VERSION": "v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Docstrings are English, for developers; the API's descriptions are Chinese, given with
    # extend_schema(summary=…, description=…) (tests/api/test_schema.py).
    "DISABLE_DOCSTRING_DESCRIPTIONS": True,
    # One name for one choice set used by several endpoints (a document's attribute …).
    "ENUM_NAME_OVERRIDES": {
        "AttributeEnum": "attributes_app.models.Attribute",
        "ClockEventKindEnum": "workflow.api.calendar.EVENT_KIND_CHOICES",
        "DayReasonEnum": "workflow.api.calendar.DAY_REASON_CHOICES",
        "DocumentKindEnum": "attributes_app.api.serializers.DOCUMENT_KINDS",
    },
}
# Calls to the public endpoints (the calendar) per address, and how long idempotency keys are kept.
GONGKAI_API_ANONYMOUS_RATE = os.environ.get("GONGKAI_API_ANONYMOUS_RATE", "120/min")
GONGKAI_API_IDEMPOTENCY_DAYS = env_int("GONGKAI_API_IDEMPOTENCY_DAYS", 7)
# Webhooks (workflow.webhooks): the key the endpoints' signing secrets are derived from (empty:
# SECRET_KEY; changing it changes every secret), the timeout of one POST, the tries and the first
# back-off (doubled at each try: 1, 2, 4 … minutes), and whether loopback addresses may receive
# (only for tests and a receiver on the same host).
GONGKAI_WEBHOOK_KEY = os.environ.get("GONGKAI_WEBHOOK_KEY", "")
GONGKAI_WEBHOOK_TIMEOUT = env_int("GONGKAI_WEBHOOK_TIMEOUT", 10)
GONGKAI_WEBHOOK_ATTEMPTS = env_int("GONGKAI_WEBHOOK_ATTEMPTS", 8)
GONGKAI_WEBHOOK_BACKOFF = env_int("GONGKAI_WEBHOOK_BACKOFF", 60)
GONGKAI_WEBHOOK_ALLOW_LOOPBACK = os.environ.get("GONGKAI_WEBHOOK_ALLOW_LOOPBACK", "") == "1"
# The certificate authorities (a PEM file) trusted for https receivers besides the system's: an
# agency's own CA on its intranet.
GONGKAI_WEBHOOK_CA_FILE = os.environ.get("GONGKAI_WEBHOOK_CA_FILE", "")

# Background jobs (workflow.jobs): long actions such as opening a yearly review, and outbound
# work tried again until it gets through.
GONGKAI_JOBS = os.environ.get("GONGKAI_JOBS", "thread")
if GONGKAI_JOBS not in {"thread", "inline", "queue", "celery"}:
    raise ImproperlyConfigured("GONGKAI_JOBS must be thread, inline, queue or celery.")
# A job still "running" after this long is taken as cut off: longer than the longest job.
GONGKAI_JOB_STALE_MINUTES = env_int("GONGKAI_JOB_STALE_MINUTES", 120)
# A queued job not handed on for this long (a broker down at the commit) is handed on again.
GONGKAI_JOB_RESEND_MINUTES = env_int("GONGKAI_JOB_RESEND_MINUTES", 10)

# Celery (config.celery), for GONGKAI_JOBS=celery and `celery -A config beat`. The Job row is the
# record of truth; the broker only carries "run job N". A message is acknowledged when its task
# has ended and handed on again when its worker process was lost; one message at a time per
# worker process; no result backend.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL", "")
if GONGKAI_JOBS == "celery" and not CELERY_BROKER_URL:
    raise ImproperlyConfigured("GONGKAI_JOBS=celery needs CELERY_BROKER_URL (or REDIS_URL).")
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("GONGKAI_CELERY_QUEUE", "gongkai")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A page that submits a job while the broker is down does not wait long: the job stays queued and
# the sweeper sends it again (workflow.jobs.resend_lost).
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
# Redis hands an unacknowledged message to another worker after the visibility timeout: it must
# be longer than the longest job (and the longest retry back-off, which the stale limit caps).
GONGKAI_CELERY_VISIBILITY_TIMEOUT = (GONGKAI_JOB_STALE_MINUTES + 30) * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": GONGKAI_CELERY_VISIBILITY_TIMEOUT}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Deadlines are whole days; once a minute is plenty. A tick not run within the minute is
    # dropped (the next one fires the same timers).
    "fire-due-timers": {
        "task": "workflow.fire_timers",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "sweep-jobs": {"task": "workflow.sweep_jobs", "schedule": 60.0, "options": {"expires": 55}},
    # Each agency's open cases in a task of its own (requests_app.tasks).
    "refresh-deadlines": {
        "task": "requests_app.refresh_deadlines",
        "schedule": crontab(minute=5, hour=0),
    },
    "sweep-leftovers": {"task": "requests_app.sweep_leftovers", "schedule": crontab(minute=17)},
    # The annual report's counts kept for the supervisors' overviews (annual_report.tally_store).
    "keep-report-tallies": {
        "task": "requests_app.keep_report_tallies",
        "schedule": crontab(minute=35, hour=0),
    },
    # The API's idempotency keys older than GONGKAI_API_IDEMPOTENCY_DAYS (workflow.api).
    "forget-idempotency-keys": {
        "task": "workflow.forget_idempotency_keys",
        "schedule": crontab(minute=45, hour=0),
    },
}

# Logs on standard error: plain text, or one JSON object per line (GONGKAI_LOG_FORMAT=json). Every
# line carries the request's id (also in the X-Request-ID response header and gunicorn's access
# log), the person and their agencies (workflow.request_context).
GONGKAI_LOG_FORMAT = os.environ.get("GONGKAI_LOG_FORMAT", "text")
if GONGKAI_LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured("GONGKAI_LOG_FORMAT must be text or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "workflow.request_context.ContextFilter"}},
    "formatters": {
        "text": {"()": "workflow.request_context.TextFormatter"},
        "json": {"()": "workflow.request_context.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": GONGKAI_LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Failed logins and lockouts are warnings; every successful login is not news.
        "axes": {"level": "WARNING"},
    },
}

# Sessions end when the browser closes, and after GONGKAI_SESSION_IDLE_MINUTES without a request
# (each request moves the expiry on).
SESSION_COOKIE_AGE = env_int("GONGKAI_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Sessions: in the database (default); GONGKAI_SESSIONS=cache reads them from Redis and writes
# both ("cached_db"). Not with a per-process cache: another process would still hold a session
# that was logged out.
GONGKAI_SESSIONS = os.environ.get("GONGKAI_SESSIONS", "db")
if GONGKAI_SESSIONS not in {"db", "cache"}:
    raise ImproperlyConfigured("GONGKAI_SESSIONS must be db or cache.")
if GONGKAI_SESSIONS == "cache":
    if not os.environ.get("REDIS_URL"):
        raise ImproperlyConfigured("GONGKAI_SESSIONS=cache needs REDIS_URL.")
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Password reset by e-mail only where a mail server is configured (config.site).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
GONGKAI_PASSWORD_RESET_BY_EMAIL = bool(EMAIL_HOST)
if EMAIL_HOST:
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")

# Content Security Policy (django-csp): scripts only from the site's own static files, never
# inline; styles may be inline (the Material frontend and the templates use style attributes).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# HTTPS: on by default in production (DEBUG off), each setting overridable from the environment.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Load balancers often probe over plain HTTP; /healthz answers there instead of redirecting.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
_proxy_ssl_header = os.environ.get("GONGKAI_PROXY_SSL_HEADER", "").strip()
if _proxy_ssl_header:
    # Only behind a proxy that sets this header itself and strips it from what clients send.
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    AXES_IPWARE_PROXY_COUNT = env_int("GONGKAI_PROXY_COUNT", 1)
else:
    # Without a proxy a client could write any X-Forwarded-For and escape the address limit.
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
