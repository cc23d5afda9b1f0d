"""One settings module, driven by environment variables (see `.env.example`).

The defaults run the demo with nothing installed: DEBUG on, an SQLite file under `var/`,
a local-memory cache. With DEBUG off every secret must come from the environment.
"""

import base64
import hashlib
import importlib.util
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "demo-only-insecure-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",  # API tokens, stored as SHA-512 digests, with an expiry (accounts.tokens)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "simple_history",
    "csp",
    "axes",
    "config",
    "accounts",
    "agencies",
    "rankings",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.RequestIdMiddleware",
    "config.request_limits.RequestLimitsMiddleware",  # before anything reads the body
    "config.middleware.DatabaseUnavailableMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lockout into its page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "accounts.context_processors.password_reset",
            ],
            # Names and dates in the page's language, on every template without a {% load %}.
            "builtins": ["rankings.templatetags.languages"],
        },
    },
]

# An SQLite file under var/ (ignored by git) unless DATABASE_URL names another database.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
try:
    # Health checks drop a persistent connection that died with the server, so the site
    # recovers by itself when the database comes back.
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets readers (the import's progress polls, the public pages) run while a long
    # write holds the lock; IMMEDIATE takes the write lock at BEGIN, so two writers queue
    # instead of failing with "database is locked" when one upgrades its read lock.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable server answers the 503 page in seconds rather than hanging the worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"REDIS_URL={REDIS_URL!r} must start with redis://, rediss:// or unix://."
        )
    CACHES: dict[str, dict[str, Any]] = {
        "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # Each worker its own; room for the public pages' compressed bodies (Django's default
    # of 300 entries would evict a busy site's pages every few seconds).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
# Seconds a public page stays in the cache (rankings.public.page_cache); 0 turns the cache off.
# A new publication replaces the pages at once; this bounds how long an admin's edit of a
# name (or a deploy's new template) takes to show.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300)
if PAGE_CACHE_SECONDS < 0:
    raise ImproperlyConfigured(f"PAGE_CACHE_SECONDS={PAGE_CACHE_SECONDS} must be 0 or more.")

# Jobs (rankings.jobs): long work (an import's write, recomputes, cache warming, alert mails)
# goes to Celery on the deployment's Redis: CELERY_BROKER_URL, else REDIS_URL (best a DB of
# its own, e.g. redis://127.0.0.1:6379/1: emptying the page cache flushes the cache's DB).
# With neither (the demo, the tests) every job runs in-process when it is asked for, so
# nothing else has to be installed or started. docs/architecture.md, "Jobs".
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL
if CELERY_BROKER_URL and not CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured(
        f"CELERY_BROKER_URL={CELERY_BROKER_URL!r} must start with redis:// or rediss://."
    )
JOBS_IN_PROCESS = not CELERY_BROKER_URL
# Warming every page of a publication takes seconds to minutes: in-process (no worker) it
# would hold the publish request that long, so there it is recorded and skipped (pages
# fill on first read, one render per page) unless this is on.
JOBS_WARM_IN_PROCESS = env_bool("JOBS_WARM_IN_PROCESS", False)
CELERY_TASK_ALWAYS_EAGER = JOBS_IN_PROCESS
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a worker that dies mid-job leaves it queued for another
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # long jobs: one at a time per process
CELERY_TASK_IGNORE_RESULT = True  # the Job row is the result
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers an unacknowledged job after this; longer than the longest job.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("JOB_VISIBILITY_SECONDS", 3600)}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Proxies of ours in front of gunicorn (nginx: 1); config.client_ip reads the client's
# address from X-Forwarded-For past exactly these, for throttles, lockouts and the log.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if not 0 <= TRUSTED_PROXY_COUNT <= 5:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT={TRUSTED_PROXY_COUNT} must be 0 to 5.")

# django-axes watches every login (the site's and the admin's) and refuses a username + IP
# pair after LOGIN_FAILURE_LIMIT failures for LOGIN_LOCKOUT_MINUTES; ModelBackend logs in.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/login.html"  # the login page, with the lockout notice
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"  # behind nginx: the real client
AXES_VERBOSE = False  # the security log records sign-ins, failures and lockouts
if AXES_FAILURE_LIMIT < 1 or AXES_COOLOFF_TIME <= timedelta(0):
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_LOCKOUT_MINUTES must be 1 or more.")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a check: its password_changed hook ends the user's sessions (rankings.setup.users).
    {"NAME": "rankings.setup.users.EndSessionsOnPasswordChange"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Django 6 makes https the default scheme of URL form fields; evidence links are https.
FORMS_URLFIELD_ASSUME_HTTPS = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Request bodies (config.request_limits; deploy/nginx.conf's client_max_body_size agrees):
# 1 MB for forms and JSON, 11 MB where files are uploaded (evidence 10 MB, imports 5 MB,
# plus the multipart envelope and the form's other fields).
REQUEST_BODY_MAX_BYTES = 1 * 1024 * 1024
UPLOAD_BODY_MAX_BYTES = 11 * 1024 * 1024

# Files browsers ask for at the site's root (/favicon.ico), served by whitenoise.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
MEDIA_URL = "media/"
MEDIA_ROOT = BASE_DIR / "var" / "media"

# Production hardening; harmless in the demo because DEBUG turns it off.
# `manage.py check --deploy --fail-level WARNING` passes with DEBUG off
# (tests/config/test_security.py).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True  # only a directive: the list itself needs the domain submitted
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    # Behind a proxy that terminates TLS and sets this header (and strips the client's own).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"  # says "reload the form", in Vietnamese

# Sessions end SESSION_MAX_HOURS after sign-in whatever happens, and after
# SESSION_IDLE_MINUTES without a request (config.middleware.SessionTimeoutMiddleware).
SESSION_COOKIE_AGE = env_int("SESSION_MAX_HOURS", 8) * 3600
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_MINUTES", 30) * 60
if SESSION_COOKIE_AGE <= 0 or SESSION_IDLE_SECONDS <= 0:
    raise ImproperlyConfigured("SESSION_MAX_HOURS and SESSION_IDLE_MINUTES must be 1 or more.")


def _plotly_style_hashes() -> list[str]:
    """CSP hashes of the `<style>` elements plotly.js itself adds, read from its bundle.

    plotly.js appends an empty `<style>` and fills it through the CSSOM (which CSP does not
    govern), and MapLibre's fixed stylesheet as text. Allowing exactly these two contents
    by hash keeps `'unsafe-inline'` out of style-src; a new plotly.js gives new hashes.
    """
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise ImproperlyConfigured("plotly, a dependency, is not installed as a package.")
    bundle = Path(spec.submodule_search_locations[0]) / "package_data" / "plotly.min.js"
    source = bundle.read_text(encoding="utf-8") if bundle.exists() else ""
    literal = r"createElement\(\"style\"\)[^']{0,300}?\.textContent='([^'\\]*)'"
    contents = ["", *re.findall(literal, source)]
    digests = (hashlib.sha256(text.encode()).digest() for text in contents)
    return [f"'sha256-{base64.b64encode(digest).decode()}'" for digest in digests]


# Content-Security-Policy: our own scripts and styles only, no inline code, no framing.
# Charts embed their figure as a JSON data block (never executed) that static/js/charts.js
# draws; plotly.js's own style elements are allowed by hash. The API docs pages (Swagger
# UI, ReDoc) get a looser policy of their own (config.middleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, *_plotly_style_hashes()],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}


# The public read API under /api/v1/ (docs/api.md). Rates are "<number>/<second|minute|hour|day>".
def _throttle_rate(name: str, default: str) -> str:
    rate = env_str(name, default).strip()
    number, _, period = rate.partition("/")
    if not number.isdigit() or period not in {"second", "minute", "hour", "day"}:
        raise ImproperlyConfigured(
            f"{name}={rate!r} is not a rate; use <number>/<second|minute|hour|day>, e.g. 60/minute."
        )
    return rate


REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Tokens for integrations (`manage.py create_api_token <user>`, django-rest-knox), the
    # session for the site (with its CSRF check on every write).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.auth.TokenAuthentication",  # knox's; first: 401 + WWW-Authenticate
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",  # a body nested too deep is a 400, not a RecursionError
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AnonymousRate", "api.throttling.UserRate"],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,  # api.throttling asks config.client_ip itself
    "DEFAULT_THROTTLE_RATES": {
        "anon": _throttle_rate("API_THROTTLE_ANON", "120/minute"),
        "user": _throttle_rate("API_THROTTLE_USER", "600/minute"),
    },
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "COERCE_DECIMAL_TO_STRING": True,
}
# API tokens expire API_TOKEN_DAYS after they are made; `Authorization: Token <token>` as
# before. Only a SHA-512 digest and the first 15 characters are stored.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)
if not 1 <= API_TOKEN_DAYS <= 3650:
    raise ImproperlyConfigured(f"API_TOKEN_DAYS={API_TOKEN_DAYS} must be 1 to 3650.")
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,  # a token lasts its term, however often it is used
}
API_CACHE_MAX_AGE = env_int("API_CACHE_MAX_AGE", 300)
if API_CACHE_MAX_AGE < 0:
    raise ImproperlyConfigured(f"API_CACHE_MAX_AGE={API_CACHE_MAX_AGE} must be 0 or more.")
SPECTACULAR_SETTINGS = {
    "TITLE": "E-government ranking API",
    "DESCRIPTION": "Published rankings of state agencies on IT adoption and e-government. "
    "Published data: anonymous reads. The yearly cycle (scores, evidence, imports, "
    "transitions, publication): token or session, scoped by role. See docs/api.md.",
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # assets from drf-spectacular-sidecar, never a CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "RoundingEnum": "rankings.models.Rounding.choices",
        "BasisEnum": "rankings.models.Basis.choices",
        "CycleStateEnum": "rankings.models.CycleState.choices",
        "SubmissionStateEnum": "rankings.models.SubmissionState.choices",
    },
}

# Browsers may call the API only from the portal origins listed here (none by default).
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]

# The `security` logger writes one JSON object a line to stderr (rankings.security_log):
# sign-ins, lockouts, refusals, imports and publications, each with its request id.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "rankings.security_log.RequestIdFilter"}},
    "formatters": {"json": {"()": "rankings.security_log.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "security": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "security": {"handlers": ["security"], "level": "INFO", "propagate": False},
        # WeasyPrint logs every layout step at INFO; only its warnings are worth a line.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "config.staticfinders.PlotlyFinder",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# E-mail: SMTP when EMAIL_HOST is set, otherwise printed to the console (the demo).
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "xep-hang@localhost")
# Password reset by e-mail (accounts.views): on by default; off, the reset pages answer
# 404 and an administrator sets a new password (README, "Recovering an account").
PASSWORD_RESET_ENABLED = env_bool("PASSWORD_RESET_ENABLED", True)
PASSWORD_RESET_PER_ADDRESS = 3  # mails per e-mail address per window
PASSWORD_RESET_PER_CLIENT = 10  # requests per client address per window
PASSWORD_RESET_WINDOW_MINUTES = 60
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Embeds (rankings.embeds): the portal origins allowed to frame /nhung/… pages, sent as
# CSP `frame-ancestors 'self' <origins>` on those pages only; every other page keeps
# `frame-ancestors 'none'` and X-Frame-Options DENY. Each must be an origin, scheme://host[:port].
EMBED_ALLOWED_ORIGINS = env_list("EMBED_ALLOWED_ORIGINS", [])
for _origin in EMBED_ALLOWED_ORIGINS:
    if not re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:]+", _origin):
        raise ImproperlyConfigured(
            f"EMBED_ALLOWED_ORIGINS: {_origin!r} is not an origin like https://vinhphuc.gov.vn."
        )

# E-mail alerts (rankings.alerts): a confirmation link lasts ALERT_CONFIRM_HOURS; one
# confirmation at most per address per ALERT_CONFIRMATION_MINUTES; ALERT_SIGNUPS_PER_CLIENT
# sign-ups per client address per hour, then 429.
ALERT_CONFIRM_HOURS = env_int("ALERT_CONFIRM_HOURS", 48)
ALERT_CONFIRMATION_MINUTES = env_int("ALERT_CONFIRMATION_MINUTES", 15)
ALERT_SIGNUPS_PER_CLIENT = env_int("ALERT_SIGNUPS_PER_CLIENT", 10)
if min(ALERT_CONFIRM_HOURS, ALERT_CONFIRMATION_MINUTES, ALERT_SIGNUPS_PER_CLIENT) <= 0:
    raise ImproperlyConfigured(
        "ALERT_CONFIRM_HOURS, ALERT_CONFIRMATION_MINUTES and ALERT_SIGNUPS_PER_CLIENT "
        "must be 1 or more."
    )
