"""Django settings for Refugio.

The run mode comes from ``REFUGIO_MODE``: ``production`` (the default), ``demo`` or ``test``.
Outside demo and test mode the server refuses to start without a secret key and encryption keys,
because personal data must never be written in plain text.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from refugio.keyring import load_keys


def _json_object(name: str) -> dict[str, Any]:
    """An environment variable holding a JSON object, or a clear error naming it (never a bare traceback)."""
    try:
        value = json.loads(os.environ.get(name) or "{}")
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured(f"{name} must be a JSON object: {exc.msg} at position {exc.pos}") from exc
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f"{name} must be a JSON object such as {{\"key\": \"value\"}}")
    return value

MODE = os.environ.get("REFUGIO_MODE", "production")
if MODE not in {"production", "demo", "test"}:
    raise ImproperlyConfigured(f"REFUGIO_MODE must be production, demo or test, not {MODE!r}")
DEMO_MODE = MODE == "demo"
TEST_MODE = MODE == "test"

BASE_DIR = Path(__file__).resolve().parent
HOME = Path(os.environ.get("REFUGIO_HOME", "var")).resolve()

_keys = load_keys(MODE, HOME)
SECRET_KEY = _keys.secret_key
REFUGIO_ENCRYPTION_KEYS = _keys.encryption_keys
REFUGIO_INDEX_KEY = _keys.index_key

DEBUG = os.environ.get("REFUGIO_DEBUG") == "1" and MODE != "production"
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "REFUGIO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if MODE != "production" else ""
    ).split(",")
    if h.strip()
]
if MODE == "production" and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set REFUGIO_ALLOWED_HOSTS to the host names the server answers for.")

INSTALLED_APPS = [
    "refugio.accounts.admin_site.RefugioAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "refugio.accounts",
    "refugio.audit",
    "refugio.people",
    "refugio.escalations",
    "refugio.legal",
    "refugio.registration",
    "refugio.triage",
    "refugio.preferences",
    "refugio.planning",
    "refugio.home",
    "refugio.placement",
    "refugio.messaging",
    "refugio.disparity",
    "refugio.transparency",
    "refugio.reception",
    "refugio.transport",
    "refugio.referrals",
    "refugio.casemanagement",
    "refugio.obligations",
    "refugio.rapidresponse",
    "refugio.remedies",
    "refugio.tracing",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "refugio.middleware.NoStoreMiddleware",  # below WhiteNoise: static files stay cacheable
    "refugio.middleware.HtmxCompressionMiddleware",  # htmx answers only (BREACH: see the middleware)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "refugio.accounts.middleware.RequireSecondFactorMiddleware",
    "refugio.preferences.middleware.StaffTimeZoneMiddleware",  # times on pages in the staff member's zone
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "refugio.core.edge.DomainErrorsMiddleware",
    "refugio.core.outage.DatabaseOutageMiddleware",  # a database outage answers 503, not 500
]

ROOT_URLCONF = "refugio.urls"
WSGI_APPLICATION = "refugio.wsgi.application"

FORM_RENDERER = "refugio.core.forms.ErrorsAfterLabels"  # a field's errors after its label (issue 12)
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
                "refugio.accounts.context.staff_context",
            ],
        },
    },
]

_default_sqlite = f"sqlite:///{HOME / 'refugio.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_sqlite), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed during a write; a busy timeout queues writers instead of failing them.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Same backend, but the database file (and its -wal, -shm) is created readable by its owner only.
    DATABASES["default"]["ENGINE"] = "refugio.db_sqlite"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable database fails a request in seconds (a 503) instead of holding a worker until it is killed.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    # No JIT compilation: it pays off for long analytical queries, not for ours, and one batch query of the
    # duplicate check (a few hundred indexed conditions) spent 25 s compiling to run in 40 ms (measured).
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "staff_home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Staff must present a TOTP code after the password, except in the demo. Production cannot turn it off.
_require_otp = os.environ.get("REFUGIO_REQUIRE_OTP", "1")
if MODE == "production" and _require_otp != "1":
    raise ImproperlyConfigured(
        f"REFUGIO_REQUIRE_OTP={_require_otp!r} is refused in production: staff must use a second factor. "
        "Unset it (the second factor is required by default)."
    )
REFUGIO_REQUIRE_OTP = MODE != "demo" and _require_otp == "1"
OTP_TOTP_ISSUER = "Refugio"

# Lock an account and address pair out for an hour after five failed sign-ins.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The same client address as rate limits and the audit (REFUGIO_TRUSTED_PROXIES), never the proxy's.
AXES_CLIENT_IP_CALLABLE = "refugio.audit.request.client_network"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = MODE != "test" or os.environ.get("REFUGIO_AXES") == "1"
AXES_VERBOSE = False

LANGUAGE_CODE = "es"
LANGUAGES = [
    ("es", "Español"),
    ("en", "English"),
    ("ht", "Kreyòl ayisyen"),
    ("fr", "Français"),
    ("pt", "Português"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Tijuana"
# E-mails and notices to staff who have not chosen their language and time zone (refugio.preferences).
REFUGIO_DEFAULT_TIME_ZONE = os.environ.get("REFUGIO_DEFAULT_TIME_ZONE", "America/Tijuana")
REFUGIO_DEFAULT_EMAIL_LANGUAGE = os.environ.get("REFUGIO_DEFAULT_EMAIL_LANGUAGE", "en")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Outside production, static files are served straight from the package (no collectstatic step).
WHITENOISE_USE_FINDERS = MODE != "production"
WHITENOISE_AUTOREFRESH = MODE != "production"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": HOME / "files"}},
    # Outside any served directory: attachments reach people only through views that check access.
    "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": HOME / "attachments", "file_permissions_mode": 0o600},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Cookies and headers: nothing personal may leak through a browser.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from a meta tag, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if MODE == "production":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = os.environ.get("REFUGIO_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("REFUGIO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_personal_data": {"()": "refugio.log_redaction.RedactPersonalData"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact_personal_data"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("REFUGIO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django_tasks": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if MODE == "production"
    else "django.core.mail.backends.console.EmailBackend"
)

# How many reverse proxies in front of the server append to X-Forwarded-For; the client address is the
# entry that many places from the right (0: the header is ignored). See refugio.audit.request.client_ip.
if "REFUGIO_TRUST_X_FORWARDED_FOR" in os.environ:
    raise ImproperlyConfigured(
        "REFUGIO_TRUST_X_FORWARDED_FOR is gone (it trusted a header anyone can forge): unset it and set "
        "REFUGIO_TRUSTED_PROXIES to the number of proxies in front of the server (1 for one proxy)."
    )
_trusted_proxies = os.environ.get("REFUGIO_TRUSTED_PROXIES", "0").strip()
if not (_trusted_proxies.isascii() and _trusted_proxies.isdigit()):
    raise ImproperlyConfigured(
        f"REFUGIO_TRUSTED_PROXIES must be a whole number of proxies (0 or more), not {_trusted_proxies!r}"
    )
REFUGIO_TRUSTED_PROXIES = int(_trusted_proxies)

TASKS = {
    "default": {
        # Tests run tasks at once; everywhere else a worker (`refugio manage task_worker`) runs them.
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if MODE == "test"
        else "django_tasks_db.DatabaseBackend",
        # "reports": long computations (the daily disparity monitor) run by their own worker, so they never
        # hold up what follows a registration (triage, duplicate checks, sealing, the outbox). "registrations":
        # storing accepted public registrations as households, by its own worker too (registration.tasks).
        "QUEUES": ["default", "reports", "registrations"],
    }
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 11 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 11 * 1024 * 1024
REFUGIO_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
REFUGIO_BASE_URL = os.environ.get("REFUGIO_BASE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = os.environ.get("REFUGIO_FROM_EMAIL", "refugio@localhost")
# E-mail through a provider's API with django-anymail: REFUGIO_EMAIL_BACKEND=anymail.backends.<esp>.EmailBackend
# and its settings as JSON in REFUGIO_ANYMAIL (e.g. {"MAILGUN_API_KEY": "…"}). See docs/messaging.md.
EMAIL_BACKEND = os.environ.get("REFUGIO_EMAIL_BACKEND", EMAIL_BACKEND)
ANYMAIL: dict[str, Any] = _json_object("REFUGIO_ANYMAIL")

# Messages to households (refugio.messaging): "local" writes what it would send to a table (demo, tests, no
# gateway); "twilio" sends SMS and WhatsApp through Twilio. WhatsApp may go through the Cloud API instead.
REFUGIO_MESSAGING_PROVIDER = os.environ.get("REFUGIO_MESSAGING_PROVIDER", "local")
REFUGIO_WHATSAPP_PROVIDER = os.environ.get("REFUGIO_WHATSAPP_PROVIDER", "twilio")  # or "cloud"
if REFUGIO_MESSAGING_PROVIDER not in {"local", "twilio"} or REFUGIO_WHATSAPP_PROVIDER not in {"twilio", "cloud"}:
    raise ImproperlyConfigured(
        "REFUGIO_MESSAGING_PROVIDER must be local or twilio, REFUGIO_WHATSAPP_PROVIDER twilio or cloud"
    )
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM = os.environ.get("TWILIO_FROM", "")  # +1…, or a Messaging Service SID (MG…)
TWILIO_WHATSAPP_FROM = os.environ.get("TWILIO_WHATSAPP_FROM", "")  # +1… (a WhatsApp-enabled sender)
# Approved WhatsApp templates for messages outside the 24-hour window: {"entry_date:es": "HX…", …}
TWILIO_CONTENT_SIDS: dict[str, str] = _json_object("TWILIO_CONTENT_SIDS")
WHATSAPP_CLOUD_TOKEN = os.environ.get("WHATSAPP_CLOUD_TOKEN", "")
WHATSAPP_CLOUD_PHONE_NUMBER_ID = os.environ.get("WHATSAPP_CLOUD_PHONE_NUMBER_ID", "")
WHATSAPP_CLOUD_API_VERSION = os.environ.get("WHATSAPP_CLOUD_API_VERSION", "v21.0")
# The Cloud API's webhook (/hooks/whatsapp): the verify token we typed at Meta (the GET handshake) and the app
# secret that signs each POST (X-Hub-Signature-256). Without them, the webhook answers 403.
WHATSAPP_VERIFY_TOKEN = os.environ.get("WHATSAPP_VERIFY_TOKEN", "")
WHATSAPP_APP_SECRET = os.environ.get("WHATSAPP_APP_SECRET", "")
# Approved WhatsApp templates, sent outside the 24-hour window: {"entry_date": "refugio_entry_date",
# "entry_date:ht": "refugio_entry_date_ht:fr"}; without an entry, the catalogue's own name (docs/messaging.md).
WHATSAPP_CLOUD_TEMPLATES: dict[str, str] = _json_object("WHATSAPP_CLOUD_TEMPLATES")
if REFUGIO_MESSAGING_PROVIDER == "twilio" and not (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN and TWILIO_FROM):
    raise ImproperlyConfigured(
        "REFUGIO_MESSAGING_PROVIDER=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM"
    )
# The address Twilio calls back: the signature of each webhook covers this URL, so it must be exactly what is
# configured at Twilio (behind a proxy, the public https address, not the internal one).
REFUGIO_PUBLIC_BASE_URL = os.environ.get("REFUGIO_PUBLIC_BASE_URL", REFUGIO_BASE_URL).rstrip("/")

# One cache shared by every server process (rate limits must hold across gunicorn workers). In production,
# REFUGIO_CACHE_URL=redis://host:6379/0: its counters are atomic and cost no database work on the request
# path. Without it, the database cache: counters are never culled below a surge's worth of clients (the
# default of 300 entries would forget limits under load), but two processes may race on one counter.
REFUGIO_CACHE_URL = os.environ.get("REFUGIO_CACHE_URL", "")
if REFUGIO_CACHE_URL and not REFUGIO_CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("REFUGIO_CACHE_URL must be a Redis address (redis://, rediss:// or unix://)")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REFUGIO_CACHE_URL}
        if REFUGIO_CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "refugio_cache",
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        }
    ),
}
RATELIMIT_USE_CACHE = "default"
REFUGIO_STATUS_LOOKUPS_PER_CLIENT = "20/h"
REFUGIO_STATUS_LOOKUPS_PER_CODE = "5/h"

# Public registration (/register/, POST /api/v1/registrations). People per household, on every intake path;
# registrations per client address ("30/10m": a shelter's shared connection registering several families a
# minute still fits) and from everyone together (a safety valve far above a real surge of 200/s).
REFUGIO_MAX_HOUSEHOLD_MEMBERS = int(os.environ.get("REFUGIO_MAX_HOUSEHOLD_MEMBERS", "20"))
REFUGIO_REGISTRATIONS_PER_CLIENT = os.environ.get("REFUGIO_REGISTRATIONS_PER_CLIENT", "30/10m")
REFUGIO_REGISTRATION_GLOBAL_RATE = os.environ.get("REFUGIO_REGISTRATION_GLOBAL_RATE", "500/s")
for _name in ("REFUGIO_REGISTRATIONS_PER_CLIENT", "REFUGIO_REGISTRATION_GLOBAL_RATE"):
    if not re.fullmatch(r"[1-9][0-9]*/[0-9]*[smhd]", globals()[_name]):
        raise ImproperlyConfigured(f"{_name} must be a rate such as 30/10m or 500/s, not {globals()[_name]!r}")
if REFUGIO_MAX_HOUSEHOLD_MEMBERS < 1:
    raise ImproperlyConfigured("REFUGIO_MAX_HOUSEHOLD_MEMBERS must be 1 or more.")

