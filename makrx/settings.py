"""One env-driven settings module for every environment (DESIGN.md §3)."""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
_env_file = os.environ.get("ENV_FILE", str(BASE_DIR / ".env"))
if os.path.isfile(_env_file):
    environ.Env.read_env(_env_file)

# --- environment --------------------------------------------------------------------------
ENVIRONMENT = env.str("ENVIRONMENT", default="development").strip().lower()
if ENVIRONMENT == "local":
    ENVIRONMENT = "development"
if ENVIRONMENT not in {"development", "staging", "production"}:
    raise ImproperlyConfigured(f"ENVIRONMENT must be development, staging or production (got {ENVIRONMENT!r}).")
IS_DEVELOPMENT = ENVIRONMENT == "development"
IS_PRODUCTION = ENVIRONMENT == "production"

_DEV_SECRET_KEY = "dev-only-insecure-key-makrx-never-use-outside-development-0123456789"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not IS_DEVELOPMENT:
    if not SECRET_KEY:
        raise ImproperlyConfigured(f"SECRET_KEY is required when ENVIRONMENT={ENVIRONMENT}.")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long.")
    _placeholder = SECRET_KEY.lower().replace("-", "").replace("_", "")
    if SECRET_KEY.startswith("django-insecure-") or "changethis" in _placeholder or "changeme" in _placeholder:
        raise ImproperlyConfigured("SECRET_KEY is a known insecure placeholder; generate a new one.")
    if len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("SECRET_KEY has fewer than 5 distinct characters; generate a new one.")
    if SECRET_KEY == _DEV_SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY is the development key; generate a new one.")
elif not SECRET_KEY:
    SECRET_KEY = _DEV_SECRET_KEY

DEBUG = env.bool("DEBUG", default=IS_DEVELOPMENT)
if IS_PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be false when ENVIRONMENT=production.")

_DEV_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=_DEV_HOSTS if IS_DEVELOPMENT else [])
if not IS_DEVELOPMENT and not [h for h in ALLOWED_HOSTS if h.strip()]:
    raise ImproperlyConfigured(f"ALLOWED_HOSTS must be set when ENVIRONMENT={ENVIRONMENT}.")

_DEV_ORIGINS = [
    "http://localhost:3000",
    "http://127.0.0.1:3000",
    "http://localhost:3001",
    "http://127.0.0.1:3001",
    "http://localhost:5173",
    "http://127.0.0.1:5173",
    "http://localhost:8000",
    "http://127.0.0.1:8000",
]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=_DEV_ORIGINS if IS_DEVELOPMENT else [])
CORS_ALLOWED_ORIGINS = env.list("CORS_ORIGINS", default=_DEV_ORIGINS if IS_DEVELOPMENT else [])
if not IS_DEVELOPMENT:
    # A match-all host lets any Host header through (cache poisoning, password-reset links to another domain); a
    # match-all origin with credentialed CORS or CSRF trust lets any site act as the signed-in user. Subdomain
    # patterns of one domain (".example.com", "https://*.example.com") stay allowed.
    for _variable, _values in (
        ("ALLOWED_HOSTS", ALLOWED_HOSTS),
        ("CORS_ORIGINS", CORS_ALLOWED_ORIGINS),
        ("CSRF_TRUSTED_ORIGINS", CSRF_TRUSTED_ORIGINS),
    ):
        for _value in _values:
            _host = _value.strip().split("://", 1)[-1]
            if _host.startswith("*") and not _host.startswith("*."):
                raise ImproperlyConfigured(
                    f"{_variable} must name hosts/origins when ENVIRONMENT={ENVIRONMENT}; {_value.strip()!r} matches"
                    " every site and is refused."
                )
CORS_ALLOW_CREDENTIALS = True
CORS_EXPOSE_HEADERS = ["X-Request-ID", "X-Cart-Token", "Retry-After"]
from corsheaders.defaults import default_headers  # noqa: E402

# What the browser apps send beyond the defaults: retry keys, request ids, the anonymous cart token, and the
# earlier store front's per-browser X-Session-ID (sent on every call, so without it every call fails preflight).
CORS_ALLOW_HEADERS = (
    *default_headers,
    "idempotency-key",
    "x-request-id",
    "x-cart-token",
    "x-session-id",
)

METRICS_ENABLED = env.bool("METRICS_ENABLED", default=False)

# --- apps ---------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "mozilla_django_oidc",
    "django_prometheus",
    "treebeard",
    "import_export",
    "makrx",
    "makerspace",
    "store",
    "bridge",
]

MIDDLEWARE = [
    "makrx.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "makrx.middleware.ContentSecurityPolicyMiddleware",
    "makrx.middleware.ApiExceptionMiddleware",
]
if METRICS_ENABLED:
    MIDDLEWARE = [
        "django_prometheus.middleware.PrometheusBeforeMiddleware",
        *MIDDLEWARE,
        "django_prometheus.middleware.PrometheusAfterMiddleware",
    ]

ROOT_URLCONF = "makrx.urls"
WSGI_APPLICATION = "makrx.wsgi.application"
ASGI_APPLICATION = "makrx.asgi.application"
AUTH_USER_MODEL = "makrx.User"

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
                "makrx.context_processors.platform",
            ],
        },
    },
]

# --- database -----------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
_db = DATABASES["default"]
IS_POSTGRES = "postgresql" in _db["ENGINE"] or "postgis" in _db["ENGINE"]
if not IS_DEVELOPMENT and "sqlite" in _db["ENGINE"]:
    raise ImproperlyConfigured(
        f"DATABASE_URL must point at PostgreSQL when ENVIRONMENT={ENVIRONMENT} (SQLite refused)."
    )
if IS_POSTGRES:
    _db["ENGINE"] = "django_prometheus.db.backends.postgresql" if METRICS_ENABLED else "django.db.backends.postgresql"
    _db.setdefault("OPTIONS", {})
    _db["OPTIONS"].setdefault("connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5))
    DB_POOL_SIZE = env.int("DB_POOL_SIZE", default=0)
    DB_MAX_OVERFLOW = env.int("DB_MAX_OVERFLOW", default=10)
    DB_POOL_TIMEOUT = env.float("DB_POOL_TIMEOUT", default=30.0)
    if DB_POOL_SIZE > 0:
        # psycopg's pool replaces persistent connections (Django requires CONN_MAX_AGE=0).
        _db["OPTIONS"]["pool"] = {
            "min_size": DB_POOL_SIZE,
            "max_size": DB_POOL_SIZE + DB_MAX_OVERFLOW,
            "timeout": DB_POOL_TIMEOUT,
        }
        _db["CONN_MAX_AGE"] = 0
    else:
        _db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        _db["CONN_HEALTH_CHECKS"] = True
else:
    DB_POOL_SIZE = DB_MAX_OVERFLOW = 0
    DB_POOL_TIMEOUT = 0.0
    _db.setdefault("OPTIONS", {})
    _db["OPTIONS"].setdefault("timeout", 20)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, sessions ------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": (
                "django_prometheus.cache.backends.redis.RedisCache"
                if METRICS_ENABLED
                else "django_redis.cache.RedisCache"
            ),
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="makrx"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "makrx-local",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
# django-ratelimit wants a shared cache; locmem is accepted only in development.
RATELIMIT_USE_CACHE = "default"
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
# Per-group rates over makrx.ratelimit.DEFAULT_RATES, e.g. RATE_LIMITS="checkout=10/m,uploads=30/h".
RATE_LIMITS: dict[str, str] = env.dict("RATE_LIMITS", default={})
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"] if not REDIS_URL else []
if "sqlite" in _db["ENGINE"]:
    # The store's list indexes carry INCLUDE columns on PostgreSQL; SQLite (development) builds them without.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# --- celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Keep our LOGGING (JSON with request ids) in the worker instead of Celery's own root handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "*.tasks.send_notification*": {"queue": "notifications"},
    "bridge.tasks.*": {"queue": "bridge"},
}
CELERY_BROKER_CONNECTION_TIMEOUT = 5
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "UTC"
# Periodic work. Each app adds its own entries here (task path → schedule).
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "clear-expired-idempotency-keys": {
        "task": "makrx.tasks.purge_idempotency_keys_task",
        "schedule": timedelta(hours=6),
    },
    "makerspace-expire-subscriptions": {
        "task": "makerspace.tasks.expire_subscriptions_task",
        "schedule": timedelta(minutes=15),
    },
    "makerspace-expire-member-skills": {
        "task": "makerspace.tasks.expire_member_skills_task",
        "schedule": timedelta(hours=1),
    },
    "makerspace-open-preventive-maintenance": {
        "task": "makerspace.tasks.open_preventive_maintenance_task",
        "schedule": timedelta(hours=1),
    },
    "makerspace-award-badges": {
        "task": "makerspace.tasks.award_badges_task",
        "schedule": timedelta(minutes=15),
    },
    "makerspace-apply-maintenance-windows": {
        "task": "makerspace.tasks.apply_maintenance_windows_task",
        "schedule": timedelta(minutes=1),
    },
    "makerspace-release-pending-reservations": {
        "task": "makerspace.tasks.release_pending_reservations_task",
        "schedule": timedelta(minutes=1),
    },
    "makerspace-send-reservation-reminders": {
        "task": "makerspace.tasks.send_reservation_reminders_task",
        "schedule": timedelta(minutes=5),
    },
    "makerspace-expire-waitlist-offers": {
        "task": "makerspace.tasks.expire_waitlist_offers_task",
        "schedule": timedelta(minutes=1),
    },
    "makerspace-notify-low-stock": {
        "task": "makerspace.tasks.notify_low_stock_task",
        "schedule": timedelta(minutes=15),
    },
    "makerspace-flush-project-views": {
        "task": "makerspace.tasks.flush_project_views_task",
        "schedule": timedelta(minutes=5),
    },
    "store-release-expired-orders": {
        "task": "store.tasks.release_expired_orders_task",
        "schedule": timedelta(minutes=1),
    },
    "store-purge-abandoned-carts": {
        "task": "store.tasks.purge_abandoned_carts_task",
        "schedule": timedelta(hours=1),
    },
    "store-expire-uploads": {
        "task": "store.tasks.expire_uploads_task",
        "schedule": timedelta(hours=6),
    },
    "store-purge-rejected-webhooks": {
        "task": "store.tasks.purge_rejected_webhooks_task",
        "schedule": timedelta(hours=6),
    },
}

# --- notifications ---------------------------------------------------------------------------
# Email and webhook deliveries retry transient failures this many times (backoff 30 s doubling, capped at 1 h).
NOTIFICATION_MAX_RETRIES = env.int("NOTIFICATION_MAX_RETRIES", default=5)
NOTIFICATION_WEBHOOK_TIMEOUT_SECONDS = env.float("NOTIFICATION_WEBHOOK_TIMEOUT_SECONDS", default=5.0)
# Low-priority kinds wait for the daily digest by default (users still choose per kind); off: sent at once.
NOTIFICATION_DIGEST_DEFAULT = env.bool("NOTIFICATION_DIGEST_DEFAULT", default=False)
# The digest goes out once a day at this hour (UTC).
NOTIFICATION_DIGEST_HOUR_UTC = env.int("NOTIFICATION_DIGEST_HOUR_UTC", default=7)
CELERY_BEAT_SCHEDULE["makrx-send-notification-sweep"] = {
    "task": "makrx.tasks.send_notification_sweep_task",
    "schedule": timedelta(minutes=30),
}
CELERY_BEAT_SCHEDULE["makrx-send-notification-digest"] = {
    "task": "makrx.tasks.send_notification_digest_task",
    "schedule": crontab(minute=0, hour=NOTIFICATION_DIGEST_HOUR_UTC),
}

# --- bridge (store <-> makerspace messages, DESIGN.md §7) -------------------------------------------
# Unset URL: that side is in this deployment (in-process); set: over HTTP. Credentials: sent when set, and
# inbound calls are checked against them (docs/bridge.md).
MAKRCAVE_API_URL = env.str("MAKRCAVE_API_URL", default="").rstrip("/")
STORE_API_URL = env.str("STORE_API_URL", default="").rstrip("/")
MAKRCAVE_API_KEY = env.str("MAKRCAVE_API_KEY", default="")
SERVICE_JWT = env.str("SERVICE_JWT", default="")
CAVE_WEBHOOK_SECRET = env.str("CAVE_WEBHOOK_SECRET", default="")
# Attempts before dead; backoff base × 2^n with jitter, capped; HTTP timeout; claim length; sent_at window.
BRIDGE_MAX_ATTEMPTS = env.int("BRIDGE_MAX_ATTEMPTS", default=12)
BRIDGE_BACKOFF_BASE_SECONDS = env.float("BRIDGE_BACKOFF_BASE_SECONDS", default=5.0)
BRIDGE_BACKOFF_CAP_SECONDS = env.float("BRIDGE_BACKOFF_CAP_SECONDS", default=900.0)
BRIDGE_HTTP_TIMEOUT_SECONDS = env.float("BRIDGE_HTTP_TIMEOUT_SECONDS", default=10.0)
BRIDGE_IN_FLIGHT_SECONDS = env.int("BRIDGE_IN_FLIGHT_SECONDS", default=120)
BRIDGE_MAX_CLOCK_SKEW_SECONDS = env.int("BRIDGE_MAX_CLOCK_SKEW_SECONDS", default=300)
BRIDGE_SWEEP_BATCH = env.int("BRIDGE_SWEEP_BATCH", default=500)
BRIDGE_SWEEP_SECONDS = env.float("BRIDGE_SWEEP_SECONDS", default=40.0)
CELERY_BEAT_SCHEDULE["bridge-sweep-outbox"] = {
    "task": "bridge.tasks.sweep_outbox_task",
    "schedule": timedelta(minutes=1),
}
# The job-status inbox: kick trust, per-process kick interval, failed-apply retries (docs/operations.md).
BRIDGE_INBOX_KICK_SECONDS = env.int("BRIDGE_INBOX_KICK_SECONDS", default=60)
BRIDGE_INBOX_KICK_COALESCE_MS = env.int("BRIDGE_INBOX_KICK_COALESCE_MS", default=50)  # per process; 0: per delivery
BRIDGE_INBOX_MAX_ATTEMPTS = env.int("BRIDGE_INBOX_MAX_ATTEMPTS", default=5)
BRIDGE_RETENTION_DAYS = env.int("BRIDGE_RETENTION_DAYS", default=30)  # sent messages and delivery logs, then gone
CELERY_BEAT_SCHEDULE["bridge-retention"] = {
    "task": "bridge.tasks.retention_task",
    "schedule": crontab(minute=20, hour=3),
}
STORE_SERVICE_ORDER_AUTO_PUBLISH = env.bool("STORE_SERVICE_ORDER_AUTO_PUBLISH", default=True)  # paying publishes

# --- makerspace bookings ---------------------------------------------------------------------
# Members cancel their own reservations up to this many minutes before the start (staff any time).
MAKERSPACE_CANCEL_CUTOFF_MINUTES = env.int("MAKERSPACE_CANCEL_CUTOFF_MINUTES", default=120)
# The member portal's page that accepts an invitation: the invite's accept_url is this plus "/<token>".
MAKERSPACE_INVITE_ACCEPT_BASE_URL = env.str(
    "MAKERSPACE_INVITE_ACCEPT_BASE_URL", default="http://localhost:3002/invites"
).rstrip("/")
# Pending (awaiting approval) bookings nobody decided are released this many minutes before their start.
MAKERSPACE_PENDING_RELEASE_MINUTES = env.int("MAKERSPACE_PENDING_RELEASE_MINUTES", default=0)
# Members get one reminder this many minutes before a confirmed booking starts.
MAKERSPACE_REMINDER_LEAD_MINUTES = env.int("MAKERSPACE_REMINDER_LEAD_MINUTES", default=1440)
# A freed slot offered to the first in a waiting list is held for them this many minutes.
WAITLIST_HOLD_MINUTES = env.int("WAITLIST_HOLD_MINUTES", default=30)

# --- makerspace billing (docs/billing.md): due days, the daily idempotent monthly run, its auto-issue; reminders hourly
INVOICE_DUE_DAYS = env.int("INVOICE_DUE_DAYS", default=14)
INVOICE_AUTO_ISSUE = env.bool("INVOICE_AUTO_ISSUE", default=False)
INVOICE_RUN_HOUR_UTC = env.int("INVOICE_RUN_HOUR_UTC", default=2)
CELERY_BEAT_SCHEDULE["makerspace-draft-monthly-invoices"] = {
    "task": "makerspace.tasks.draft_monthly_invoices_task",
    "schedule": crontab(minute=30, hour=INVOICE_RUN_HOUR_UTC),
}
CELERY_BEAT_SCHEDULE["makerspace-notify-overdue-invoices"] = {
    "task": "makerspace.tasks.notify_overdue_invoices_task",
    "schedule": timedelta(hours=1),
}

# --- auth -----------------------------------------------------------------------------------
KEYCLOAK_URL = env.str("KEYCLOAK_URL", default="").rstrip("/")
KEYCLOAK_REALM = env.str("KEYCLOAK_REALM", default="makrx")
KEYCLOAK_CLIENT_ID = env.str("KEYCLOAK_CLIENT_ID", default="makrx-admin")
KEYCLOAK_CLIENT_SECRET = env.str("KEYCLOAK_CLIENT_SECRET", default="")
KEYCLOAK_ISSUER = env.str("KEYCLOAK_ISSUER", default="").rstrip("/") or (
    f"{KEYCLOAK_URL}/realms/{KEYCLOAK_REALM}" if KEYCLOAK_URL else ""
)
KEYCLOAK_CONFIGURED = bool(KEYCLOAK_ISSUER)
# Outside development a token minted for another client of the realm must not open this API.
KEYCLOAK_VERIFY_AUD = env.bool("KEYCLOAK_VERIFY_AUD", default=not IS_DEVELOPMENT)
KEYCLOAK_USE_JWKS = env.bool("KEYCLOAK_USE_JWKS", default=True)
KEYCLOAK_PK_TTL_SECONDS = env.int("KEYCLOAK_PK_TTL_SECONDS", default=300)
KEYCLOAK_HTTP_TIMEOUT = env.float("KEYCLOAK_HTTP_TIMEOUT", default=3.0)
KEYCLOAK_LEEWAY_SECONDS = env.int("KEYCLOAK_LEEWAY_SECONDS", default=30)
# Development tokens (manage.py dev_token) are trusted only here.
DEV_TOKENS_ENABLED = IS_DEVELOPMENT and not KEYCLOAK_CONFIGURED
DEV_TOKEN_KEY_PATH = env.str("DEV_TOKEN_KEY_PATH", default=str(BASE_DIR / ".dev_token_key.pem"))

AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend", "makrx.auth.permissions.RolePermissionBackend"]
if KEYCLOAK_CONFIGURED:
    AUTHENTICATION_BACKENDS.insert(0, "makrx.auth.oidc.KeycloakOIDCBackend")
OIDC_RP_CLIENT_ID = KEYCLOAK_CLIENT_ID
OIDC_RP_CLIENT_SECRET = KEYCLOAK_CLIENT_SECRET
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_OP_AUTHORIZATION_ENDPOINT = f"{KEYCLOAK_ISSUER}/protocol/openid-connect/auth"
OIDC_OP_TOKEN_ENDPOINT = f"{KEYCLOAK_ISSUER}/protocol/openid-connect/token"
OIDC_OP_USER_ENDPOINT = f"{KEYCLOAK_ISSUER}/protocol/openid-connect/userinfo"
OIDC_OP_JWKS_ENDPOINT = f"{KEYCLOAK_ISSUER}/protocol/openid-connect/certs"
OIDC_OP_LOGOUT_ENDPOINT = f"{KEYCLOAK_ISSUER}/protocol/openid-connect/logout"
OIDC_USE_PKCE = True
OIDC_TIMEOUT = KEYCLOAK_HTTP_TIMEOUT
OIDC_RP_SCOPES = "openid email profile"
OIDC_STORE_ID_TOKEN = True
LOGIN_REDIRECT_URL = "/admin/"
LOGOUT_REDIRECT_URL = "/admin/login/"
LOGIN_URL = "/admin/login/"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- money, payments --------------------------------------------------------------------
DEFAULT_CURRENCY = env.str("DEFAULT_CURRENCY", default="INR").upper()
DEFAULT_TAX_RATE = Decimal(env.str("DEFAULT_TAX_RATE", default="18"))
STRIPE_API_KEY = env.str("STRIPE_API_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_WEBHOOK_TOLERANCE_SECONDS = env.int("STRIPE_WEBHOOK_TOLERANCE_SECONDS", default=300)
RAZORPAY_KEY_ID = env.str("RAZORPAY_KEY_ID", default="")
RAZORPAY_KEY_SECRET = env.str("RAZORPAY_KEY_SECRET", default="")
RAZORPAY_WEBHOOK_SECRET = env.str("RAZORPAY_WEBHOOK_SECRET", default="")
RAZORPAY_WEBHOOK_MAX_AGE_SECONDS = env.int("RAZORPAY_WEBHOOK_MAX_AGE_SECONDS", default=48 * 3600)
WEBHOOK_REJECTED_RETENTION_DAYS = env.int("WEBHOOK_REJECTED_RETENTION_DAYS", default=7)
# Catalog reads are cached this long (0: off); each process keeps copies of up to LOCAL_CACHE_MB (docs/store.md).
STORE_CATALOG_CACHE_SECONDS = env.int("STORE_CATALOG_CACHE_SECONDS", default=300)
STORE_CATALOG_LOCAL_CACHE_MB = env.int("STORE_CATALOG_LOCAL_CACHE_MB", default=16)
# Product lists count their matches exactly up to this many on every request; above it the exact count is kept
# per catalog version for STORE_CATALOG_COUNT_SECONDS (0: count everything every time). docs/store.md.
STORE_CATALOG_COUNT_LIMIT = env.int("STORE_CATALOG_COUNT_LIMIT", default=100)
STORE_CATALOG_COUNT_SECONDS = env.int("STORE_CATALOG_COUNT_SECONDS", default=3600)
# A relevance-ordered search ranks at most this many candidates (docs/store.md, search).
STORE_SEARCH_RANK_CANDIDATES = env.int("STORE_SEARCH_RANK_CANDIDATES", default=250)
# Unpaid orders give their reserved stock back after this many minutes (store.tasks.release_expired_orders_task).
STORE_ORDER_PAYMENT_TIMEOUT_MINUTES = env.int("STORE_ORDER_PAYMENT_TIMEOUT_MINUTES", default=30)
# Anonymous carts are purged when idle: empty ones after these hours, others after these days.
STORE_EMPTY_CART_TTL_HOURS = env.int("STORE_EMPTY_CART_TTL_HOURS", default=24)
STORE_ANONYMOUS_CART_TTL_DAYS = env.int("STORE_ANONYMOUS_CART_TTL_DAYS", default=30)
# BOM import (store): upload limits and the confidence a fuzzy match needs to map a line by itself.
STORE_BOM_MAX_FILE_MB = env.float("STORE_BOM_MAX_FILE_MB", default=5)
STORE_BOM_MAX_LINES = env.int("STORE_BOM_MAX_LINES", default=5000)
STORE_BOM_MAX_UNCOMPRESSED_MB = env.float("STORE_BOM_MAX_UNCOMPRESSED_MB", default=50)
STORE_BOM_MATCH_THRESHOLD = env.float("STORE_BOM_MATCH_THRESHOLD", default=0.85)

# --- files ----------------------------------------------------------------------------------
UPLOAD_MAX_MB = env.int("UPLOAD_MAX_MB", default=50)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_MB * 1024 * 1024
# Design uploads (store maker services): files up to this size are measured inside the request (201), larger
# ones by a Celery task (202 processing); unreferenced uploads are deleted after UPLOAD_RETENTION_DAYS.
UPLOAD_INLINE_MAX_KB = env.int("UPLOAD_INLINE_MAX_KB", default=512)
UPLOAD_RETENTION_DAYS = env.int("UPLOAD_RETENTION_DAYS", default=7)
# Caps on the work one design file may cause, and the memory/time a measurement subprocess may use.
GEOMETRY_MAX_TRIANGLES = env.int("GEOMETRY_MAX_TRIANGLES", default=2_000_000)
GEOMETRY_MAX_ENTITIES = env.int("GEOMETRY_MAX_ENTITIES", default=100_000)
GEOMETRY_MAX_PATH_SEGMENTS = env.int("GEOMETRY_MAX_PATH_SEGMENTS", default=200_000)
GEOMETRY_MAX_UNCOMPRESSED_MB = env.int("GEOMETRY_MAX_UNCOMPRESSED_MB", default=200)
GEOMETRY_MEMORY_LIMIT_MB = env.int("GEOMETRY_MEMORY_LIMIT_MB", default=1024)
GEOMETRY_TIME_LIMIT_SECONDS = env.int("GEOMETRY_TIME_LIMIT_SECONDS", default=60)
# Quotes stay valid this many days.
QUOTE_VALID_DAYS = env.int("QUOTE_VALID_DAYS", default=7)
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(BASE_DIR / "media"))
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
# Development (and the test suite) serves static files straight from the apps, no collectstatic.
WHITENOISE_AUTOREFRESH = IS_DEVELOPMENT
WHITENOISE_USE_FINDERS = IS_DEVELOPMENT

S3_ENDPOINT = env.str("S3_ENDPOINT", default="") or env.str("S3_BASE_URL", default="")
S3_BUCKET = env.str("S3_BUCKET", default="")
S3_ACCESS_KEY = env.str("S3_ACCESS_KEY", default="")
S3_SECRET_KEY = env.str("S3_SECRET_KEY", default="")
S3_REGION = env.str("S3_REGION", default="")
S3_USE_SSL = env.bool("S3_USE_SSL", default=True)
S3_CONFIGURED = bool(S3_BUCKET)
_default_storage: dict = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if S3_CONFIGURED:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": S3_ENDPOINT or None,
            "access_key": S3_ACCESS_KEY or None,
            "secret_key": S3_SECRET_KEY or None,
            "region_name": S3_REGION or None,
            "use_ssl": S3_USE_SSL,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if IS_DEVELOPMENT
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- email ----------------------------------------------------------------------------------
_email_url = env.str("EMAIL_URL", default="")
if _email_url:
    vars().update(env.email_url_config(_email_url))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="MakrX <no-reply@makrx.local>")

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- proxies, security ------------------------------------------------------------------
TRUST_PROXY = env.bool("TRUST_PROXY", default=False)
NUM_PROXIES = max(1, env.int("NUM_PROXIES", default=1))
if TRUST_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = env.bool("USE_X_FORWARDED_HOST", default=False)

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if not IS_DEVELOPMENT:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Health probes come over plain HTTP from the orchestrator.
    SECURE_REDIRECT_EXEMPT = [r"^health", r"^api/health", r"^api/v1/health", r"^metrics$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
CONTENT_SECURITY_POLICY = env.str(
    "CONTENT_SECURITY_POLICY",
    default=(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
        "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
)

# --- DRF, OpenAPI -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "makrx.auth.authentication.KeycloakBearerAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "makrx.api.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "makrx.api.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "makrx.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

from makrx.api.schema_enums import ENUM_NAME_OVERRIDES  # noqa: E402

SPECTACULAR_SETTINGS = {
    "TITLE": "MakrX platform API",
    "DESCRIPTION": "Makerspaces and the maker store.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api(/v1)?",
    "ENUM_NAME_OVERRIDES": ENUM_NAME_OVERRIDES,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "makrx.api.schema.add_error_responses",
    ],
}

# --- logging --------------------------------------------------------------------------------
LOG_FORMAT = env.str("LOG_FORMAT", default="console" if IS_DEVELOPMENT else "json")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "makrx.logging.RequestContextFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "console": {
            "format": "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s",
        },
    },
    "handlers": {
        "default": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "console",
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["default"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "celery": {"level": "INFO"},
    },
}

# --- error reporting ------------------------------------------------------------------------
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if SENTRY_DSN:
    import logging as _logging

    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration

    from makrx.logging import sentry_before_send

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=ENVIRONMENT,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
        send_default_pii=False,
        before_send=sentry_before_send,
        integrations=[
            DjangoIntegration(),
            CeleryIntegration(),
            LoggingIntegration(level=_logging.INFO, event_level=_logging.ERROR),
        ],
    )

# --- platform knobs -------------------------------------------------------------------------
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=48)
# How long a running request holds its Idempotency-Key; after that a retry may take the key over (makrx.idempotency).
IDEMPOTENCY_LEASE_SECONDS = max(1, env.int("IDEMPOTENCY_LEASE_SECONDS", default=60))
# Longer or more numerous query strings on /api/ answer 400 query_too_long before any view runs.
API_MAX_QUERY_STRING_LENGTH = env.int("API_MAX_QUERY_STRING_LENGTH", default=4096)
API_MAX_QUERY_PARAMS = env.int("API_MAX_QUERY_PARAMS", default=64)
# A JSON request body is a form's worth of fields; larger ones answer 413 too_large undecoded (files are multipart).
API_JSON_MAX_BYTES = env.int("API_JSON_MAX_BYTES", default=1024 * 1024)
READINESS_TIMEOUT_SECONDS = env.float("READINESS_TIMEOUT_SECONDS", default=1.5)
# Where `/api/v1/auth/me` reads a user's makerspace memberships (keeps makrx free of app imports).
MAKRX_MEMBERSHIPS_PROVIDER = "makerspace.selectors.members.memberships_for_user"
CSRF_FAILURE_VIEW = "makrx.api.errors.csrf_failure"
