"""Settings shared by every environment. Everything that differs between
machines is read from environment variables (see `.env.example`)."""

import os
from pathlib import Path

import dj_database_url

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
    "gradebook",
    "gradebook.register",
    "library",
    "library.circulation",
    "cms",
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
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.audit.ReadAuditMiddleware",
    "portal.middleware.RequireStaffMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
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
ACCOUNT_FORMS = {"reset_password": "portal.accounts.PortalResetPasswordForm"}
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
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, stated so that operations can see and tune them.
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
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
LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("Polish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
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

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "SAMEORIGIN"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

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
# Wagtail looks renditions up in the "renditions" cache on every image it shows; a
# per-process memory cache keeps those lookups off the database cache (no writes per view).
CACHES.setdefault(
    "renditions",
    {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "wagtail-renditions",
        "TIMEOUT": 60 * 60 * 24,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
)
# --- end cms ---------------------------------------------------------------------------

# --- library circulation (issue 5) ------------------------------------------------------
# Kiosk mode: sessions end with the browser and after this many idle seconds.
MIDDLEWARE += ["library.circulation.middleware.KioskMiddleware"]
CIRCULATION_KIOSK_IDLE_SECONDS = int(os.environ.get("CIRCULATION_KIOSK_IDLE_SECONDS", "180"))

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
# --- end protected files -----------------------------------------------------------------
