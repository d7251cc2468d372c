import os

from cryptography.fernet import Fernet

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool
from .database import with_pool

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")
MFA_ENCRYPTION_KEY = os.environ.get("MFA_ENCRYPTION_KEY", "")
if not MFA_ENCRYPTION_KEY:
    raise ImproperlyConfigured(
        "MFA_ENCRYPTION_KEY must be set in production: a Fernet key, see .env.example "
        "and docs/security.md."
    )
for _key in MFA_ENCRYPTION_KEY.split(","):
    try:
        Fernet(_key.strip())
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            "MFA_ENCRYPTION_KEY is not a valid Fernet key (32 url-safe base64-encoded bytes)."
        ) from error

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Each security setting is explained in docs/security.md; `check --deploy` passes
# with nothing silenced. The `preload` directive alone enlists nothing: the
# operator submits the domain to hstspreload.org when it is settled, or turns the
# directive off with SECURE_HSTS_PRELOAD=false.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# PostgreSQL through psycopg's connection pool (portal/settings/database.py,
# docs/operations.md); a new dict, as base's DATABASES is shared with other modules.
DATABASES = {**DATABASES, "default": with_pool(DATABASES["default"], os.environ)}  # noqa: F405
