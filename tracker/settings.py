"""Settings for the policy desk tracker.

Every deploy-specific value comes from the environment (DESIGN.md, "Interfaces"):
DATABASE_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS, CACHE_URL. The defaults are for a
laptop: SQLite in the project folder, a local memory cache, DEBUG on.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def cache_from_url(url: str, name: str = "CACHE_URL") -> dict:
    """redis://host:port/db, locmem://, or dummy://."""
    if url.startswith(("redis://", "rediss://")):
        from tracker.cache import FailFastConnection, FailFastSSLConnection

        timeout = float(env("REDIS_SOCKET_TIMEOUT", "0.5"))
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            # A Redis that does not answer costs a request this long, once: after that
            # the process fails fast until it answers again (tracker/cache.py).
            "OPTIONS": {
                "socket_connect_timeout": timeout,
                "socket_timeout": timeout,
                "connection_class": FailFastSSLConnection if url.startswith("rediss://") else FailFastConnection,
            },
        }
    if url.startswith("dummy://"):
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if url.startswith("locmem://") or not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": name}
    raise ImproperlyConfigured(f"{name} {url!r} is not redis://, locmem:// or dummy://.")


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the site refuses to start without one: "
            "set SECRET_KEY in the environment to a long random string."
        )
    SECRET_KEY = "insecure-local-development-key-only-used-with-debug-on"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "tracker.desk.apps.DeskAdminConfig",  # django.contrib.admin, opening on the staff home
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "rest_framework",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_tasks_db",
    "tracker.desk.apps.DeskConfig",
    "tracker.search.apps.SearchConfig",
    "tracker.caching.apps.CachingConfig",
    "tracker.public.apps.PublicConfig",
    "tracker.api.apps.ApiConfig",
    "tracker.events.apps.EventsConfig",
    "tracker.delivery.apps.DeliveryConfig",
]

MIDDLEWARE = [
    # Outermost: one line per request, whatever answered it.
    "tracker.requestlog.RequestLogMiddleware",
    # An over-long address or headers: a 414 or 431 in the site's own words (JSON under /api/).
    "tracker.request_limits.RequestLimitsMiddleware",
    # Every request under its deadline: what the database has not answered by then is a 503.
    "tracker.deadline.DeadlineMiddleware",
    # Public reads (safe methods outside /admin/) from the replica, when there is one.
    "tracker.routers.ReplicaReadsMiddleware",
    # With an edge cache (EDGE_PURGE_URLS): what the edge may keep, and its keys.
    "tracker.caching.edge.EdgeHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tracker.desk.desk_link.StaffMarkerMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the outcome of authentication attempts.
    "axes.middleware.AxesMiddleware",
    # Only the query parameters a view reads reach it and its cache key.
    "tracker.parameters.KnownParametersMiddleware",
    # Hostile ids, selections and NULs in any admin page: a 404 or a 400, never a 500.
    "tracker.desk.admin.guards.AdminInputMiddleware",
    # Innermost: a view that cannot reach the database answers 503, not 500.
    "tracker.outage.OutageMiddleware",
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
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Bounded waits (tracker/deadline.py): a request answers within its deadline, a 503 with
# Retry-After when the database or Redis did not answer in time, well before gunicorn's
# own 30 s timeout would kill the worker. The desk's pages get longer.
REQUEST_DEADLINE_SECONDS = float(env("REQUEST_DEADLINE_SECONDS", "4"))
ADMIN_REQUEST_DEADLINE_SECONDS = float(env("ADMIN_REQUEST_DEADLINE_SECONDS", "15"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fails fast while the server does not answer (tracker/db/postgresql).
    DATABASES["default"]["ENGINE"] = "tracker.db.postgresql"
    # A database that does not answer is an outage in seconds (a 503), not a hung worker:
    # a connect timeout for new connections; TCP keepalives and a user timeout for a
    # server that vanished (a fail-over, a cut network) under an open connection; a
    # statement timeout for a query the server takes too long over; and an idle
    # transaction left by a client that died gives its locks back. Commands that run
    # long statements on purpose (migrate, generate_demo...) run without a statement
    # timeout (manage.py sets DATABASE_STATEMENT_TIMEOUT=0 for them).
    _statement_ms = int(float(env("DATABASE_STATEMENT_TIMEOUT", "5")) * 1000)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": int(env("DATABASE_CONNECT_TIMEOUT", "3")),
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 5,
            "keepalives_count": 3,
            "tcp_user_timeout": int(env("DATABASE_TCP_USER_TIMEOUT", "20")) * 1000,
            "options": f"-c statement_timeout={_statement_ms} -c idle_in_transaction_session_timeout=60000",
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections are kept like PostgreSQL's, and dropped when the file they opened is
    # no longer the one at the path (deleted, unmounted, restored): tracker/db/sqlite3.
    DATABASES["default"]["ENGINE"] = "tracker.db.sqlite3"
    # The test database is in memory, as Django (and pytest-django, which only knows
    # Django's SQLite by name) makes it by default.
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
    # Many readers and one writer without "database is locked" under the dev server.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# A read replica (streaming replication of the primary): public pages and API reads go
# there, the admin and every write to the primary (tracker/routers.py).
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True
    )
    DATABASES["replica"]["ENGINE"] = DATABASES["default"]["ENGINE"]
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["tracker.routers.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Two stores. "default": cached pages and API answers, which may be evicted at any time
# (a miss renders). "rates": the rate counters (API throttles, the alert form's limits),
# which must not be: in production a Redis of their own with `maxmemory-policy
# noeviction` (docs/deploying.md, "Redis"). Without RATES_CACHE_URL they share CACHE_URL.
CACHES = {
    "default": cache_from_url(env("CACHE_URL", "locmem://")),
    "rates": cache_from_url(env("RATES_CACHE_URL") or env("CACHE_URL", "locmem://"), "RATES_CACHE_URL"),
}
# Each app process also keeps the cached responses it used in its own memory, up to
# this many MB (tracker/caching/responses.py). Unset: 32 in front of Redis, none in front
# of locmem (which is the process's memory already).
RESPONSE_MEMORY_CACHE_MB = float(env("RESPONSE_MEMORY_CACHE_MB")) if env("RESPONSE_MEMORY_CACHE_MB") else None

# The edge cache in front of the app servers (Varnish: deploy/varnish/tracker.vcl,
# tracker/caching/edge.py). EDGE_PURGE_URLS: each edge's address for purges, comma
# separated (http://127.0.0.1:6081/); empty: no edge, responses are not marked for one.
# A public response is kept there up to EDGE_MAX_AGE seconds; every change readers can
# see purges what it touched within a moment of its commit (the worker, purge.py, tries
# each edge again until it acknowledges).
EDGE_PURGE_URLS = env_list("EDGE_PURGE_URLS", "")
EDGE_MAX_AGE = int(env("EDGE_MAX_AGE", "300"))
EDGE_KEYS_MAX_BYTES = int(env("EDGE_KEYS_MAX_BYTES", "7000"))  # Varnish's header line limit is 8k
EDGE_PURGE_TIMEOUT_SECONDS = float(env("EDGE_PURGE_TIMEOUT_SECONDS", "2"))
EDGE_PURGE_POLL_SECONDS = float(env("EDGE_PURGE_POLL_SECONDS", "0.1"))

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed staff logins: locked out per username and address after five tries for 15 minutes.
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "tracker.proxies.client_address"

# Reverse proxies in front of the app servers (tracker/proxies.py). 0: none trusted,
# the client is the socket's peer and X-Forwarded-For is ignored (it is spoofable).
# N: N proxies we run each append to TRUSTED_PROXY_HEADER; the client is the N-th
# entry from the right. `make cluster`'s nginx is 1 hop; a CDN in front of it makes 2.
TRUSTED_PROXY_HOPS = int(env("TRUSTED_PROXY_HOPS", "0"))
TRUSTED_PROXY_HEADER = env("TRUSTED_PROXY_HEADER", "X-Forwarded-For")
if TRUSTED_PROXY_HOPS < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_HOPS must be 0 or more.")

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# In development WhiteNoise serves straight from the app and project static folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
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
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Production is HTTPS only. To try `make serve` over plain http on a laptop, set
# SECURE_SSL_REDIRECT=false and SECURE_COOKIES=false.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))

# Content-Security-Policy (Django 6's own middleware): our pages load nothing from
# elsewhere; inline scripts and styles must carry the per-request nonce.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

SITE_NAME = "Policy Desk Tracker"
# Used for absolute links in feeds, JSON-LD and API payloads when there is no request.
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["tracker.api.renderers.FastJSONRenderer", "tracker.api.renderers.CSVRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "tracker.api.negotiation.ContentNegotiation",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # No header: anonymous. `Authorization: Api-Key <key>`: a partner. A bad key: 401.
    "DEFAULT_AUTHENTICATION_CLASSES": ["tracker.api.authentication.APIKeyAuthentication"],
    "DEFAULT_FILTER_BACKENDS": ["tracker.api.filtering.StrictFilterBackend", "tracker.api.filtering.SearchFilter"],
    "DEFAULT_PAGINATION_CLASS": "tracker.api.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["tracker.api.throttles.APIRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_ANON_RATE", "60/min"),
        "partner": env("API_PARTNER_RATE", "1200/min"),
        "export": env("API_EXPORT_RATE", "20/hour"),
    },
    "EXCEPTION_HANDLER": "tracker.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "tracker.api.schema.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Policy Desk Tracker API",
    "DESCRIPTION": "The published record of the policy desk: claims, evidence, sources, "
    "agreements, meetings, people, parties, topics and corrections.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Tags and operation ids from the path after /api/v1: "claims", "claims_list".
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        f"{name}Enum": f"tracker.desk.choices.{name}"
        for name in (
            "AgreementKind",
            "AgreementStatus",
            "CorrectionKind",
            "DatePrecision",
            "MeetingFormat",
            "PartyKind",
            "Reliability",
            "SourceKind",
            "Stance",
            "Verdict",
        )
    },
}

# Background jobs (webhook deliveries, alert mail) on Django's tasks framework. Jobs are
# rows in the database; `manage.py run_worker` (started by `make run` and `make serve`)
# runs them. Nothing is delivered or mailed inside a web request.
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# The worker writes a heartbeat this often; /healthz calls it dead after WORKER_STALE_SECONDS.
WORKER_HEARTBEAT_SECONDS = int(env("WORKER_HEARTBEAT_SECONDS", "10"))
WORKER_STALE_SECONDS = int(env("WORKER_STALE_SECONDS", "60"))

# Mail (Django 6.1's MAILERS). Development prints it on the console (EMAIL_BACKEND=file
# writes .eml files to EMAIL_FILE_PATH instead); production sends through SMTP.
_MAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
_mail_backend = env("EMAIL_BACKEND", "console" if DEBUG else "smtp")
if _mail_backend not in _MAIL_BACKENDS:
    raise ImproperlyConfigured(f"EMAIL_BACKEND must be one of {', '.join(_MAIL_BACKENDS)}, not {_mail_backend!r}.")
_mail_options: dict = {}
if _mail_backend == "file":
    _mail_options = {"file_path": env("EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))}
elif _mail_backend == "smtp":
    _mail_options = {
        "host": env("EMAIL_HOST", "localhost"),
        "port": int(env("EMAIL_PORT", "587")),
        "username": env("EMAIL_HOST_USER") or None,
        "password": env("EMAIL_HOST_PASSWORD") or None,
        "use_tls": env_bool("EMAIL_USE_TLS", True),
        "use_ssl": env_bool("EMAIL_USE_SSL", False),
        "timeout": int(env("EMAIL_TIMEOUT", "20")),
    }
MAILERS = {"default": {"BACKEND": _MAIL_BACKENDS[_mail_backend], "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Policy Desk Tracker <alerts@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Webhooks (tracker.delivery.webhooks). Endpoints are https; plain http to the loopback
# address is allowed only while DEBUG is on (or WEBHOOK_ALLOW_HTTP_LOOPBACK=true), for
# trying a receiver on a laptop. A failed attempt is retried after
# WEBHOOK_RETRY_BASE_SECONDS * 2**(attempt - 1), up to WEBHOOK_MAX_ATTEMPTS attempts;
# WEBHOOK_PAUSE_AFTER_FAILURES failed attempts in a row pause the endpoint.
WEBHOOK_ALLOW_HTTP_LOOPBACK = env_bool("WEBHOOK_ALLOW_HTTP_LOOPBACK", DEBUG)
WEBHOOK_TIMEOUT_SECONDS = float(env("WEBHOOK_TIMEOUT_SECONDS", "5"))
WEBHOOK_RETRY_BASE_SECONDS = float(env("WEBHOOK_RETRY_BASE_SECONDS", "30"))
WEBHOOK_MAX_ATTEMPTS = int(env("WEBHOOK_MAX_ATTEMPTS", "8"))
WEBHOOK_PAUSE_AFTER_FAILURES = int(env("WEBHOOK_PAUSE_AFTER_FAILURES", "10"))
# Each worker runs WEBHOOK_WORKERS webhook loops beside its mail loop and its jobs; at
# most WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT attempts to one endpoint run at once, so a
# slow partner holds that many loops and nobody else's deliveries (webhooks.py).
WEBHOOK_WORKERS = int(env("WEBHOOK_WORKERS", "4"))
WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT = int(env("WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT", "2"))

# The outbox (tracker.delivery.mail): a mail the server refused is tried again after
# MAIL_RETRY_BASE_SECONDS * 2**(attempt - 1), up to MAIL_MAX_ATTEMPTS attempts.
MAIL_RETRY_BASE_SECONDS = float(env("MAIL_RETRY_BASE_SECONDS", "30"))
MAIL_MAX_ATTEMPTS = int(env("MAIL_MAX_ATTEMPTS", "8"))

# Email alerts (tracker.delivery.alerts): an unconfirmed subscription is deleted after
# ALERTS_CONFIRM_HOURS; daily digests go out at ALERTS_DIGEST_HOUR (UTC). Subscribing is
# limited per address of the visitor and per email address (ALERTS_SUBSCRIBE_RATE per hour).
ALERTS_CONFIRM_HOURS = int(env("ALERTS_CONFIRM_HOURS", "48"))
ALERTS_DIGEST_HOUR = int(env("ALERTS_DIGEST_HOUR", "7"))
ALERTS_SUBSCRIBE_RATE = int(env("ALERTS_SUBSCRIBE_RATE", "10"))

LOG_FORMAT = env("LOG_FORMAT", "plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}.")
# One line per request (tracker.requests), outages once per interval (tracker.outage),
# errors with who asked for what; never a header, a cookie or a body (tracker/requestlog.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "quiet_outage": {"()": "tracker.outage.QuietOutageFilter"},
        "request_context": {"()": "tracker.requestlog.RequestContextFilter"},
        "request_id": {"()": "tracker.logs.RequestIdFilter"},
    },
    # One record, one line, whatever it quotes (tracker/logs.py); LOG_FORMAT=json for
    # JSON lines.
    "formatters": {
        "plain": {
            "()": "tracker.logs.SafeFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {"()": "tracker.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR", "filters": ["quiet_outage", "request_context"]},
        # runserver's own access line duplicates tracker.requests.
        "django.server": {"level": "WARNING"},
        "tracker.requests": {"level": env("REQUEST_LOG_LEVEL", "INFO")},
        # A line per sign-in is noise; lock-outs are logged as warnings.
        "axes": {"level": "WARNING"},
        # The worker's own "starting"/"no more tasks" lines come every second; jobs are
        # still logged one line each by django.tasks.
        "django_tasks_db": {"level": "WARNING"},
        # Django's own "django" logger also prints while DEBUG is on: one line, not two.
        "django.tasks": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
AXES_VERBOSE = False

# HSTS for subdomains and the preload list are decisions for whoever owns the domain,
# not for the application.
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
