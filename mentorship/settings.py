"""Django settings, read from the environment (12-factor) with django-environ.

Every variable has a laptop default (SQLite, a file-based Celery broker, mail written to files under
`var/`) so that `make run` needs no service; production sets the variables instead. The README lists
them all.
"""

import os
from pathlib import Path

import csp.constants
import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from mentorship.accounts.sso import providers_from_env

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

# Runtime files of the embedded defaults (SQLite, broker, mail, beat schedule) live here.
VAR_DIR = Path(env.str("VAR_DIR", default="var"))
if not VAR_DIR.is_absolute():
    VAR_DIR = BASE_DIR / VAR_DIR
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Single sign-on through the company's identity provider (mentorship/accounts/sso.py).
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "mentorship.accounts",
    "mentorship.audit",
    "programs",
    "matching",
    "feedback",
    # Last: the project app holds cross-app pages and commands and reads from every app above.
    "mentorship",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "mentorship.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages: signing out for idleness leaves a message on the sign-in page.
    "mentorship.middleware.IdleTimeoutMiddleware",
    "mentorship.middleware.PrivatePagesMiddleware",
    "mentorship.middleware.MFARequiredMiddleware",
    # Turns django-ratelimit's refusal into a 429 page (it would otherwise be a 403).
    "django_ratelimit.middleware.RatelimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "mentorship.urls"
WSGI_APPLICATION = "mentorship.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mentorship.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, for the test database: a Celery worker process started by a test
    # must see the rows the test wrote; one file per test run, so that two runs never share
    # one. A writer waits for another instead of failing at once.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles the dashboard's aggregate queries for about half a second each
    # time (measured by bench/dashboard.py), far longer than they run: off for this app.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
# Login rate limits live in the cache, so every process (web workers, gunicorn) must share it:
# Redis when there is one, files under var/ otherwise. CACHE_URL overrides (e.g. redis://host/1,
# to keep the cache in another Redis database than the broker).
REDIS_URL = env.str("REDIS_URL", default="")


def _next_redis_database(url: str) -> str:
    """The same Redis server, the database after the broker's, so that clearing the cache can
    never empty the task queues."""
    base, _, database = url.rpartition("/")
    if not database.isdigit():
        return url.rstrip("/") + "/1"
    return f"{base}/{int(database) + 1}"


CACHES = {
    "default": env.cache_url(
        "CACHE_URL",
        default=_next_redis_database(REDIS_URL).replace("redis://", "rediscache://", 1)
        if REDIS_URL
        else f"filecache://{VAR_DIR / 'cache'}",
    )
}

# --- Encryption at rest ----------------------------------------------------------------------
# Private notes and takeaways are encrypted in the database (django-fernet-encrypted-fields):
# the key is derived from SECRET_KEY and this salt, so a database dump alone reveals nothing.
# A list rotates: the first salt encrypts, every one decrypts.
SALT_KEY = env.list("FIELD_ENCRYPTION_SALT", default=[])
if not SALT_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_SALT must be set when DEBUG is off.")
    SALT_KEY = ["development-only-field-encryption-salt"]

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "mentorship.accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
# A person proves their address before they can sign in; relaxed only for local development.
ACCOUNT_EMAIL_VERIFICATION = (
    env.str("ACCOUNT_EMAIL_VERIFICATION", default="optional") if DEBUG else "mandatory"
)
# Behind a reverse proxy every request comes from the proxy's address: count the proxies so that
# rate limits apply per client, not to everyone at once.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PRESERVE_USERNAME_CASING = False
# allauth's defaults, written out so that they are visible and reviewable.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
}
# Our own limits (mentorship/ratelimits.py): "count/period", period s, m, h or d.
RATE_LIMITS = {
    "signed_link": env.str("RATE_LIMIT_SIGNED_LINK", default="300/m"),
    "refused_link": env.str("RATE_LIMIT_REFUSED_LINK", default="20/m"),
    "sending_mail": env.str("RATE_LIMIT_SENDING_MAIL", default="30/h"),
}
RATELIMIT_IP_META_KEY = "mentorship.ratelimits.ratelimit_ip"
RATELIMIT_VIEW = "mentorship.ratelimits.too_many_requests"
# Signed out after this long without a request: HR admins and executives see everyone's data.
IDLE_TIMEOUT_PRIVILEGED_SECONDS = env.int("IDLE_TIMEOUT_PRIVILEGED_SECONDS", default=30 * 60)
IDLE_TIMEOUT_SECONDS = env.int("IDLE_TIMEOUT_SECONDS", default=12 * 60 * 60)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# HR admins and executives must set up TOTP before any page (off by default only in DEBUG, where
# the demo's accounts sign in with a password alone).
MFA_REQUIRED_FOR_PRIVILEGED = env.bool("MFA_REQUIRED_FOR_PRIVILEGED", default=not DEBUG)
# TOTP keys and recovery-code seeds are encrypted at rest (allauth stores them as they are).
MFA_ADAPTER = "mentorship.accounts.mfa_adapter.EncryptingMFAAdapter"
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Reverse Mentoring")
# Single sign-on (OpenID Connect, SAML) from SSO_* variables; none set, no SSO. It signs in only
# an active account HR made, found by the address the IdP confirms, and links the two on first
# use (SocialAccountAdapter); it never creates one. MFA and idle timeouts apply as to passwords.
SOCIALACCOUNT_PROVIDERS = providers_from_env(env)
SOCIALACCOUNT_ADAPTER = "mentorship.accounts.adapter.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True  # every provider here is the company's own IdP
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_AUTO_SIGNUP = False

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("vi", _("Vietnamese")),
    ("tr", _("Turkish")),
]
# Our catalogue first (it wins); then allauth's strings in Vietnamese, which allauth does not ship.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_allauth"]
USE_I18N = True
USE_TZ = True
# Times are stored in UTC; this is only the zone shown to a person who has not chosen one.
TIME_ZONE = env.str("TIME_ZONE", default="UTC")

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Email ----------------------------------------------------------------------------------
# EMAIL_URL picks the backend: smtp://user:pass@host:587 in production (or smtp+tls://...),
# filemail:// writes every message to var/mail/ for a developer to read.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="filemail://")
vars().update(EMAIL_CONFIG)
if EMAIL_CONFIG["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend":
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
# An SMTP server that stops answering must not hold a worker past the delivery lease (below).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Reverse Mentoring <noreply@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# Links in mail sent by the worker and beat, where there is no request to take the host from.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Surveys and reminders --------------------------------------------------------------------
# Reminders and surveys reach people only during their daytime, in their own time zone:
# "8-20" sends from 08:00 to 19:59 local time and holds the rest until 08:00.
MAIL_DAYTIME_HOURS = tuple(int(hour) for hour in env.str("MAIL_DAYTIME", default="8-20").split("-"))
# How long a worker may hold a delivery it claimed before another takes it up (a worker killed
# mid-send). The sending task's hard time limit stays below it, so a live worker never loses a
# claim it is still using.
DELIVERY_LEASE_SECONDS = env.int("DELIVERY_LEASE_SECONDS", default=120)
# Attempts before a delivery is marked failed (shown to HR); the pause doubles from a minute.
DELIVERY_MAX_ATTEMPTS = env.int("DELIVERY_MAX_ATTEMPTS", default=6)
DELIVERY_RETRY_SECONDS = env.int("DELIVERY_RETRY_SECONDS", default=60)

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_RESULT_BACKEND = env.str(
    "CELERY_RESULT_BACKEND", default=REDIS_URL or f"file://{VAR_DIR / 'celery-results'}"
)
# Redis hands a message that was not acknowledged within this time to another worker. Nothing
# here waits on the broker that long: what is due lives in the database, retries are rows with a
# due time (no ETA or countdown messages), and a claim's lease is far shorter.
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": 3600}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's filesystem transport: one folder of message files that every process reads.
    _broker_dir = VAR_DIR / "broker"
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # Seconds between looks at the folder when it is empty (kombu's default is 1).
        "polling_interval": 0.1,
    }
if CELERY_RESULT_BACKEND.startswith("file://"):
    (VAR_DIR / "celery-results").mkdir(parents=True, exist_ok=True)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# A worker takes one message at a time beyond the one it runs: with acks_late, a killed worker
# then holds back nothing it had fetched ahead (those rows would wait for the dispatcher's
# re-enqueue, or for Redis's visibility timeout).
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_RESULT_EXPIRES = 3600
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# Names a test session (or a second installation on one Redis) can change to keep its tasks and
# worker pings apart from everyone else's.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
CELERY_CONTROL_EXCHANGE = env.str("CELERY_CONTROL_EXCHANGE", default="celery")
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Every dashboard page is a margin of one table of figures over all programs (see
# mentorship/dashboard/metrics.py); it is computed at most once in this many seconds (0: on
# every request). The page says how old its figures are.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=300)

# The one beat schedule of the project; later capabilities add their periodic tasks here.
CELERY_BEAT_SCHEDULE: dict = {
    "purge-stale-imports": {"task": "programs.tasks.purge_stale_imports", "schedule": 6 * 3600},
    # Finds every survey and reminder that is due and enqueues one delivery per recipient.
    "dispatch-deliveries": {
        "task": "feedback.tasks.dispatch",
        "schedule": env.int("DISPATCH_EVERY_SECONDS", default=60),
    },
    # Erases session notes of programs past their retention (Program.notes_retention_months).
    "purge-expired-notes": {"task": "matching.tasks.purge_expired_notes", "schedule": 24 * 3600},
    # Recomputes the dashboard's table a minute before the cached one expires.
    "refresh-dashboard": {
        "task": "mentorship.tasks.refresh_dashboard",
        "schedule": max(60, DASHBOARD_CACHE_SECONDS - 60),
    },
}

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # The container health check calls /healthz over plain HTTP from inside the stack.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# Content-Security-Policy (django-csp): every page loads script, style, fonts and images from
# our own origin only, and runs no inline script or style (the dashboard's charts are SVG
# images, whose own styles stay inside them). data: images are the charts and allauth's TOTP
# QR code. No <base>, no plugins, never framed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.constants.SELF],
        "script-src": [csp.constants.SELF],
        "style-src": [csp.constants.SELF],
        "img-src": [csp.constants.SELF, "data:"],
        "font-src": [csp.constants.SELF],
        "connect-src": [csp.constants.SELF],
        "object-src": [csp.constants.NONE],
        "base-uri": [csp.constants.NONE],
        "frame-ancestors": [csp.constants.NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
