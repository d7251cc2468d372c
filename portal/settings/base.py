"""Settings shared by every environment. Everything that differs between
machines is read from environment variables (see `.env.example`)."""

import json
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE as CSP_NONCE
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF

from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "portal",
    "portal.background",
    "gradebook",
    "gradebook.register",
    "gradebook.yearend",
    "library",
    "library.circulation",
    "cms",
    "messaging",
    "notifications",
    "intranet",
    "eservices",
    "analytics",
    "webpush",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "csp",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.PortalCSPMiddleware",
    # Before anything reads the path or the form: a NUL byte is a 400 (portal/inputs.py).
    "portal.inputs.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # allauth's UserSessionsMiddleware, writing the sessions list once a minute
    # rather than on every request.
    "portal.middleware.ThrottledUserSessionsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.audit.ReadAuditMiddleware",
    "portal.middleware.StaffIdleTimeoutMiddleware",
    "portal.middleware.RequireStaffMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"
# One pattern for every form and field (required markers, help text and error ids).
FORM_RENDERER = "portal.forms_renderer.PortalFormRenderer"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "portal.context_processors.portal",
                "portal.context_processors.header_counters",
            ],
        },
    },
]

# Database: DATABASE_URL, or the embedded SQLite file under var/.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process and the task worker read while the other writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: shared between processes so that login rate limits hold across workers.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
        }
    }

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "/"

# django-allauth: accounts are created by schools, never by open sign-up.
ACCOUNT_ADAPTER = "portal.adapters.PortalAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email", "password1*", "password2*"]
# Addresses are verified, but signing in never waits for it (no sign-up here, so
# "optional" only matters for the change-of-address flow below).
ACCOUNT_EMAIL_VERIFICATION = "optional"
# Changing the address keeps the old one until the new one is confirmed by a link
# sent to it; password reset mails go to verified addresses only
# (portal.accounts.PortalResetPasswordForm).
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = int(
    os.environ.get("ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS", "7")
)
ACCOUNT_FORMS = {
    "login": "portal.accounts.PortalLoginForm",
    "reset_password": "portal.accounts.PortalResetPasswordForm",
}
# Changing the e-mail address or the password (and managing MFA) asks for the
# current password (or a second-factor code) unless it was given in the last
# ACCOUNT_REAUTHENTICATION_TIMEOUT seconds.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = int(os.environ.get("ACCOUNT_REAUTHENTICATION_TIMEOUT", "300"))
# Tell the owner (at the old address) when the password or the address changes.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
# Failed sign-ins are limited per client address and per login at that address, so
# that nobody can lock out others; an account-wide limit stops a guesser who rotates
# addresses but never applies on a device the account used before (portal.lockout).
# Successful sign-ins per address are generous: a whole school may share one
# public address (a class of 30 signing in at the start of a lesson).
ACCOUNT_RATE_LIMITS = {
    "login": os.environ.get("RATE_LIMIT_LOGIN", "120/m/ip"),
    "login_failed": os.environ.get("RATE_LIMIT_LOGIN_FAILED", "30/m/ip,5/5m/key"),
    "login_failed_account": os.environ.get("RATE_LIMIT_LOGIN_FAILED_ACCOUNT", "30/h/key"),
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
# Addresses (or networks) of our own reverse proxies: only they may tell the
# client's address in X-Forwarded-For (portal.clientip). nginx on the same
# machine: TRUSTED_PROXIES=127.0.0.1,::1. Empty: the header is ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "portal.adapters.PortalMFAAdapter"
# allauth refuses MFA while any address is unverified, against accounts opened by
# sign-up with someone else's address. There is no sign-up here, and staff must
# enrol TOTP even while a new address set by the school awaits confirmation.
MFA_ALLOW_UNVERIFIED_EMAIL = True
# Fernet key(s) encrypting TOTP secrets and recovery-code seeds in the database;
# a comma-separated list rotates keys (the first encrypts, all decrypt). Required
# in production; dev and tests derive one from SECRET_KEY.
MFA_ENCRYPTION_KEY = os.environ.get("MFA_ENCRYPTION_KEY", "")
MFA_TOTP_ISSUER = os.environ.get("MFA_TOTP_ISSUER", "Portal Oświatowy")
USERSESSIONS_TRACK_ACTIVITY = True
# Staff roles must enrol a second factor before they reach their tools.
PORTAL_MFA_REQUIRED_FOR_STAFF = env_bool("PORTAL_MFA_REQUIRED_FOR_STAFF", True)

# Internationalisation: Polish first, English second.
# One date style in Polish: "1 grudnia 2026" in prose, "01.12.2026" in tables.
FORMAT_MODULE_PATH = ["portal.formats"]
LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("Polish")), ("en", _("English"))]
# The project's catalogue, then Polish for the third-party apps' strings that their own
# catalogues lack (Wagtail's admin); both take precedence over the apps' catalogues.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "third_party" / "locale"]
TIME_ZONE = "Europe/Warsaw"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20_000

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work goes through Django's task API; the database backend is the
# embedded default, TASK_BACKEND=rq switches to Redis (RQ) at scale.
TASK_BACKEND = os.environ.get("TASK_BACKEND", "database")
if TASK_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASK_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# `manage.py task_worker` writes its heartbeat this often (seconds); a worker silent for
# TASK_WORKER_LOST_AFTER seconds counts as gone: staff see a banner while tasks wait, and
# the tasks it was running are marked failed. The banner's check is remembered per process
# for TASK_WORKER_BANNER_CACHE seconds. A failed e-mail is tried by up to that many runs.
TASK_WORKER_HEARTBEAT = int(os.environ.get("TASK_WORKER_HEARTBEAT", "15"))
# The database task worker also queues the periodic jobs (notification digests, library
# reminders) when they are due; turn off where cron runs their commands instead.
TASK_WORKER_PERIODIC = os.environ.get("TASK_WORKER_PERIODIC", "1") not in ("0", "false", "")
TASK_WORKER_LOST_AFTER = int(os.environ.get("TASK_WORKER_LOST_AFTER", "300"))
TASK_WORKER_BANNER_CACHE = 30
MAIL_DELIVERY_MAX_ATTEMPTS = 5

# Wagtail
WAGTAIL_SITE_NAME = os.environ.get("WAGTAIL_SITE_NAME", "Portal Oświatowy")
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
WAGTAIL_I18N_ENABLED = False
WAGTAIL_CONTENT_LANGUAGES = [("pl", "Polski")]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("pl", "Polski"), ("en", "English")]
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "ods", "pdf", "rtf", "txt", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False  # allauth owns passwords

# --- Web security headers (docs/security.md lists them as sent) -----------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8
# Staff (everyone who must use a second factor) are signed out after this many
# seconds without activity; the page warns STAFF_IDLE_WARNING seconds before.
STAFF_IDLE_TIMEOUT = int(os.environ.get("STAFF_IDLE_TIMEOUT", str(30 * 60)))
STAFF_IDLE_WARNING = int(os.environ.get("STAFF_IDLE_WARNING", "120"))
LANGUAGE_COOKIE_SAMESITE = "Lax"
# No page of the site may be framed; the admin (Wagtail's preview) allows its own
# origin (portal.middleware.SecurityHeadersMiddleware).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Private pages carry pupils' ids in their addresses: no referrer leaves the site.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)
# Content-Security-Policy (django-csp), in development too so that a violation
# shows while building: scripts only from our own files (the one inline script
# carries the per-request nonce), no inline event handlers, no `javascript:` URLs,
# no plugins, forms post only to us. Embedded videos: CSP_FRAME_SRC.
_SELF, _NONE = CSP_SELF, CSP_NONE
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF, CSP_NONCE],
        "style-src": [_SELF],
        # Colours of grade categories and the bars of the municipal charts are
        # set per element; attributes cannot load or select anything.
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        # The service worker (/sw.js) and the web app manifest are our own files.
        "worker-src": [_SELF],
        "manifest-src": [_SELF],
        "frame-src": env_list(
            "CSP_FRAME_SRC",
            "https://www.youtube.com,https://www.youtube-nocookie.com,https://player.vimeo.com",
        ),
        "object-src": [_NONE],
        "base-uri": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": [_NONE],
    },
}
# The admin (staff with a second factor only) keeps Wagtail's inline scripts and
# styles working; framing by itself for the page preview.
CSP_ADMIN_DIRECTIVES = {
    "default-src": [_SELF],
    "script-src": [_SELF, "'unsafe-inline'", "'unsafe-eval'"],
    "style-src": [_SELF, "'unsafe-inline'"],
    "img-src": [_SELF, "data:", "blob:", "https:"],
    "font-src": [_SELF, "data:"],
    "connect-src": [_SELF],
    "frame-src": [_SELF, *CONTENT_SECURITY_POLICY["DIRECTIVES"]["frame-src"]],
    "object-src": [_NONE],
    "base-uri": [_SELF],
    "form-action": [_SELF],
    "frame-ancestors": [_SELF],
}

# --- Web Push (webpush/, docs/webpush.md) ---------------------------------------------
# VAPID keys identify this portal to the browsers' push services; generate a pair
# with `manage.py vapid_keys`. Without all three, push is off (the portal still
# works and says so on the devices page). The subject is a contact address of the
# operator (mailto: or https:), sent to the push services.
VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY", "").strip()
VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY", "").strip()
VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "").strip()
# How long a push service keeps a message for a device that is offline (seconds),
# and how urgently it delivers it (very-low, low, normal, high).
WEBPUSH_TTL = int(os.environ.get("WEBPUSH_TTL", str(24 * 60 * 60)))
WEBPUSH_URGENCY = os.environ.get("WEBPUSH_URGENCY", "normal")
# Browsers may register only endpoints of these push services (host or its
# domain): the server POSTs to the stored address, so a free choice would let a
# user make it call any host (SSRF).
WEBPUSH_ALLOWED_HOSTS = env_list(
    "WEBPUSH_ALLOWED_HOSTS",
    "fcm.googleapis.com,push.services.mozilla.com,notify.windows.com,push.apple.com",
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # an untrusted (e.g. self-signed) certificate is a finding of verify_archive,
        # not a warning with a traceback on every check
        "pyhanko.sign.validation.generic_cms": {"level": "ERROR"},
        # WeasyPrint logs each step of every render ("Step 5 - Creating layout -
        # Page 28") at INFO: noise in the worker's log, kept for its warnings
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# --- year-end archive (§ 22; docs/operations.md) -----------------------------------------
# Each school's signing certificate: a PKCS#12 file on this server, configured by the
# operator (never uploaded through the web), as JSON keyed by the school's id, slug or
# RSPO number: {"sp1": {"pkcs12": "/etc/portal/sp1.p12", "passphrase_env": "SP1_P12_PASS"}}.
# The passphrase itself stays in the environment variable named by passphrase_env.
YEAR_END_SIGNING = json.loads(os.environ.get("YEAR_END_SIGNING", "") or "{}")
# Extra trusted roots (PEM or DER files) for checking archive signatures, e.g. the
# qualified trust service's root; the system's roots are trusted as well.
YEAR_END_TRUST_ROOTS = env_list("YEAR_END_TRUST_ROOTS")

# --- cms (public portal) ---------------------------------------------------------------
# Rich text anywhere without its own feature list gets the same small set as the
# news body; Draftail drops everything else that is pasted in.
WAGTAILADMIN_RICH_TEXT_EDITORS = {
    "default": {
        "WIDGET": "wagtail.admin.rich_text.DraftailRichTextArea",
        "OPTIONS": {
            "features": ["bold", "italic", "link", "document-link", "ol", "ul", "h3", "h4"]
        },
    }
}
# Contact forms: minimum seconds between showing and sending, token lifetime, and
# at most N messages per window (seconds) from one address.
CMS_FORM_MIN_SECONDS = int(os.environ.get("CMS_FORM_MIN_SECONDS", "3"))
CMS_FORM_MAX_AGE = 60 * 60 * 24
CMS_FORM_RATE_LIMIT = (int(os.environ.get("CMS_FORM_RATE_LIMIT", "5")), 600)


def process_cache(location: str, *, entries: int) -> dict:
    """A cache in the process's memory for a day, for what each process may keep."""
    return {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": location,
        "TIMEOUT": 60 * 60 * 24,
        "OPTIONS": {"MAX_ENTRIES": entries},
    }


# Each user's roles, kept in the process under the user's roles_version (bumped by
# every change they are computed from), so a request reads them with no query.
CACHES.setdefault("roles", process_cache("portal-roles", entries=20000))
# Wagtail looks renditions up in the "renditions" cache on every image it shows; a
# per-process memory cache keeps those lookups off the database cache (no writes per view).
CACHES.setdefault("renditions", process_cache("wagtail-renditions", entries=5000))
# The home, the school pages and the news indexes served from cache (cms/pagecache.py):
# after sign-in and language (the cache keys on both). Production needs a cache shared
# by every process (REDIS_URL); the database cache works but costs a query per read.
MIDDLEWARE += ["cms.pagecache.PageCacheMiddleware"]
CMS_PAGECACHE_TIMEOUT = int(os.environ.get("CMS_PAGECACHE_TIMEOUT", str(60 * 60 * 6)))
# --- end cms ---------------------------------------------------------------------------

# --- library circulation (issue 5) ------------------------------------------------------
# Public terminals (the library's kiosk and the infomaty, portal/terminal.py): sessions
# end with the browser and after this many idle seconds.
MIDDLEWARE += ["portal.terminal.PublicTerminalMiddleware"]
CIRCULATION_KIOSK_IDLE_SECONDS = int(os.environ.get("CIRCULATION_KIOSK_IDLE_SECONDS", "180"))

# --- public access points (issue 18) ----------------------------------------------------
# The access points' page draws its own map (SVG, no third-party script). A tile map in a
# frame only when this is set, e.g. to OpenStreetMap's embed:
# https://www.openstreetmap.org/export/embed.html?bbox={bbox}&layer=mapnik
# ({bbox} is replaced by the points' bounding box); its origin is allowed in frame-src.
ACCESS_POINTS_TILE_MAP_URL = os.environ.get("ACCESS_POINTS_TILE_MAP_URL", "")
if ACCESS_POINTS_TILE_MAP_URL:
    from urllib.parse import urlsplit

    _tiles = urlsplit(ACCESS_POINTS_TILE_MAP_URL)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["frame-src"].append(f"{_tiles.scheme}://{_tiles.netloc}")

# --- protected files (issue 11, files) ---------------------------------------------------
# Uploads that only some people may read (homework attachments, generated reading-list
# PDFs) live in the "private" storage, outside MEDIA_ROOT: no URL of the web server
# reaches them. Views check the permission and answer through
# portal.files.serve_protected_file (docs/security.md, docs/operations.md).
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
# The nginx-internal location of PRIVATE_MEDIA_ROOT (never reachable from outside).
PRIVATE_MEDIA_INTERNAL_URL = os.environ.get("PRIVATE_MEDIA_INTERNAL_URL", "/private-files/")
PRIVATE_STORAGE = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": PRIVATE_MEDIA_INTERNAL_URL},
}
STORAGES["private"] = PRIVATE_STORAGE
# Who sends the bytes of a protected file once the view has allowed it: "" (Django
# streams it), "nginx" (X-Accel-Redirect to an internal location) or "apache"
# (X-Sendfile, mod_xsendfile).
PROTECTED_FILES_SERVER = os.environ.get("PROTECTED_FILES_SERVER", "").strip().lower()
# Internal locations by storage, for X-Accel-Redirect: the private storage, and the
# default storage (MEDIA_ROOT), whose documents/ folder nginx marks `internal`.
PROTECTED_FILES_INTERNAL_URLS = {"private": PRIVATE_MEDIA_INTERNAL_URL, "default": MEDIA_URL}
# Wagtail documents always go through Wagtail's serve view (collection privacy), never
# a direct /media/documents/ URL; portal.files.sendfile hands them to the web server.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
SENDFILE_BACKEND = "portal.files"
# Reading-list PDFs: seconds a request waits for another one that is rendering the
# same version before it answers 503 (Retry-After).
LIBRARY_PDF_WAIT_SECONDS = int(os.environ.get("LIBRARY_PDF_WAIT_SECONDS", "15"))
# A MARC import that writes at least this many records ANALYZEs the tables it filled,
# so the planner knows their size at once (not when autovacuum gets round to it).
LIBRARY_ANALYZE_AFTER_RECORDS = int(os.environ.get("LIBRARY_ANALYZE_AFTER_RECORDS", "5000"))
# After such an import and after a reindex, the searches for the catalogue's commonest
# words and word pairs (in at least this many records, at most this many terms) are
# counted and ranked ahead (library.summaries), so their first reader does not wait.
LIBRARY_WARM_MIN_RECORDS = int(os.environ.get("LIBRARY_WARM_MIN_RECORDS", "2000"))
LIBRARY_WARM_QUERIES = int(os.environ.get("LIBRARY_WARM_QUERIES", "100"))
# Seconds between the task worker's runs that compute those searches again once a
# loan, a new copy or an edited record has made them stale.
LIBRARY_SUMMARIES_REFRESH = int(os.environ.get("LIBRARY_SUMMARIES_REFRESH", "600"))
# A binary MARC file of more than LIBRARY_IMPORT_PARALLEL_AFTER records is decoded,
# described and indexed in this many forked worker processes while the importer
# writes (library.preparing; 0: never); smaller files, MARCXML and JSON in-process.
# Two by default where there are two cores: one worker was the import's slower side
# (docs/library.md, "The import at 250,000, 5 December 2026").
# The cores this process may run on: a container's share, not the host's count (also
# how many connections library.summaries computes on).
CPU_CORES = (
    len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
) or 1
LIBRARY_IMPORT_WORKERS = int(os.environ.get("LIBRARY_IMPORT_WORKERS", str(min(2, CPU_CORES))))
LIBRARY_IMPORT_PARALLEL_AFTER = int(os.environ.get("LIBRARY_IMPORT_PARALLEL_AFTER", "1000"))
# --- end protected files -----------------------------------------------------------------
