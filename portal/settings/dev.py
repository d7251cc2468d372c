import os

from .base import *  # noqa: F403
from .base import PRIVATE_STORAGE, env_bool

DEBUG = env_bool("DEBUG", True)
WHITENOISE_AUTOREFRESH = True
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-change-me"
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": PRIVATE_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
