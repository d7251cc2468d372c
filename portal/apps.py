from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def create_cache_table(sender, using="default", verbosity=1, **kwargs):
    """`migrate` alone makes a working database: the database cache's table (the
    default cache without Redis) is created with the schema, not by a separate
    `createcachetable` that a newcomer does not know about."""
    call_command("createcachetable", database=using, verbosity=max(verbosity - 1, 0))


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import (
            accounts,  # noqa: F401  (audits account changes made through allauth)
            checks,  # noqa: F401  (registers the protected-files checks)
            lockout,  # noqa: F401  (remembers the devices accounts sign in from)
            middleware,  # noqa: F401  (starts the staff idle clock at sign-in)
            permissions,  # noqa: F401  (registers the rules)
            role_changes,  # noqa: F401  (bumps roles_version on every role change)
        )
        from .navigation import register_core

        register_core()
        post_migrate.connect(create_cache_table, sender=self)
