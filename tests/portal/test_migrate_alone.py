"""`migrate` alone makes a working database: the database cache's table comes
with it (a post-migrate hook), so `seed_demo` and the sign-in rate limits work on
a fresh machine without `createcachetable`."""

from django.core.management import call_command
from django.db import connection
from django.test import override_settings

DB_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "portal_cache_test",
    }
}


def test_post_migrate_creates_the_database_cache_table(transactional_db):
    with override_settings(CACHES=DB_CACHE):
        assert "portal_cache_test" not in connection.introspection.table_names()
        call_command("migrate", verbosity=0)
        try:
            assert "portal_cache_test" in connection.introspection.table_names()
        finally:
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE portal_cache_test")
