"""One settings module, driven by environment variables.

SQLite under ./var by default; PostgreSQL when DATABASE_URL is set; Redis-backed
Huey when REDIS_URL is set. Nothing here reads anything but the environment.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("OPSQM_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("OPSQM_DEBUG", False)
# Production mode (README "Production settings"): a real secret key is required, HTTPS is enforced.
PRODUCTION = env_bool("OPSQM_PRODUCTION", False)
_DEV_SECRET_KEY = "dev-only-insecure-key-change-me-for-production-use"  # nosec B105 # development default; refused in production below
SECRET_KEY = os.environ.get("OPSQM_SECRET_KEY", "").strip() or _DEV_SECRET_KEY
if PRODUCTION and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "生产模式（OPSQM_PRODUCTION=1）必须设置 OPSQM_SECRET_KEY：至少 50 个字符的随机字符串，"
        "例如 python -c 'import secrets; print(secrets.token_urlsafe(64))' 的输出。"
        " / Production mode requires OPSQM_SECRET_KEY (a random string of at least 50 characters)."
    )
if PRODUCTION and DEBUG:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("生产模式下不能开启 OPSQM_DEBUG。 / OPSQM_DEBUG must be off in production mode.")
ALLOWED_HOSTS = [h for h in os.environ.get("OPSQM_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("OPSQM_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
CSRF_FAILURE_VIEW = "opsqm.errors.csrf_failure"
# Under pytest: immediate background jobs, fast password hashing.
TESTING = env_bool("OPSQM_TESTING", False) or "pytest" in sys.modules

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
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "huey.contrib.djhuey",
    "opsqm.records",
    "opsqm.accounts",
    "opsqm.org",
    "opsqm.jobs",
    "opsqm.tickets",
    "opsqm.kpis",
    "opsqm.checklists",
    "opsqm.audits",
    "opsqm.findings",
    "opsqm.surveys",
    "opsqm.notifications",
    "opsqm.dashboards",
    "opsqm.api",
    "opsqm.plans",
    "opsqm.quarterly",
    "opsqm.documents",
    "opsqm.reviews",
    "opsqm.archive",
    "opsqm.help",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "opsqm.accounts.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "opsqm.accounts.middleware.AccountStillAllowedMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "opsqm.records.middleware.AuditContextMiddleware",
    "opsqm.records.middleware.EditConflictMiddleware",
    "axes.middleware.AxesMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "opsqm.urls"
WSGI_APPLICATION = "opsqm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "opsqm" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "opsqm.navigation.navigation",
                "opsqm.notifications.context_processors.bell",
            ],
        },
    },
]


def _database_config() -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        cfg = dj_database_url.parse(url, conn_max_age=int(os.environ.get("OPSQM_CONN_MAX_AGE", "60")))
        return cfg
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("OPSQM_SQLITE_PATH", str(VAR_DIR / "opsqm.sqlite3")),
        # IMMEDIATE avoids SQLITE_BUSY upgrades from read to write inside a transaction;
        # WAL and the busy timeout let the web server and the worker share the file.
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        },
    }


DATABASES = {"default": _database_config()}
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if TESTING
    else ["django.contrib.auth.hashers.PBKDF2PasswordHasher", "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher"]
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboards:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lock an account+IP pair after 5 failures for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("OPSQM_AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("OPSQM_AXES_ENABLED", True)

FORMAT_MODULE_PATH = ["opsqm.formats"]
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "opsqm" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "opsqm" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("OPSQM_MEDIA_ROOT", VAR_DIR / "media"))
# A copy of the audit trail's newest anchor, outside the database (records/trail.py). Off in tests
# unless a test sets it.
AUDIT_ANCHOR_FILE = os.environ.get("OPSQM_AUDIT_ANCHOR_FILE", "" if TESTING else str(VAR_DIR / "audit-anchor.json"))
MEDIA_URL = "/media/"  # never served directly: files go through access-checked views
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
OPSQM_MAX_UPLOAD_BYTES = int(os.environ.get("OPSQM_MAX_UPLOAD_BYTES", str(200 * 1024 * 1024)))
OPSQM_MAX_EVIDENCE_BYTES = int(os.environ.get("OPSQM_MAX_EVIDENCE_BYTES", str(20 * 1024 * 1024)))
# The one upload gate (opsqm/records/uploads.py): report templates, archives and OOXML contents.
OPSQM_MAX_TEMPLATE_BYTES = int(os.environ.get("OPSQM_MAX_TEMPLATE_BYTES", str(10 * 1024 * 1024)))
OPSQM_UPLOAD_MAX_UNPACKED_BYTES = int(os.environ.get("OPSQM_UPLOAD_MAX_UNPACKED_BYTES", str(1024**3)))
OPSQM_UPLOAD_MAX_PART_BYTES = int(os.environ.get("OPSQM_UPLOAD_MAX_PART_BYTES", str(512 * 1024 * 1024)))
OPSQM_UPLOAD_MAX_RATIO = int(os.environ.get("OPSQM_UPLOAD_MAX_RATIO", "100"))
OPSQM_UPLOAD_MAX_ENTRIES = int(os.environ.get("OPSQM_UPLOAD_MAX_ENTRIES", "1000"))
OPSQM_UPLOAD_MAX_CELL_CHARS = int(os.environ.get("OPSQM_UPLOAD_MAX_CELL_CHARS", "32767"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("OPSQM_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HTTPS (production defaults; each can be overridden). Behind the documented reverse proxy, which
# terminates TLS and sets X-Forwarded-Proto; the proxy must overwrite that header from clients.
SECURE_SSL_REDIRECT = env_bool("OPSQM_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("OPSQM_HSTS_SECONDS", str(31536000 if PRODUCTION else 0)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("OPSQM_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("OPSQM_HSTS_PRELOAD", PRODUCTION)
if env_bool("OPSQM_BEHIND_PROXY", PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

EMAIL_BACKEND = os.environ.get("OPSQM_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("OPSQM_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("OPSQM_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("OPSQM_FROM_EMAIL", "opsqm@localhost")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "opsqm.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "opsqm.api.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "opsqm API",
    "DESCRIPTION": "运维服务质量管理系统 REST API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per shared choice set (keeps `check --deploy` free of schema warnings).
    "ENUM_NAME_OVERRIDES": {
        "SlaStatusEnum": "opsqm.tickets.models.SlaStatus",
        "AuditKindEnum": "opsqm.audits.models.AuditKind",
        "ChecklistKindEnum": "opsqm.checklists.models.ChecklistKind",
        "QualityPlanStatusEnum": "opsqm.plans.models.PlanStatus",
    },
}

REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": os.environ.get("OPSQM_HUEY_NAME", "opsqm"),
        "url": REDIS_URL,
        "immediate": TESTING,
        "consumer": {"workers": int(os.environ.get("OPSQM_WORKERS", "2")), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "opsqm",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": TESTING,
        "consumer": {"workers": int(os.environ.get("OPSQM_WORKERS", "2")), "worker_type": "thread"},
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("OPSQM_LOG_LEVEL", "WARNING")},
}

# Content-Security-Policy (django-csp): no inline script, no eval, nothing from other sites.
# Page JS lives in opsqm/static/<app>/*.js with data from json_script; htmx runs with
# allowEval=false (templates/base.html). Styles still allow inline style attributes and a few
# <style> blocks in templates; scripts never.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    },
}

# Public survey pages (opsqm.surveys.public): rate limits through django-ratelimit. The counters live
# in Redis when REDIS_URL is set (shared by every web worker and machine); otherwise in each worker's
# memory, so the effective limit is the rate times the number of web workers.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "opsqm-ratelimit"}
    ),
}
RATELIMIT_USE_CACHE = "ratelimit"
OPSQM_SURVEY_RATE_IP = os.environ.get("OPSQM_SURVEY_RATE_IP", "300/m")
OPSQM_SURVEY_RATE_TOKEN = os.environ.get("OPSQM_SURVEY_RATE_TOKEN", "20/m")
# Absolute base of links in survey emails, QR codes and printed sheets (e.g. https://qm.example.com).
# Default: the address `make run` serves on; set it to the public address in production.
OPSQM_PUBLIC_BASE_URL = os.environ.get("OPSQM_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
