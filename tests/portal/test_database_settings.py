"""Production settings put PostgreSQL behind psycopg's connection pool."""

import json
import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

from portal.settings.database import with_pool

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = {"ENGINE": "django.db.backends.postgresql", "NAME": "portal", "CONN_MAX_AGE": 60}


def test_postgres_gets_the_pool_and_no_persistent_connections():
    database = with_pool(POSTGRES, {"DATABASE_POOL_MAX_SIZE": "8"})
    assert database["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 8, "timeout": 10.0}
    # Django refuses a pool together with persistent connections.
    assert database["CONN_MAX_AGE"] == 0
    assert POSTGRES["CONN_MAX_AGE"] == 60 and "OPTIONS" not in POSTGRES


def test_sqlite_and_a_pool_turned_off_are_left_alone():
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "x", "CONN_MAX_AGE": 60}
    assert with_pool(sqlite, {}) is sqlite
    assert with_pool(POSTGRES, {"DATABASE_POOL": "0"}) is POSTGRES


def test_production_settings_with_a_postgres_url_use_the_pool():
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY="x" * 50,
        MFA_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        DATABASE_URL="postgres://portal:secret@db.example:5432/portal",
        DATABASE_CONN_MAX_AGE="60",
    )
    env.pop("DATABASE_POOL", None)
    code = (
        "import json; from django.conf import settings; "
        "d = settings.DATABASES['default']; "
        "print(json.dumps([d['CONN_MAX_AGE'], d['OPTIONS'].get('pool')]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    conn_max_age, pool = json.loads(out.stdout.strip().splitlines()[-1])
    assert conn_max_age == 0
    assert pool == {"min_size": 1, "max_size": 4, "timeout": 10.0}
