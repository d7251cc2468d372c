"""The database connection settings of production: psycopg's connection pool.

Each web process keeps a few PostgreSQL connections open in a pool (Django 5.1+'s
`OPTIONS["pool"]`, psycopg_pool) instead of opening one per request (a TCP and
authentication round trip, several milliseconds) or holding one per thread with
CONN_MAX_AGE. Django refuses a pool together with persistent connections, so the
pooled database has CONN_MAX_AGE = 0 whatever DATABASE_CONN_MAX_AGE says."""

from __future__ import annotations

from collections.abc import Mapping

POSTGRES = "django.db.backends.postgresql"


def with_pool(database: dict, environ: Mapping[str, str]) -> dict:
    """`database` (a DATABASES entry) with the connection pool on, for PostgreSQL
    unless DATABASE_POOL=0. Sizes per process: DATABASE_POOL_MIN_SIZE (default 1),
    DATABASE_POOL_MAX_SIZE (default 4), DATABASE_POOL_TIMEOUT seconds to wait for a
    free connection (default 10). Returns a new dict; `database` is left as it is."""
    enabled = environ.get("DATABASE_POOL", "1").strip().lower() not in ("0", "false", "no", "off")
    if database.get("ENGINE") != POSTGRES or not enabled:
        return database
    return {
        **database,
        "CONN_MAX_AGE": 0,
        "OPTIONS": {
            **database.get("OPTIONS", {}),
            "pool": {
                "min_size": int(environ.get("DATABASE_POOL_MIN_SIZE", "1")),
                "max_size": int(environ.get("DATABASE_POOL_MAX_SIZE", "4")),
                "timeout": float(environ.get("DATABASE_POOL_TIMEOUT", "10")),
            },
        },
    }
