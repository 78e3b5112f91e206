"""Settings, read from the environment.

With no environment at all this is the embedded default: SQLite, Celery eager, media on local disk,
DEBUG on. Production sets DJANGO_DEBUG=false and real secrets; see README.md for every variable.
"""

import base64
import hashlib
import re
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# The embedded default needs no secret; production must give one (checked below).
_DEV_SECRET_KEY = "django-insecure-embedded-default-for-local-use-only"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_DEBUG is false.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

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
    "storages",
    # Sign-in lock-out (huesmart/security.py) and the Content-Security-Policy header.
    "axes",
    "csp",
    "agencies",
    "reports",
    "cameras",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Above everything that answers by itself (the database outage page, WhiteNoise), so every answer has the policy.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session and auth middleware: a database outage anywhere below answers 503 with Retry-After.
    "huesmart.middleware.DatabaseUnavailableMiddleware",
    # A NUL byte in a path, query or body is refused (400) before anything looks up a string with it.
    "huesmart.middleware.RefuseNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its page (huesmart.security.lockout_response).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "huesmart.urls"
WSGI_APPLICATION = "huesmart.wsgi.application"

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
                "django.template.context_processors.i18n",
                "huesmart.context_processors.platform",
            ],
        },
    },
]

if not env.str("DATABASE_URL", default=""):
    # SQLite cannot create the folder its file lives in.
    VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'huesmart.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("TEST", {})
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several writers (runserver threads, tests) wait for the lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The guard first: it refuses a locked-out or over-limit sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "huesmart.security.LoginGuardBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "reports:home"

# Vietnamese first: the city's language is the default, English is chosen by the browser or the switch.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("CITY_TIME_ZONE", default="Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True
# Dates as "Thứ 3, 24/11/2026 14:05" and figures as 1.234 in Vietnamese; day first and a 24-hour clock in English.
FORMAT_MODULE_PATH = "huesmart.formats"
# A stale form (its CSRF token expired) gets a page that says nothing was saved and what to do, in their language.
CSRF_FAILURE_VIEW = "huesmart.errors.csrf_failure"

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")

# Media on local disk by default; S3-compatible object storage (MinIO, AWS, ...) when a bucket is named.
AWS_STORAGE_BUCKET_NAME = env.str("S3_BUCKET", default="")
if AWS_STORAGE_BUCKET_NAME:
    import botocore.config

    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY_ID", default=""),
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default=""),
            "region_name": env.str("S3_REGION", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            # django-storages builds the client from this alone when it is given:
            # - presigned links to originals are signed with version 4: newer AWS regions accept nothing else;
            # - an unreachable endpoint fails in seconds (readiness probes, uploads), not after minutes of retries.
            "client_config": botocore.config.Config(
                signature_version="s3v4",
                s3={"addressing_style": "auto"},
                connect_timeout=5,
                read_timeout=60,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        },
    }
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Reporters' contact details are encrypted at rest with these Fernet keys: the first encrypts, all
# decrypt, so a key can be rotated by putting the new one first (comma-separated).
_DEV_CONTACT_KEY = "bG9jYWwtZW1iZWRkZWQtZGVmYXVsdC1rZXktMDAwMDA="
CONTACT_ENCRYPTION_KEYS = env.list("CONTACT_ENCRYPTION_KEYS", default=[_DEV_CONTACT_KEY])
if not DEBUG and _DEV_CONTACT_KEY in CONTACT_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("CONTACT_ENCRYPTION_KEYS must be set when DJANGO_DEBUG is false.")

# The public ledger's checkpoints are signed with this Ed25519 key: 32 random bytes in base64 (the seed of the
# private key). Its public half is published; losing it means starting a new log under a new origin.
_DEV_LEDGER_KEY = "bG9jYWwtZW1iZWRkZWQtbGVkZ2VyLWRldi1rZXktMDA="
LEDGER_SIGNING_KEY = env.str("LEDGER_SIGNING_KEY", default=_DEV_LEDGER_KEY)
if not DEBUG and LEDGER_SIGNING_KEY == _DEV_LEDGER_KEY:
    raise ImproperlyConfigured("LEDGER_SIGNING_KEY must be set when DJANGO_DEBUG is false.")
# The name the ledger signs under (the first line of every checkpoint); never change it once published.
LEDGER_ORIGIN = env.str("LEDGER_ORIGIN", default="huesmart.hue/ledger")

# Celery: eager (in-process) unless a broker is configured.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
# In eager mode a failing follow-up (an e-mail) must not turn a saved report into an error page.
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged only once it finished, and redelivered if its worker died; time limits keep
# every task well inside the broker's visibility timeout so a running task is never delivered twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_DEFAULT_QUEUE = "default"
# The nice value (0-19) each worker process runs its tasks at (huesmart/celery.py). Where workers share cores with
# the web processes, a burst of reports then delays what follows them (public photos, statistics, the ledger) instead
# of the citizens' submissions themselves; on hosts of their own it changes nothing. 0 leaves the priority alone.
WORKER_NICENESS = env.int("WORKER_NICENESS", default=10)
CELERY_TASK_ROUTES = {
    "reports.tasks.media_*": {"queue": "media"},
    # Camera segments hold a worker for up to a minute each: their own queue and workers (docs/camera-workers.md).
    "cameras.tasks.camera_segment": {"queue": "cameras"},
    "cameras.tasks.detection_evidence": {"queue": "media"},
}
# Task modules autodiscovery does not find (it looks for <app>/tasks.py only).
CELERY_IMPORTS = ("reports.transparency.tasks", "dashboard.sla", "dashboard.classifier.tasks")
# How long a retried report (same Idempotency-Key) gets the first answer back: a phone offline for a day still does.
IDEMPOTENCY_HOURS = 48
CELERY_BEAT_SCHEDULE = {
    "close-resolved-cases": {"task": "reports.tasks.close_resolved_cases", "schedule": 3600.0},
    "process-pending-media": {"task": "reports.tasks.media_sweep", "schedule": 600.0},
    "expire-uploads": {"task": "reports.tasks.upload_sweep", "schedule": 3600.0},
    # Warns, marks overdue and escalates; safe to run twice or late (see agencies/escalation.py).
    "deadline-sweep": {"task": "agencies.tasks.deadline_sweep", "schedule": 600.0},
    # The open-data files of /transparency/data/ (reports/transparency/exports.py).
    "transparency-daily-exports": {
        "task": "reports.transparency.tasks.transparency_daily_exports",
        "schedule": crontab(hour=2, minute=15),
    },
    # Events are appended as they commit; the sweep catches any a lost message or a long transaction left behind.
    "ledger-append-sweep": {"task": "reports.tasks.ledger_append_sweep", "schedule": 60.0},
    "ledger-checkpoint": {"task": "reports.tasks.ledger_checkpoint", "schedule": 300.0},
    # Statistics rollups and map cells are computed as events commit; this catches marks a lost message left.
    "rollups-refresh": {"task": "reports.tasks.rollups_refresh", "schedule": 60.0},
    # The outbox's relay process hands tasks over as they commit; this covers for it while it is down.
    "outbox-relay": {"task": "reports.tasks.outbox_relay", "schedule": 10.0},
    # Steps whose notice a lost message or a long gateway outage left unsent (reports/notifications/sweep.py).
    "notices-sweep": {"task": "reports.tasks.notices_sweep", "schedule": 900.0},
    # Sent outbox rows and expired idempotency keys.
    "forget-old-rows": {"task": "reports.tasks.forget_old_rows", "schedule": 3600.0},
    # Recomputes the whole ledger and checks every signature and proof; alerts the admins on failure.
    "ledger-self-check": {"task": "reports.tasks.ledger_self_check", "schedule": 86400.0},
    # The category classifier learns from the day's verified cases (a run with nothing new is skipped).
    "classifier-train": {"task": "dashboard.classifier.tasks.classifier_train", "schedule": crontab(hour=3, minute=30)},
    # Starts enabled cameras without a live lease: never started, or their worker died (resumed within a minute).
    "cameras-sweep": {"task": "cameras.tasks.cameras_sweep", "schedule": 20.0},
}

# A Redis that is down or unreachable costs a request at most these seconds, not the system's TCP timeouts: reports
# are received without Redis (huesmart/ratelimit.py lets requests through while the cache does not answer).
REDIS_CACHE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# SMS and Zalo messages (reports/notifications/gateways.py): the dotted path of the gateway's backend class.
TEXT_MESSAGE_BACKEND = env.str("TEXT_MESSAGE_BACKEND", default="reports.notifications.gateways.ConsoleBackend")
# Web Push (reports/notifications/push.py). With no keys set, a DEBUG server makes a pair once in var/webpush-vapid.key;
# outside DEBUG, push is not offered until the keys are set.
WEBPUSH_VAPID_PRIVATE_KEY = env.str("WEBPUSH_VAPID_PRIVATE_KEY", default="")
WEBPUSH_VAPID_PUBLIC_KEY = env.str("WEBPUSH_VAPID_PUBLIC_KEY", default="")
WEBPUSH_VAPID_SUBJECT = env.str("WEBPUSH_VAPID_SUBJECT", default="mailto:no-reply@localhost")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="huesmart <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Who hears of failures the platform finds itself (the daily ledger self-check, server errors): e-mail addresses.
ADMINS = [("huesmart admin", address) for address in env.list("ADMINS", default=[])]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "huesmart.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "huesmart API",
    "DESCRIPTION": "Citizen reports, the case life cycle, and the public record of a smart city.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Production hardening; the embedded default keeps plain HTTP on loopback.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe over plain HTTP, behind the TLS proxy (huesmart/health.py).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Other sites learn at most the site's origin, never a page's address: tile servers ask for a Referer (the
# OpenStreetMap Foundation's tile usage policy), so "same-origin" would get the maps refused. Pages whose address
# holds a reporter's secret send none at all (reports/views.py, PRIVATE_LINK_REFERRER_POLICY).
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
# Preloading HSTS is a one-way decision for the city's domain; it is left to the operator.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]


# The client's address is REMOTE_ADDR, or with this many reverse proxies in front of the app (a TLS proxy, a load
# balancer), the X-Forwarded-For entry the farthest of them appended (huesmart/ratelimit.py). Wrong, it either
# counts every client as the proxy or lets clients pick their address: docker-compose.yml's web sits behind one.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")


def _rates(name, default):
    """A scope's rate limits: "count/period" with period s, m, h or d (django-ratelimit's form), comma-separated."""
    rates = [rate.strip() for rate in env.list(name, default=default) if rate.strip()]
    for rate in rates:
        if not re.fullmatch(r"\d+/\d*[smhd]", rate):
            raise ImproperlyConfigured(f"{name}: {rate!r} is not a rate such as 10/m or 60/h.")
    return rates


# Per-client limits (huesmart/ratelimit.py), each scope's all to hold; an empty value turns a scope's off. They
# count per address: behind a carrier's NAT many phones share one, hence the hourly room.
RATE_LIMITS = {
    # Reports sent by the page and by the API: one count for both.
    "submit": _rates("RATE_LIMIT_SUBMIT", ["10/m", "60/h"]),
    # Files sent ahead by the report page (up to MEDIA_MAX_FILES a report, retried on weak connections).
    "upload": _rates("RATE_LIMIT_UPLOAD", ["60/m", "360/h"]),
    # Looking a case up by its code: the tracking page and the API's case.
    "track": _rates("RATE_LIMIT_TRACK", ["60/m", "1000/h"]),
    # Failed sign-ins from one address, whatever the username (the lock-out below is per username and address).
    "login": _rates("RATE_LIMIT_LOGIN", ["10/m", "30/h"]),
    # Sign-in codes sent (e-mail or SMS) per address, whatever the contact; each contact also gets at most 3 an hour.
    "sign_in_code": _rates("RATE_LIMIT_SIGN_IN_CODE", ["3/m", "20/h"]),
    # Open311 POST per address, before its API key is even read; each key also has its own limit per minute.
    "open311": _rates("RATE_LIMIT_OPEN311", ["120/m"]),
    # Edge cameras' signed events, per address.
    "camera_events": _rates("RATE_LIMIT_CAMERA_EVENTS", ["120/m"]),
}

# Sign-in lock-out (django-axes, huesmart/security.py): one username from one address, never the username alone,
# so nobody can lock a colleague out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "huesmart.ratelimit.client_ip"
AXES_LOCKOUT_CALLABLE = "huesmart.security.lockout_response"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# The platform itself: the city it serves and the limits of what a citizen may send.
CITY_NAME = env.str("CITY_NAME", default="Huế")
CITY_CODE = env.str("CITY_CODE", default="HUE")
CITY_CENTER = (env.float("CITY_LATITUDE", default=16.4637), env.float("CITY_LONGITUDE", default=107.5909))
# Reports are accepted inside this box (south, west, north, east); a point outside is a clear error.
CITY_BOUNDS = tuple(env.list("CITY_BOUNDS", cast=float, default=[16.30, 107.40, 16.65, 107.80]))
MAP_TILE_URL = env.str("MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="&copy; OpenStreetMap contributors")
MEDIA_MAX_FILES = env.int("MEDIA_MAX_FILES", default=6)
MEDIA_MAX_PHOTO_BYTES = env.int("MEDIA_MAX_PHOTO_BYTES", default=15 * 1024 * 1024)
MEDIA_MAX_VIDEO_BYTES = env.int("MEDIA_MAX_VIDEO_BYTES", default=100 * 1024 * 1024)
MEDIA_MAX_PIXELS = env.int("MEDIA_MAX_PIXELS", default=50_000_000)
# A photo is flagged for the centre when its GPS says it was taken farther than this from the case's pinned place,
# or its clock says more than this many hours before it was sent.
MEDIA_FAR_METRES = env.int("MEDIA_FAR_METRES", default=500)
MEDIA_OLD_HOURS = env.int("MEDIA_OLD_HOURS", default=72)
# Links to an original for its reporter, and the storage's own presigned links (S3), expire after this many seconds.
MEDIA_SIGNED_URL_SECONDS = env.int("MEDIA_SIGNED_URL_SECONDS", default=300)
# Longer videos are refused at upload, so that a transcode fits in the media task's time limit.
MEDIA_MAX_VIDEO_SECONDS = env.int("MEDIA_MAX_VIDEO_SECONDS", default=120)
# A resumable upload (reports/uploads.py) that received nothing for this many hours is removed by the sweep.
UPLOAD_EXPIRY_HOURS = env.int("UPLOAD_EXPIRY_HOURS", default=24)
# A resolved case the reporter neither confirms nor reopens is closed after this many days.
CASE_CONFIRM_DAYS = env.int("CASE_CONFIRM_DAYS", default=7)
# Step notices a lost message or a long gateway outage left unsent are sent again for this long (notices-sweep).
NOTIFICATION_RETRY_HOURS = env.int("NOTIFICATION_RETRY_HOURS", default=48)
# A reporter may reopen a closed case within this many days of its closing.
CASE_REOPEN_DAYS = env.int("CASE_REOPEN_DAYS", default=30)
# Duplicates: open cases of the same category within this distance and this many days of each other.
DUPLICATE_RADIUS_METRES = env.int("DUPLICATE_RADIUS_METRES", default=300)
DUPLICATE_DAYS = env.int("DUPLICATE_DAYS", default=30)
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# The centre's clock: a submitted case should be verified within this many working days.
CENTRE_VERIFY_WORKING_DAYS = env.int("CENTRE_VERIFY_WORKING_DAYS", default=1)
# The agency is warned this many hours before its deadline.
DEADLINE_WARNING_HOURS = env.int("DEADLINE_WARNING_HOURS", default=24)
# A case still open this many hours past its deadline is escalated to the agency's parent and to the centre.
ESCALATE_AFTER_HOURS = env.int("ESCALATE_AFTER_HOURS", default=24)
# Open311 GeoReport v2: the city's jurisdiction_id (a request naming another is refused), and the base URL of a
# test endpoint the discovery document lists beside this one (none when empty).
OPEN311_JURISDICTION_ID = env.str("OPEN311_JURISDICTION_ID", default="hue.huesmart.vn")
OPEN311_TEST_ENDPOINT = env.str("OPEN311_TEST_ENDPOINT", default="")
BENCH_BASELINES = env.bool("HUESMART_BENCH_BASELINES", default=False)

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024


def _origin(url):
    """scheme://host[:port] of a URL for a CSP source; a templated host ({s}.tile.example.org) becomes a wildcard."""
    match = re.match(r"^(https?)://([^/?#]+)", url or "")
    if match is None:
        return None
    scheme, host = match.groups()
    labels = host.split(".")
    templated = [i for i, label in enumerate(labels) if "{" in label]
    if templated:
        host = ".".join(["*", *labels[templated[-1] + 1 :]])
    return f"{scheme}://{host}"


def _inline_style_hashes(template):
    """CSP hashes of the <style> blocks of a page that must need no other file (the database outage page)."""
    blocks = re.findall(r"<style>(.*?)</style>", template.read_text(), re.DOTALL)
    return [f"'sha256-{base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()}'" for block in blocks]


# Where pages may load things from (django-csp). No inline script anywhere: every script is a file of static/js or
# static/vendor, values reach it through data- attributes. Styles: site.css and the vendored libraries' CSS files;
# Leaflet, its plugins and Swagger UI place and size elements through the CSSOM (element.style), which CSP does not
# govern, so none of them needs 'unsafe-inline'. Images: map tiles from MAP_TILE_URL's host, data: URIs in the
# vendored CSS (the area editor's and Swagger UI's icons), and the media bucket, to which originals redirect.
_MEDIA_ORIGINS = []
if AWS_STORAGE_BUCKET_NAME:
    # Without an endpoint, AWS S3 itself: bucket.s3.<region>.amazonaws.com.
    _MEDIA_ORIGINS = [_origin(_media_storage["OPTIONS"]["endpoint_url"]) or "https://*.amazonaws.com"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "style-src": ["'self'", *_inline_style_hashes(BASE_DIR / "templates" / "503.html")],
        "img-src": ["'self'", "data:", *filter(None, [_origin(MAP_TILE_URL)]), *_MEDIA_ORIGINS],
        "media-src": ["'self'", *_MEDIA_ORIGINS],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
