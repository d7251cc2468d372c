import pytest

from portal.background.selectors import forget_banner_state

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def db_tasks(settings, monkeypatch):
    """Tasks kept in the database, as in production (the suite runs them at once).

    The database worker calls close_old_connections() between tasks, as a real
    worker should. Inside a test's transaction that closes the connection (its
    autocommit differs from the settings'): SQLite's in-memory database ignores
    it, PostgreSQL does not, and the rest of the test has no connection."""
    settings.TASKS = DATABASE_TASKS
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    forget_banner_state()
    yield
    forget_banner_state()
