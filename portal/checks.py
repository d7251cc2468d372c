"""System checks of the settings the protected files depend on (`manage.py check`)."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register

from .files import PRIVATE_STORAGE, SERVERS


@register(Tags.security, deploy=False)
def check_protected_files(app_configs, **kwargs):
    errors = []
    server = getattr(settings, "PROTECTED_FILES_SERVER", "")
    if server not in SERVERS:
        errors.append(
            Error(
                f"PROTECTED_FILES_SERVER is {server!r}; use one of {SERVERS}.",
                id="portal.E101",
            )
        )
    storage = settings.STORAGES.get(PRIVATE_STORAGE)
    if storage is None:
        errors.append(Error('STORAGES has no "private" storage.', id="portal.E102"))
        return errors
    location = storage.get("OPTIONS", {}).get("location")
    if location and settings.MEDIA_ROOT:
        private_root = Path(location).resolve()
        media_root = Path(settings.MEDIA_ROOT).resolve()
        if private_root.is_relative_to(media_root) or media_root.is_relative_to(private_root):
            errors.append(
                Error(
                    "PRIVATE_MEDIA_ROOT must lie outside MEDIA_ROOT (and not contain it): "
                    "the web server serves MEDIA_ROOT to everyone.",
                    id="portal.E103",
                )
            )
    internal = getattr(settings, "PROTECTED_FILES_INTERNAL_URLS", {})
    if server == "nginx" and not internal.get(PRIVATE_STORAGE):
        errors.append(
            Error(
                'PROTECTED_FILES_SERVER is "nginx" but PROTECTED_FILES_INTERNAL_URLS names no '
                "internal location for the private storage.",
                id="portal.E104",
            )
        )
    return errors
