import pytest

from portal.background.selectors import forget_banner_state

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def db_tasks(settings):
    """Tasks kept in the database, as in production (the suite runs them at once)."""
    settings.TASKS = DATABASE_TASKS
    forget_banner_state()
    yield
    forget_banner_state()
