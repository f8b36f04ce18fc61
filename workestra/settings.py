"""Settings for Workestra Scheduling.

Everything that differs between machines comes from the environment (see ``.env.example``).
With nothing set the product runs embedded: a SQLite file, background work done in-process and
email printed to the console. ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and a real
Celery worker + beat on Redis.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from workestra import serving
from workestra.env import env_bool, env_choice, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
    SECRET_KEY = "embedded-development-key-not-for-production"  # noqa: S105

# Where ``manage.py serve`` listens; without PUBLIC_BASE_URL, links point there too.
try:
    SERVE_ADDR = env_str("SERVE_ADDR") or serving.DEFAULT_ADDR
    _served_at = serving.public_url_for(SERVE_ADDR)
except serving.AddressError as exc:
    raise ImproperlyConfigured(f"SERVE_ADDR: {exc}") from None
# Absolute links (emails, .ics files, confirmation pages, the links hosts copy) point here.
PUBLIC_BASE_URL = (env_url("PUBLIC_BASE_URL", schemes=("http", "https")) or _served_at).rstrip("/")
# The public host is always one we answer to.
_public_host = urlsplit(PUBLIC_BASE_URL).hostname or "localhost"
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS",
    [
        "localhost",
        "127.0.0.1",
        "[::1]",
        "testserver",
        f"[{_public_host}]" if ":" in _public_host else _public_host,
    ],
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # the sessions page (allauth.usersessions) uses it
    "django.contrib.postgres",
    "django_htmx",
    "template_partials",
    "csp",
    "workestra",
    "availability",
    "crm",
    "workflows",
    "integrations",
    "booking",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost but for the security headers and WhiteNoise (which serves static files already
    # compressed), so every page is compressed after the middleware below has written it. BREACH
    # finds no secret to guess here: CSRF tokens are masked anew per response and Django pads
    # each compressed response with random bytes.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "booking.middleware.AttendeeLanguageMiddleware",
    "booking.cors.PublicApiCorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "workestra.tenancy.WorkspaceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "workestra.middleware.RefuseUndecodableForms",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
]

# Static files come from the app server itself, DEBUG on or off: hashed and compressed from
# collectstatic's STATIC_ROOT when off, straight from the source folders while debugging.
MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = DEBUG

ROOT_URLCONF = "workestra.urls"
WSGI_APPLICATION = "workestra.wsgi.application"

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
                "workestra.tenancy.workspace_context",
                "workestra.navigation.nav_section",
                "booking.embed.context",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_url("DATABASE_URL", schemes=("postgres", "postgresql", "sqlite"))
if DATABASE_URL:
    # Each worker thread keeps its connection for DATABASE_CONN_MAX_AGE seconds (0: one per
    # request, e.g. behind PgBouncer in transaction mode), checked before reuse so a restarted
    # database costs one failed check, not a failed request.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 600, minimum=0),
            conn_health_checks=True,
        )
    }
else:
    sqlite_path = Path(env_str("SQLITE_PATH") or BASE_DIR / "db.sqlite3")
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(sqlite_path),
            # A file, not :memory:, so threads in the concurrency tests share one database.
            "TEST": {"NAME": sqlite_path.with_name("test_" + sqlite_path.name)},
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # However SQLite is chosen: IMMEDIATE takes the write lock when a transaction opens, so the
    # booking re-check and the insert cannot interleave with another writer's; a writer waits up
    # to 30 s for that lock instead of failing with "database is locked"; WAL lets pages read
    # while a booking writes. Options given in DATABASE_URL win.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background work --------------------------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss"))
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL  # embedded: tasks run in-process, right after commit
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The only periodic schedule: one tick a minute drains every due outbox row (reminders,
# retries, anything a lost "do it now" message left behind). Times are UTC.
CELERY_BEAT_SCHEDULE = {
    "drain-outbox": {"task": "workflows.tasks.drain_outbox", "schedule": 60.0},
    # Periodic jobs enqueue what is due: calendars to poll, watches and subscriptions to renew.
    "periodic": {"task": "workflows.tasks.periodic", "schedule": 60.0},
}
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8, minimum=1)
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 300, minimum=5)
# The embedded server (manage.py serve) drains due rows itself this often; Celery beat elsewhere.
OUTBOX_TICK_SECONDS = env_int("OUTBOX_TICK_SECONDS", 30, minimum=1)
# Webhooks and Slack only call public addresses; this lets loopback through for local receivers
# in tests and development. Never in production.
WEBHOOK_ALLOW_LOOPBACK = env_bool("WEBHOOK_ALLOW_LOOPBACK", default=False)

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "workestra",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Email ------------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=EMAIL_PORT == 587)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "Workestra <hello@workestra.test>"
NOREPLY_EMAIL = env_str("NOREPLY_EMAIL") or "Workestra <noreply@workestra.test>"
# Instant meetings get a room here when no conferencing provider is connected.
INSTANT_MEETING_BASE_URL = env_str("INSTANT_MEETING_BASE_URL") or "https://meet.jit.si/"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Auth and sessions ------------------------------------------------------------------------
AUTH_USER_MODEL = "workestra.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "booking:link-list"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Accounts (django-allauth): email only, no usernames; a new address is verified by a link
# before it can sign in; every account email goes through the outbox (workflows/accounts.py).
ACCOUNT_ADAPTER = "workflows.accounts.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "workestra.forms.SignupDetailsForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_CHANGE_EMAIL = True  # one address; a new one replaces it once verified
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SIGNUP_REDIRECT_URL = "/onboarding"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Workestra: "
# Per IP and per email key; "login_failed" also locks the key after repeated failures.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/h/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "manage_email": "10/m/user",
    "change_password": "5/m/user",
}
# Sign-up, login and reset refuse the addresses of a workspace whose people sign in with SSO.
ACCOUNT_FORMS = {
    "login": "workestra.sso.forms.LoginForm",
    "signup": "workestra.sso.forms.SignupForm",
    "reset_password": "workestra.sso.forms.ResetPasswordForm",
}
# SSO (OIDC or SAML per workspace, set up at /settings/sso): allauth's providers, with the apps
# built from each workspace's connection (workestra/sso/adapter.py), never from settings.
SOCIALACCOUNT_ADAPTER = "workestra.sso.adapter.SsoAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"  # the IdP vouches for its own domain's addresses
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True}}
# An identity provider on this machine (local development, the tests' IdP) may be reached.
SSO_ALLOW_LOOPBACK = env_bool("SSO_ALLOW_LOOPBACK", False)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Workestra"
USERSESSIONS_TRACK_ACTIVITY = False
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- HTTPS ------------------------------------------------------------------------------------
# PUBLIC_BASE_URL says whether people reach us over https. Then cookies travel only encrypted,
# plain http is redirected and (DEBUG off) browsers are told to use https for a year. Over plain
# http (the embedded default on 127.0.0.1) a secure cookie would never come back, so nobody could
# sign in: the cookies stay plain there. includeSubDomains and preload bind every subdomain and
# the browsers' built-in lists, so they are the domain owner's opt-in (see the README).
SERVED_OVER_HTTPS = PUBLIC_BASE_URL.startswith("https://")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = SERVED_OVER_HTTPS
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=SERVED_OVER_HTTPS and not DEBUG)
SECURE_HSTS_SECONDS = env_int(
    "SECURE_HSTS_SECONDS", 365 * 24 * 3600 if SERVED_OVER_HTTPS and not DEBUG else 0, minimum=0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
# Only behind a proxy that always sets X-Forwarded-Proto itself: a client could send it too.
if env_bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF, "https:", "http:"],
        "frame-ancestors": [NONE],
    },
}

# --- Internationalisation -----------------------------------------------------------------------
# Attendee pages and emails come in these languages (booking/middleware.py picks one per
# request); host pages stay English. The catalogs live in locale/<code>/LC_MESSAGES.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("pt", "Português"),
    ("it", "Italiano"),
    ("nl", "Nederlands"),
    ("ja", "日本語"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "language"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Files attendees upload (file questions). Local files under MEDIA_ROOT by default, or any
# Django storage backend by configuration (e.g. S3-compatible through django-storages, with its
# options as JSON). They are never served from a URL: hosts get signed, expiring links.
MEDIA_ROOT = env_str("MEDIA_ROOT") or str(BASE_DIR / "media")
FILE_STORAGE_BACKEND = env_str(
    "FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
)
try:
    FILE_STORAGE_OPTIONS = json.loads(env_str("FILE_STORAGE_OPTIONS") or "{}")
except ValueError as exc:
    raise ImproperlyConfigured(f"FILE_STORAGE_OPTIONS is not JSON: {exc}") from None
if not isinstance(FILE_STORAGE_OPTIONS, dict):
    raise ImproperlyConfigured("FILE_STORAGE_OPTIONS must be a JSON object.")
# Uploads above this size go to a temporary file rather than memory while a request is read;
# none is kept beyond the largest size a file question allows (booking/uploads.py), and a
# request carries at most as many files as a link has questions.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "booking.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_NUMBER_FILES = 30
STORAGES = {
    "default": {"BACKEND": FILE_STORAGE_BACKEND, "OPTIONS": FILE_STORAGE_OPTIONS},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Public endpoints that take a token or create a booking are limited per client address.
RATELIMIT_BOOKINGS_PER_MINUTE = env_int("RATELIMIT_BOOKINGS_PER_MINUTE", 20, minimum=1)
RATELIMIT_TOKENS_PER_MINUTE = env_int("RATELIMIT_TOKENS_PER_MINUTE", 30, minimum=1)
RATELIMIT_ROUTING_FORMS_PER_MINUTE = env_int("RATELIMIT_ROUTING_FORMS_PER_MINUTE", 10, minimum=1)

# Routes the trivial view ``manage.py bench_serving`` measures against; never on in production.
BENCH_VIEWS = env_bool("BENCH_VIEWS", default=False)

# SMS and voice calls through Twilio: without all three values the SMS action fails visibly.
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN")
TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER")  # E.164, e.g. +14155550100
TWILIO_API_BASE = (
    env_url("TWILIO_API_BASE", schemes=("https", "http")) or "https://api.twilio.com"
).rstrip("/")
SMS_FREE_CREDITS_PER_MONTH = env_int("SMS_FREE_CREDITS_PER_MONTH", 50, minimum=0)
# Paid bookings: each workspace connects its own Stripe account; this is Stripe's API address
# (a test server's in tests) and how long an unpaid booking holds its time (Stripe's minimum for a
# Checkout Session's expiry is 30 minutes).
STRIPE_API_BASE = env_url("STRIPE_API_BASE", schemes=("https", "http")) or "https://api.stripe.com"
PAYMENT_HOLD_MINUTES = env_int("PAYMENT_HOLD_MINUTES", 30, minimum=30)

# Connected calendars (integrations/). Secrets at rest are encrypted with these Fernet keys: the
# first encrypts, all decrypt (see workestra/lib/crypto.py). Without one, connecting is refused.
ENCRYPTION_KEYS = env_list("WORKESTRA_ENCRYPTION_KEY")
# OAuth apps; a provider whose client id is unset is shown as "not set up" on the page.
GOOGLE_CLIENT_ID = env_str("GOOGLE_CLIENT_ID")
GOOGLE_CLIENT_SECRET = env_str("GOOGLE_CLIENT_SECRET")
GOOGLE_AUTH_URI = (
    env_url("GOOGLE_AUTH_URI", schemes=("https", "http"))
    or "https://accounts.google.com/o/oauth2/v2/auth"
)
GOOGLE_TOKEN_URI = (
    env_url("GOOGLE_TOKEN_URI", schemes=("https", "http")) or "https://oauth2.googleapis.com/token"
)
GOOGLE_REVOKE_URI = (
    env_url("GOOGLE_REVOKE_URI", schemes=("https", "http"))
    or "https://oauth2.googleapis.com/revoke"
)
GOOGLE_API_BASE = (
    env_url("GOOGLE_API_BASE", schemes=("https", "http")) or "https://www.googleapis.com"
).rstrip("/")
MICROSOFT_CLIENT_ID = env_str("MICROSOFT_CLIENT_ID")
MICROSOFT_CLIENT_SECRET = env_str("MICROSOFT_CLIENT_SECRET")
MICROSOFT_AUTHORITY = (
    env_url("MICROSOFT_AUTHORITY", schemes=("https", "http"))
    or "https://login.microsoftonline.com/common"
).rstrip("/")
MICROSOFT_GRAPH_BASE = (
    env_url("MICROSOFT_GRAPH_BASE", schemes=("https", "http")) or "https://graph.microsoft.com/v1.0"
).rstrip("/")
# A CA bundle to trust for the sign-in and Graph endpoints instead of the system's (tests only).
MICROSOFT_CA_BUNDLE = env_str("MICROSOFT_CA_BUNDLE")
# Video conferencing (integrations/zoom, webex, gotomeeting): each host connects their account by
# OAuth; a provider whose client id is unset is shown as not set up. The URLs are for testing.
ZOOM_CLIENT_ID = env_str("ZOOM_CLIENT_ID")
ZOOM_CLIENT_SECRET = env_str("ZOOM_CLIENT_SECRET")
ZOOM_OAUTH_BASE = (
    env_url("ZOOM_OAUTH_BASE", schemes=("https", "http")) or "https://zoom.us"
).rstrip("/")
ZOOM_API_BASE = (
    env_url("ZOOM_API_BASE", schemes=("https", "http")) or "https://api.zoom.us/v2"
).rstrip("/")
WEBEX_CLIENT_ID = env_str("WEBEX_CLIENT_ID")
WEBEX_CLIENT_SECRET = env_str("WEBEX_CLIENT_SECRET")
WEBEX_API_BASE = (
    env_url("WEBEX_API_BASE", schemes=("https", "http")) or "https://webexapis.com/v1"
).rstrip("/")
GOTO_CLIENT_ID = env_str("GOTO_CLIENT_ID")
GOTO_CLIENT_SECRET = env_str("GOTO_CLIENT_SECRET")
GOTO_AUTH_BASE = (
    env_url("GOTO_AUTH_BASE", schemes=("https", "http")) or "https://authentication.logmeininc.com"
).rstrip("/")
GOTO_API_BASE = (
    env_url("GOTO_API_BASE", schemes=("https", "http")) or "https://api.getgo.com"
).rstrip("/")
# CRMs asked who owns a visitor's email (integrations/hubspot, salesforce): a workspace's owners and
# admins connect one account each by OAuth; unset client ids hide them. The URLs are for testing.
HUBSPOT_CLIENT_ID = env_str("HUBSPOT_CLIENT_ID")
HUBSPOT_CLIENT_SECRET = env_str("HUBSPOT_CLIENT_SECRET")
HUBSPOT_AUTH_BASE = (
    env_url("HUBSPOT_AUTH_BASE", schemes=("https", "http")) or "https://app.hubspot.com"
).rstrip("/")
HUBSPOT_API_BASE = (
    env_url("HUBSPOT_API_BASE", schemes=("https", "http")) or "https://api.hubapi.com"
).rstrip("/")
SALESFORCE_CLIENT_ID = env_str("SALESFORCE_CLIENT_ID")
SALESFORCE_CLIENT_SECRET = env_str("SALESFORCE_CLIENT_SECRET")
SALESFORCE_AUTH_BASE = (
    env_url("SALESFORCE_AUTH_BASE", schemes=("https", "http")) or "https://login.salesforce.com"
).rstrip("/")
SALESFORCE_API_VERSION = env_str("SALESFORCE_API_VERSION") or "v61.0"
# How long a routing form waits for the CRM owner lookup before the rotation decides.
CRM_OWNER_LOOKUP_SECONDS = float(env_int("CRM_OWNER_LOOKUP_MS", 2000, minimum=0)) / 1000
# How far ahead calendars are read into the busy-time cache, and how often they are re-read when
# no push notification arrives (CalDAV and Exchange are only ever polled).
CALENDAR_SYNC_DAYS = env_int("CALENDAR_SYNC_DAYS", 180, minimum=7)
CALENDAR_POLL_MINUTES = env_int("CALENDAR_POLL_MINUTES", 10, minimum=1)
# The booking POST asks the hosts' providers about the one exact slot for at most this long.
CALENDAR_LIVE_CHECK_SECONDS = float(env_int("CALENDAR_LIVE_CHECK_MS", 2000, minimum=0)) / 1000
# CalDAV and Exchange servers are addresses users type: loopback only when testing locally.
CALENDAR_ALLOW_LOOPBACK = env_bool("CALENDAR_ALLOW_LOOPBACK", default=False)

LOG_LEVEL = env_choice(
    "LOG_LEVEL", "INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # httpx logs every request's URL at INFO: some carry tokens (HubSpot's revoke) or a
        # visitor's email (Salesforce's queries).
        "httpx": {"level": "WARNING"},
    },
}
