"""One settings module, driven by the environment (docs/architecture.md §2).

Read: DATABASE_URL (SQLite by default), REDIS_URL (optional), SECRET_KEY, DEBUG, ALLOWED_HOSTS,
FIELD_ENCRYPTION_KEY / AUDIT_HMAC_KEY / BLIND_INDEX_KEY (hex; derived from SECRET_KEY in
development), RENDA_PRODUCTION (turns on HTTPS-only cookies and HSTS).
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")
DEBUG = env_bool("DEBUG", False)
PRODUCTION = env_bool("RENDA_PRODUCTION", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise RuntimeError("SECRET_KEY must be set when RENDA_PRODUCTION is on")
    # Development only: a fixed key so that sessions survive a restart of `make run`.
    SECRET_KEY = "dev-insecure-" + "x" * 50

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")


def _derived_key(name: str, purpose: str) -> bytes:
    """Keys for SM4 field encryption, the blind index and the audit chain.

    Production sets them explicitly (hex, 32 characters = 128 bits); development derives them
    from SECRET_KEY so that a newcomer needs no configuration.
    """
    value = os.environ.get(name)
    if value:
        return bytes.fromhex(value)
    if PRODUCTION:
        raise RuntimeError(f"{name} must be set when RENDA_PRODUCTION is on")
    return hashlib.sha256(f"{purpose}:{SECRET_KEY}".encode()).digest()[:16]


FIELD_ENCRYPTION_KEY = _derived_key("FIELD_ENCRYPTION_KEY", "field-encryption")
BLIND_INDEX_KEY = _derived_key("BLIND_INDEX_KEY", "blind-index")
AUDIT_HMAC_KEY = _derived_key("AUDIT_HMAC_KEY", "audit-chain")
# Signed checkpoints of the audit chain, appended outside the database (core/anchors.py). In
# production a directory the application's database role cannot touch, append-only
# (docs/deploy.md); tests set their own file where they need one.
AUDIT_CHECKPOINT_PATH = os.environ.get(
    "AUDIT_CHECKPOINT_PATH", "" if TESTING else str(BASE_DIR / "var" / "audit-checkpoints.jsonl")
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "huey.contrib.djhuey",
    "ninja",  # serves the API docs' Swagger UI from its own static files, not a CDN
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "renda.core",
    "renda.accounts",
    "renda.deputies",
    "renda.meetings",
    "renda.documents",
    "renda.stations",
    "renda.suggestions",
    "renda.budget",
    "renda.exams",
    "renda.livelihood",
    "renda.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "renda.core.middleware.InputCleaningMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "renda.core.middleware.PrivatePagesMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "renda.accounts.middleware.SessionLifetimeMiddleware",
    "renda.accounts.middleware.SecurityGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "renda.core.middleware.ClientIPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "renda.urls"
WSGI_APPLICATION = "renda.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "renda" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "renda.core.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several workers (web + Huey) share the file; WAL and a busy timeout avoid "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # must come first (django-axes)
    "renda.accounts.backends.UsernameOrMobileBackend",
]
PASSWORD_HASHERS = [
    "renda.accounts.hashers.PBKDF2SM3PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Hashing at full strength costs ~0.3 s per password; tests create hundreds of users.
    PASSWORD_HASHERS = ["renda.accounts.hashers.FastPBKDF2SM3PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "renda.accounts.validators.ComplexityValidator",
        "OPTIONS": {"min_length": 8, "min_classes": 3},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:workbench"
LOGOUT_REDIRECT_URL = "portal:home"

# 等保 level 3: password age for staff, idle and absolute session limits (reference §3.1, §4.3).
PASSWORD_MAX_AGE_DAYS = int(os.environ.get("PASSWORD_MAX_AGE_DAYS", "90"))
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", "1800"))
# The idle expiry slides with use, but a logged-in session is written back at most once a
# minute (accounts.middleware.SessionLifetimeMiddleware) rather than on every request: saving
# it each time cost every page, exam save and ballot a database write and a commit. The idle
# limit is therefore 30 minutes counted from the last refresh, which is at most a minute
# before the last request: never longer than 30 minutes, at worst 29.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = int(os.environ.get("SESSION_REFRESH_SECONDS", "60"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_SECONDS = int(os.environ.get("SESSION_ABSOLUTE_SECONDS", str(12 * 3600)))
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

AXES_FAILURE_LIMIT = 5
# 30 minutes, doubled for each further lock-out of the same name and address within a day.
AXES_COOLOFF_TIME = "renda.accounts.lockout.cool_off"
# On the name *and* the address (issue 13 item 6): wrong passwords typed elsewhere cannot lock
# the owner out; the security administrator sees each name's failures across addresses.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_CALLABLE = "renda.accounts.views.lockout"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Behind nginx every client would look like 127.0.0.1: lockouts use the same client address
# as the audit log (nginx's X-Real-IP, see deploy/nginx-renda.conf). The header is believed
# only from these proxy addresses; from anybody else it is a forgery and REMOTE_ADDR counts.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
# Refused API requests (unknown or revoked push tokens) allowed per client address in ten
# minutes before the address is answered 429 (budget.services.tokens.DenialThrottle).
API_DENIAL_LIMIT = int(os.environ.get("API_DENIAL_LIMIT", "20"))
AXES_CLIENT_IP_CALLABLE = "renda.core.middleware.client_ip"

OTP_TOTP_ISSUER = "智慧人大"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        # The web app's manifest and service worker (core/views/pwa.py) are this site's own.
        "manifest-src": [SELF],
        "worker-src": [SELF],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "renda" / "static", BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    # FileSystemStorage that leaves no partial file on a full disk and says so (core/storage.py).
    "default": {"BACKEND": "renda.core.storage.UploadStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
# Every uploaded .xlsx is checked from its zip directory before it is parsed (lib/xlsxcheck.py,
# core/attachments.py xlsx_limits): at most this much once expanded, and this many cells.
XLSX_MAX_EXPANDED_BYTES = int(os.environ.get("XLSX_MAX_EXPANDED_BYTES", str(200 * 1024 * 1024)))
XLSX_MAX_CELLS = int(os.environ.get("XLSX_MAX_CELLS", str(5_000_000)))

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "renda",
        "url": REDIS_URL,
        "immediate": TESTING,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "renda",
        "filename": str(BASE_DIR / "huey.sqlite3"),
        "immediate": TESTING,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "renda@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# SMS (renda.core.sms; docs/deploy.md): every message is a row (queued → sent / failed) sent
# by a Huey task with retries. "console" writes to the log (the default, `make run`);
# "tencent" is 腾讯云短信 SendSms (API 3.0, 2021-01-11). A dotted class path also works.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "console")
SMS_SIGN_NAME = os.environ.get("SMS_SIGN_NAME", "智慧人大")
SMS_SDK_APP_ID = os.environ.get("SMS_SDK_APP_ID", "")
SMS_SECRET_ID = os.environ.get("SMS_SECRET_ID", "")
SMS_SECRET_KEY = os.environ.get("SMS_SECRET_KEY", "")
SMS_ENDPOINT = os.environ.get("SMS_ENDPOINT", "https://sms.tencentcloudapi.com/")
SMS_REGION = os.environ.get("SMS_REGION", "ap-guangzhou")
SMS_TIMEOUT_SECONDS = float(os.environ.get("SMS_TIMEOUT_SECONDS", "10"))
# The provider's approved template id per message kind (renda.core.sms.kinds).
SMS_TEMPLATES = {
    kind: os.environ.get(f"SMS_TEMPLATE_{kind.upper()}", "")
    for kind in ("login_code", "notice", "text")
}
SMS_DAILY_CAP_PER_NUMBER = int(os.environ.get("SMS_DAILY_CAP_PER_NUMBER", "20"))
SMS_DAILY_CAP_TOTAL = int(os.environ.get("SMS_DAILY_CAP_TOTAL", "5000"))
SMS_MAX_ATTEMPTS = int(os.environ.get("SMS_MAX_ATTEMPTS", "6"))
SMS_RETRY_BASE_SECONDS = int(os.environ.get("SMS_RETRY_BASE_SECONDS", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# budget.PaymentSummary's key treats NULL indicators as equal (NULLS NOT DISTINCT), which
# PostgreSQL 15 enforces and SQLite cannot; on SQLite the summaries are rebuilt by month
# instead of upserted (budget/summaries.py), so the missing constraint there is harmless.
SILENCED_SYSTEM_CHECKS = ["models.W047"]
